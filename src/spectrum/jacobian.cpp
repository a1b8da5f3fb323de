#include "deepctl/spectrum/jacobian.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <complex>
#include <limits>

#include "deepctl/core/error.hpp"
#include "deepctl/core/quadrature.hpp"
#include "deepctl/core/roots.hpp"
#include "deepctl/meanfield/gaussian.hpp"
#include "deepctl/spectrum/lanczos.hpp"

namespace deepctl::spectrum {

Vec<double> jacobian_squared_singular_values(const Problem<double>& problem,
                                             const Params<double>& theta, CVecRef<double> x) {
  problem.check_params(theta);
  const Index n = problem.input_shape().size();
  if (x.size() != n)
    throw InputError("jacobian: the input has " + std::to_string(x.size()) + " values, expected " +
                     std::to_string(n));
  // Row i of the batch carries the input x and the tangent e_i, so row i of the last tangent
  // is (J e_i)ᵀ: the last tangent is Jᵀ.
  Mat<double> X = x.transpose().replicate(n, 1), dX = Mat<double>::Identity(n, n);
  for (Index t = 0; t < problem.num_layers(); ++t) {
    const Layer<double>& layer = problem.layer(t);
    if (!layer.capabilities().jvp)
      throw InputError("layer " + std::to_string(t) + " " + layer.describe() + " has no jvp");
    auto data = layer.make_data(n);
    Mat<double> Y(n, layer.output_size()), dY(n, layer.output_size());
    layer.forward(*data, X, theta[t], Y);
    layer.jvp(*data, X, theta[t], dX, Vec<double>::Zero(layer.num_params()), dY);
    X = std::move(Y);
    dX = std::move(dY);
  }
  const Mat<double> JJt = dX.transpose() * dX;  // J Jᵀ with J = dXᵀ
  return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(JJt, Eigen::EigenvaluesOnly).eigenvalues();
}

JacobianGram::JacobianGram(const Problem<double>& problem, const Params<double>& theta,
                           CVecRef<double> x)
    : problem_(&problem), theta_(&theta), dim_(problem.input_shape().size()) {
  problem.check_params(theta);
  if (x.size() != dim_)
    throw InputError("jacobian: the input has " + std::to_string(x.size()) + " values, expected " +
                     std::to_string(dim_));
  for (Index t = 0; t < problem.num_layers(); ++t)
    if (!problem.layer(t).capabilities().jvp)
      throw InputError("layer " + std::to_string(t) + " " + problem.layer(t).describe() +
                       " has no jvp");
  ws_ = problem.make_workspace(1);
  ws_.states[0] = x.transpose();
  for (Index t = 0; t < problem.num_layers(); ++t) {
    problem.layer(t).forward(*ws_.layer_data[t], ws_.states[t], theta[t], ws_.states[t + 1]);
    tangents_.emplace_back(1, problem.layer(t).input_size());
    costates_.emplace_back(1, problem.layer(t).input_size());
    no_tangent_.push_back(Vec<double>::Zero(problem.layer(t).num_params()));
  }
  tangents_.emplace_back(1, problem.output_shape().size());
}

void JacobianGram::apply(CVecRef<double> v, VecRef<double> out) {
  const Index T = problem_->num_layers();
  tangents_[0] = v.transpose();
  for (Index t = 0; t < T; ++t)
    problem_->layer(t).jvp(*ws_.layer_data[t], ws_.states[t], (*theta_)[t], tangents_[t],
                           no_tangent_[t], tangents_[t + 1]);
  // The costate pass from p_T = J v gives p_0 = Jᵀ J v (no parameter gradients).
  Vec<double> none(0);
  for (Index t = T; t-- > 0;)
    problem_->layer(t).vjp(*ws_.layer_data[t], ws_.states[t], (*theta_)[t],
                           t + 1 == T ? tangents_[T] : costates_[t + 1], costates_[t], none);
  out = costates_[0].row(0).transpose();
}

MatrixFreeSpectrum jacobian_spectrum_matrix_free(const Problem<double>& problem,
                                                 const Params<double>& theta, CVecRef<double> x,
                                                 Index k, Index steps, Index probes,
                                                 std::uint64_t seed) {
  JacobianGram gram(problem, theta, x);
  const SymmetricOperator A = [&](CVecRef<double> v, VecRef<double> out) { gram.apply(v, out); };
  MatrixFreeSpectrum r;
  r.top = top_eigenvalues(A, gram.dim(), k, steps, seed);
  const SpectralDensity density =
      spectral_density(A, gram.dim(), steps, probes, Rng(seed).split(1).next_u64());
  r.nodes = density.nodes;
  r.weights = density.weights;
  r.mean = density.weights.dot(density.nodes);
  r.variance = density.weights.dot(density.nodes.cwiseProduct(density.nodes)) - r.mean * r.mean;
  return r;
}

namespace {

using Complex = std::complex<double>;

// The law of λ = φ′(√q* z)², z ~ N(0, 1): the Gaussian rule's nodes with their weights (atoms
// where φ′ is piecewise constant), its largest value and its mass at 0.
struct DerivativeLaw {
  std::vector<double> lambda, weight;
  double lambda_max = 0, atom = 0, mu1 = 0;

