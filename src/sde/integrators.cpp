#include "deepctl/sde/integrators.hpp"

#include <cmath>
#include <limits>

#include "deepctl/core/error.hpp"
#include "deepctl/sde/tail_index.hpp"

namespace deepctl::sde {
namespace {

Vec<double> diagonal_of(const Sde& sde, double t, CVecRef<double> x) {
  Mat<double> G(sde.dim(), sde.noise_dim());
  sde.diffusion(t, x, G);
  return G.diagonal();
}

void check_sizes(const Sde& sde, CVecRef<double> x0) {
  if (x0.size() != sde.dim())
    throw InputError("SDE initial state has " + std::to_string(x0.size()) +
                     " entries, expected dim = " + std::to_string(sde.dim()));
}

void check_steps(Index steps, double t0, double t1) {
  if (steps < 1) throw InputError("SDE integration needs steps >= 1, got " + std::to_string(steps));
  if (!(t1 > t0))
    throw InputError("SDE integration needs t1 > t0, got [" + std::to_string(t0) + ", " +
                     std::to_string(t1) + "]");
}

}  // namespace

void Sde::diffusion_derivative(double, CVecRef<double>, VecRef<double> dg) const {
  dg.setZero();
}

SchemeOrder scheme_order(Scheme scheme, NoiseKind noise) {
  switch (scheme) {
    case Scheme::EulerMaruyama:
      return {noise == NoiseKind::Additive ? 1.0 : 0.5, 1.0};
    case Scheme::Milstein:
      return {1.0, 1.0};
    case Scheme::WeakOrder2:
      return {std::numeric_limits<double>::quiet_NaN(), 2.0};
  }
  return {};
}

Scheme parse_scheme(const std::string& name) {
  if (name == "euler_maruyama") return Scheme::EulerMaruyama;
  if (name == "milstein") return Scheme::Milstein;
  if (name == "weak2") return Scheme::WeakOrder2;
  throw InputError("SDE scheme: expected euler_maruyama, milstein or weak2, got '" + name + "'");
}

std::string scheme_name(Scheme scheme) {
  switch (scheme) {
    case Scheme::EulerMaruyama:
      return "euler_maruyama";
    case Scheme::Milstein:
      return "milstein";
    case Scheme::WeakOrder2:
      return "weak2";
  }
  return "";
}

void check_scheme(const Sde& sde, Scheme scheme) {
  if (scheme == Scheme::EulerMaruyama || sde.noise() != NoiseKind::General) return;
  if (sde.noise() == NoiseKind::Diagonal && sde.noise_dim() != sde.dim())
    throw InputError("diagonal-noise SDE needs noise_dim = dim");
  if (sde.noise() == NoiseKind::General)
    throw InputError(scheme_name(scheme) +
                     " needs additive or diagonal noise; use euler_maruyama for general noise");
}

void step(const Sde& sde, Scheme scheme, double t, double dt, CVecRef<double> dw,
          VecRef<double> x) {
  const Index d = sde.dim();
  Vec<double> b(d);
  sde.drift(t, x, b);
  Mat<double> G(d, sde.noise_dim());
  sde.diffusion(t, x, G);
  if (scheme == Scheme::EulerMaruyama) {
    x += b * dt + G * dw;
    return;
  }
  const bool additive = sde.noise() == NoiseKind::Additive;
  if (scheme == Scheme::Milstein) {
    if (additive) {
      x += b * dt + G * dw;
      return;
    }
    Vec<double> dg(d);
    sde.diffusion_derivative(t, x, dg);
    const Vec<double> g = G.diagonal();
    x.array() += b.array() * dt + g.array() * dw.array() +
                 0.5 * g.array() * dg.array() * (dw.array().square() - dt);
    return;
  }
  // Weak order 2 (Platen).
  const Vec<double> support = x + b * dt + G * dw;
  Vec<double> b_support(d);
  sde.drift(t + dt, support, b_support);
  if (additive) {
    x += 0.5 * (b_support + b) * dt + G * dw;
    return;
  }
  const Vec<double> g = G.diagonal();
  const double root_dt = std::sqrt(dt);
  const Vec<double> g_plus = diagonal_of(sde, t + dt, x + b * dt + g * root_dt);
  const Vec<double> g_minus = diagonal_of(sde, t + dt, x + b * dt - g * root_dt);
  x.array() += 0.5 * (b_support + b).array() * dt +
               0.25 * (g_plus + g_minus + 2 * g).array() * dw.array() +
               0.25 * (g_plus - g_minus).array() * (dw.array().square() - dt) / root_dt;
}

Vec<double> integrate(const Sde& sde, Scheme scheme, CVecRef<double> x0, const BrownianPath& path,
                      Index steps) {
  check_sizes(sde, x0);
  check_scheme(sde, scheme);
  check_steps(steps, path.t0(), path.t1());
  if (path.dim() != sde.noise_dim())
    throw InputError("Brownian path has dimension " + std::to_string(path.dim()) +
                     ", the SDE's noise_dim is " + std::to_string(sde.noise_dim()));
  const double dt = (path.t1() - path.t0()) / static_cast<double>(steps);
  Vec<double> x = x0;
  Vec<double> w_prev = path.value(path.t0());
  for (Index k = 0; k < steps; ++k) {
    const double t = path.t0() + static_cast<double>(k) * dt;
    const double t_next = k + 1 == steps ? path.t1() : t + dt;
    Vec<double> w = path.value(t_next);
    step(sde, scheme, t, t_next - t, w - w_prev, x);
    w_prev = std::move(w);
  }
  return x;
}

Vec<double> integrate(const Sde& sde, Scheme scheme, CVecRef<double> x0, double t0, double t1,
                      Index steps, Increments increments, Rng& rng) {
  check_sizes(sde, x0);
  check_scheme(sde, scheme);
  check_steps(steps, t0, t1);
  const double dt = (t1 - t0) / static_cast<double>(steps);
  const double root_dt = std::sqrt(dt), three_point = std::sqrt(3 * dt);
  Vec<double> x = x0, dw(sde.noise_dim());
  for (Index k = 0; k < steps; ++k) {
    for (Index j = 0; j < dw.size(); ++j) {
      if (increments == Increments::Gaussian) {
        dw[j] = root_dt * rng.normal();
      } else {
        const std::uint64_t u = rng.uniform_int(6);
        dw[j] = u == 0 ? three_point : u == 1 ? -three_point : 0.0;
      }
    }
    step(sde, scheme, t0 + static_cast<double>(k) * dt, dt, dw, x);
  }
  return x;
}

Vec<double> integrate_levy(const Sde& sde, double alpha, CVecRef<double> x0, double t0, double t1,
                           Index steps, Rng& rng) {
  check_sizes(sde, x0);
  check_steps(steps, t0, t1);
  if (!(alpha > 0 && alpha <= 2))
    throw InputError("Levy SDE: alpha must be in (0, 2], got " + std::to_string(alpha));
  const double dt = (t1 - t0) / static_cast<double>(steps);
  const double scale = std::pow(dt, 1.0 / alpha);
  const Index d = sde.dim();
  Vec<double> x = x0, b(d), jump(sde.noise_dim());
  Mat<double> G(d, sde.noise_dim());
  for (Index k = 0; k < steps; ++k) {
    const double t = t0 + static_cast<double>(k) * dt;
    sde.drift(t, x, b);
    sde.diffusion(t, x, G);
    for (Index j = 0; j < jump.size(); ++j) jump[j] = scale * stable_sample(rng, alpha);
    x += b * dt + G * jump;
  }
  return x;
}

}  // namespace deepctl::sde
