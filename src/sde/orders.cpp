#include "deepctl/sde/orders.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "deepctl/core/error.hpp"

namespace deepctl::sde {
namespace {

// Adds weight · g(X(t1)) over every continuation of the path from step k at state x.
void sum_paths(const Sde& sde, Scheme scheme, const Vec<double>& x, double t, double dt,
               Index steps_left, double weight, const std::function<double(CVecRef<double>)>& g,
               double& total) {
  if (steps_left == 0) {
    total += weight * g(x);
    return;
  }
  const Index m = sde.noise_dim();
  const double a = std::sqrt(3 * dt);
  const double values[3] = {-a, 0.0, a};
  const double probabilities[3] = {1.0 / 6, 2.0 / 3, 1.0 / 6};
  Index combinations = 1;
  for (Index j = 0; j < m; ++j) combinations *= 3;
  Vec<double> dw(m);
  for (Index c = 0; c < combinations; ++c) {
    double p = weight;
    for (Index j = 0, code = c; j < m; ++j, code /= 3) {
      dw[j] = values[code % 3];
      p *= probabilities[code % 3];
    }
    Vec<double> next = x;
    step(sde, scheme, t, dt, dw, next);
    sum_paths(sde, scheme, next, t + dt, dt, steps_left - 1, p, g, total);
  }
}

template <class ErrorAt>
std::vector<OrderRow> order_table(const std::vector<Index>& steps, ErrorAt error_at) {
  std::vector<OrderRow> rows;
  for (Index n : steps) {
    const double error = error_at(n);
    const double order = rows.empty() ? std::numeric_limits<double>::quiet_NaN()
                                      : std::log2(rows.back().error / error);
    rows.push_back({n, error, order});
  }
  return rows;
}

// Weak errors at N ≤ 8 are in their asymptotic regime for σ = 0.5; strong errors need the
// larger σ = 1 before the noise term, not the drift, dominates them.
const GeometricBrownianMotion kWeakGbm(-1.0, 0.5), kStrongGbm(-1.0, 1.0);
constexpr double kX0 = 1.0, kT = 1.0;

}  // namespace

void GeometricBrownianMotion::drift(double, CVecRef<double> x, VecRef<double> b) const {
  b[0] = mu_ * x[0];
}
void GeometricBrownianMotion::diffusion(double, CVecRef<double> x, MatRef<double> G) const {
  G(0, 0) = sigma_ * x[0];
}
void GeometricBrownianMotion::diffusion_derivative(double, CVecRef<double>,
                                                   VecRef<double> dg) const {
  dg[0] = sigma_;
}
double GeometricBrownianMotion::solution(double x0, double T, double w_T) const {
  return x0 * std::exp((mu_ - 0.5 * sigma_ * sigma_) * T + sigma_ * w_T);
}
double GeometricBrownianMotion::second_moment(double x0, double T) const {
  return x0 * x0 * std::exp((2 * mu_ + sigma_ * sigma_) * T);
}

double three_point_expectation(const Sde& sde, Scheme scheme, CVecRef<double> x0, double t0,
                               double t1, Index steps,
                               const std::function<double(CVecRef<double>)>& g) {
  check_scheme(sde, scheme);
  if (steps < 1 || sde.noise_dim() * steps > 14)
    throw InputError("three-point expectation: noise_dim * steps must be in 1..14, got " +
                     std::to_string(sde.noise_dim() * steps));
  if (x0.size() != sde.dim())
    throw InputError("three-point expectation: x0 has " + std::to_string(x0.size()) +
                     " entries, expected " + std::to_string(sde.dim()));
  double total = 0;
  sum_paths(sde, scheme, x0, t0, (t1 - t0) / static_cast<double>(steps), steps, 1.0, g, total);
  return total;
}

double gbm_strong_error(const GeometricBrownianMotion& gbm, Scheme scheme, double x0, double T,
                        Index steps, Index paths, std::uint64_t seed) {
  double total = 0;
  const Vec<double> start = Vec<double>::Constant(1, x0);
  for (Index p = 0; p < paths; ++p) {
    const BrownianPath path(1, 0.0, T, seed + static_cast<std::uint64_t>(p));
    const double approximate = integrate(gbm, scheme, start, path, steps)[0];
    total += std::abs(approximate - gbm.solution(x0, T, path.value(T)[0]));
  }
  return total / static_cast<double>(paths);
}

std::vector<OrderRow> gbm_weak_orders(Scheme scheme) {
  const double exact = kWeakGbm.second_moment(kX0, kT);
  const auto square = [](CVecRef<double> x) { return x[0] * x[0]; };
  return order_table({1, 2, 4, 8}, [&](Index n) {
    return std::abs(three_point_expectation(kWeakGbm, scheme, Vec<double>::Constant(1, kX0), 0.0,
                                            kT, n, square) -
                    exact);
  });
}

std::vector<OrderRow> gbm_strong_orders(Scheme scheme, Index paths, std::uint64_t seed) {
  return order_table({8, 16, 32, 64, 128}, [&](Index n) {
    return gbm_strong_error(kStrongGbm, scheme, kX0, kT, n, paths, seed);
  });
}

}  // namespace deepctl::sde