  DerivativeLaw(const meanfield::ActivationMoments& moments, double q_star) {
    const auto rule = meanfield::GaussianRule::for_argument(std::sqrt(q_star), 0.0, {0.0});
    const std::vector<double> u = rule.arguments(std::sqrt(q_star), 0.0);
    lambda.resize(u.size());
    weight = rule.weights();
    moments.activation().derivative(u.data(), lambda.data(), static_cast<Index>(u.size()));
    double total = 0;
    for (double w : weight) total += w;
    for (double& w : weight) w /= total;  // (mass exactly 1, as the n form assumes)
    for (std::size_t i = 0; i < lambda.size(); ++i) {
      const double l = lambda[i] *= lambda[i];
      lambda_max = std::max(lambda_max, l);
      mu1 += weight[i] * l;
      if (l == 0) atom += weight[i];
    }
  }

  // M_D(z) = E[λ/(z − λ)], its derivative, and E[z/(z − λ)] = 1 + M_D(z) without the
  // cancellation near z = 0, for complex z.
  struct MomentFunction {
    Complex M, dM, one_plus_M;
  };
  MomentFunction moment_function(Complex z) const {
    MomentFunction f{0, 0, 0};
    for (std::size_t i = 0; i < lambda.size(); ++i) {
      const Complex r = 1.0 / (z - lambda[i]), wr = weight[i] * r;
      f.M += lambda[i] * wr;
      f.dM -= lambda[i] * wr * r;
      f.one_plus_M += z * wr;
    }
    return f;
  }

  // z_D(m): the real z > λ_max with M_D(z) = m > 0.
  double inverse_moment_function(double m) const {
    auto M = [&](double z) { return moment_function(z).M.real() - m; };
    double lo = lambda_max * (1 + 1e-15) + 1e-300, hi = lambda_max + 1;
    while (M(hi) > 0) hi = lambda_max + 2 * (hi - lambda_max);
    if (M(lo) < 0) return lo;  // M stays finite at the top of the support (an atom-free edge)
    return brent_root(M, lo, hi, 0.0);
  }
};

void check_free_probability_args(double sw2, double q_star, int depth) {
  if (depth < 1) throw InputError("depth must be at least 1, got " + std::to_string(depth));
  if (!(sw2 > 0)) throw InputError("sw2 must be positive, got " + std::to_string(sw2));
  if (!(q_star >= 0) || !std::isfinite(q_star))
    throw InputError("q* must be finite and non-negative, got " + std::to_string(q_star));
}

}  // namespace

FreeProbability free_probability(const meanfield::ActivationMoments& moments, double sw2,
                                 double q_star, int depth, bool orthogonal) {
  check_free_probability_args(sw2, q_star, depth);
  const double L = depth, mu1 = moments.derivative_moment(q_star),
               mu2 = moments.derivative_moment(q_star, 2);
  FreeProbability r;
  r.mean = std::pow(sw2 * mu1, L);
  r.variance = r.mean * r.mean * L * (mu2 / (mu1 * mu1) - 1 + (orthogonal ? 0.0 : 1.0));
  const DerivativeLaw law(moments, q_star);
  r.atom = law.atom;
  const double g = orthogonal ? 0.0 : 1.0;
  auto log_inverse = [&](double log_m) {
    const double m = std::exp(log_m), zD = law.inverse_moment_function(m);
    return std::log1p(m) - log_m + L * (std::log(sw2 * m * zD) + (g - 1) * std::log1p(m));
  };
  // Golden-section search for the minimum over log m ∈ [−30, 30] (unimodal there).
  double a = -30, b = 30;
  const double phi = (std::sqrt(5.0) - 1) / 2;
  double x1 = b - phi * (b - a), x2 = a + phi * (b - a), f1 = log_inverse(x1), f2 = log_inverse(x2);
  for (int it = 0; it < 200 && b - a > 1e-10; ++it) {
    if (f1 < f2) {
      b = x2, x2 = x1, f2 = f1, x1 = b - phi * (b - a), f1 = log_inverse(x1);
    } else {
      a = x1, x1 = x2, f1 = f2, x2 = a + phi * (b - a), f2 = log_inverse(x2);
    }
  }
  const double hard_edge = std::pow(sw2 * law.lambda_max, L);
  r.edge = b >= 30 - 1e-6 ? hard_edge : std::exp(std::min(f1, f2));
  return r;
}

Vec<double> free_probability_density(const meanfield::ActivationMoments& moments, double sw2,
                                     double q_star, int depth, bool orthogonal, CVecRef<double> x) {
  check_free_probability_args(sw2, q_star, depth);
  for (Index i = 0; i < x.size(); ++i)
    if (!(x[i] > 0) || !std::isfinite(x[i]))
      throw InputError("density: the points must be positive and finite, got x[" +
                       std::to_string(i) + "] = " + std::to_string(x[i]));
  const DerivativeLaw law(moments, q_star);
  const double L = depth, g = orthogonal ? 0.0 : 1.0, log_sw2 = std::log(sw2),
               m1 = std::pow(sw2 * law.mu1, L);
  // The unknown m = M_J(ζ) is held as m itself, or as n = 1 + m once |n| < ¼ (m → −1 as
  // ζ → 0 below the support, where 1 + m computed from m would lose every digit).
  struct Point {
    Complex w, z;  // m or n; z = z_D(m)
    bool near = false;
    Complex m() const { return near ? w - 1.0 : w; }
    Complex n() const { return near ? w : 1.0 + w; }
    void choose_form() {
      if (!near && std::abs(1.0 + w) < 0.25) w += 1.0, near = true;
      if (near && std::abs(w) > 0.75) w -= 1.0, near = false;
    }
  };
  // Newton's method on r(m, z) = (M_D(z) − m, log M_J^{-1}(m) − log ζ) (in n's form, the first
  // residual is E[z/(z − λ)] − n, the same equation without the cancellation); false if it
  // leaves the half-planes or does not converge.
  auto solve = [&](Complex zeta, Point& p) {
    for (int it = 0; it < 60; ++it) {
      p.choose_form();
      const Complex m = p.m(), n = p.n();
      const auto [MD, dMD, one_plus_MD] = law.moment_function(p.z);
      const Complex r1 = p.near ? one_plus_MD - n : MD - m,
                    r2 = std::log(n) - std::log(m) +
                         L * (log_sw2 + std::log(m) + std::log(p.z) + (g - 1) * std::log(n)) -
                         std::log(zeta);
      if (std::abs(r1) <= 1e-13 * std::abs(p.w) && std::abs(r2) <= 1e-13 * (L + 1)) return true;
      // Jacobian [[−1, M_D′(z)], [a, L/z]] in (w, z).
      const Complex a = 1.0 / n - 1.0 / m + L / m + L * (g - 1) / n, b = L / p.z;
      const Complex det = -b - dMD * a;
      p.w -= (b * r1 - dMD * r2) / det;
      p.z -= (-r2 - a * r1) / det;
      // (Outside the support Im m → 0⁻ with ζ's height: allow rounding across the axis.)
      if (!(p.w.imag() <= 1e-14 * std::abs(p.w) && p.z.imag() >= -1e-14 * std::abs(p.z)) ||
          !std::isfinite(std::abs(p.w) + std::abs(p.z)))
        return false;
    }
    return false;
  };
  Vec<double> density(x.size());
  for (Index i = 0; i < x.size(); ++i) {
    // From far above the spectrum, where M_J ≈ m_1/ζ and M_D(z) ≈ μ_1/z, down to the real line.
    const double scale = std::max(x[i], m1), target = 1e-9 * x[i];
    double height = 1e4 * scale, ratio = 0.5;
    const Complex zeta(x[i], height), m = m1 / zeta;
    Point p{m, law.mu1 / m};
    bool ok = solve(zeta, p);
    while (ok && height > target) {
      const double next = std::max(target, height * ratio);
      Point trial = p;
      if (solve(Complex(x[i], next), trial)) {
        height = next, p = trial;
        ratio = std::max(0.1, ratio * ratio);  // grow the step back after a success
      } else if ((ratio = std::sqrt(ratio)) > 0.999) {
        ok = false;
      }
    }
    // Then onto the real line itself (outside the support m turns real; at a soft edge, where
    // Newton's method may not converge, the value at height 1e-9 x stands).
    if (ok) {
      Point on_axis = p;
      if (solve(Complex(x[i], 0.0), on_axis)) p = on_axis;
    }
    density[i] = ok ? std::max(0.0, -p.w.imag() / (M_PI * x[i])) : std::nan("");
  }
  return density;
}

LawHistogram law_histogram(const std::vector<double>& values, const std::vector<double>& masses,
                           double top, const meanfield::ActivationMoments& moments, double sw2,
                           double q_star, int depth, bool orthogonal, int bins) {
  if (values.size() != masses.size() || !(top > 0) || bins < 1)
    throw InputError("law histogram: need as many masses as values, top > 0 and bins >= 1");
  const int nodes = 8;
  const double lo = std::log(top * 1e-6), step = (std::log(top * 1.2) - lo) / bins;
  LawHistogram h{std::vector<double>(bins + 1), std::vector<double>(bins, 0.0),
                 std::vector<double>(bins, 0.0), 0, 1};
  for (int b = 0; b <= bins; ++b) h.edges[b] = std::exp(lo + step * b);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double u = values[i] > 0 ? (std::log(values[i]) - lo) / step : -1;
    if (u < 0)
      h.below += masses[i];
    else if (u < bins)
      h.measured[static_cast<int>(u)] += masses[i];
  }
  const QuadratureRule rule = log_panels(h.edges.front(), h.edges.back(), bins, nodes);
  const Vec<double> rho = free_probability_density(
      moments, sw2, q_star, depth, orthogonal,
      Eigen::Map<const Vec<double>>(rule.x.data(), static_cast<Index>(rule.x.size())));
  for (std::size_t i = 0; i < rule.x.size(); ++i) h.predicted[i / nodes] += rule.w[i] * rho[i];
  for (double p : h.predicted) h.predicted_below -= p;
  return h;
}

}  // namespace deepctl::spectrum
