#include "deepctl/spectrum/jacobian.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>

#include "deepctl/core/error.hpp"
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

// z_D(m): the z > max λ with E[λ/(z − λ)] = m, λ = φ′(√q z)² on the quadrature nodes.
double inverse_moment_function(const std::vector<double>& lambda, const std::vector<double>& w,
                               double lambda_max, double m) {
  auto M = [&](double z) {
    double s = 0;
    for (std::size_t i = 0; i < lambda.size(); ++i) s += w[i] * lambda[i] / (z - lambda[i]);
    return s - m;
  };
  double lo = lambda_max * (1 + 1e-15) + 1e-300, hi = lambda_max + 1;
  while (M(hi) > 0) hi = lambda_max + 2 * (hi - lambda_max);
  if (M(lo) < 0) return lo;  // M stays finite at the top of the support (an atom-free edge)
  return brent_root(M, lo, hi, 0.0);
}

}  // namespace

FreeProbability free_probability(const meanfield::ActivationMoments& moments, double sw2,
                                 double q_star, int depth, bool orthogonal) {
  if (depth < 1) throw InputError("depth must be at least 1, got " + std::to_string(depth));
  if (!(sw2 > 0)) throw InputError("sw2 must be positive, got " + std::to_string(sw2));
  if (!(q_star >= 0) || !std::isfinite(q_star))
    throw InputError("q* must be finite and non-negative, got " + std::to_string(q_star));
  const double L = depth, mu1 = moments.derivative_moment(q_star),
               mu2 = moments.derivative_moment(q_star, 2);
  FreeProbability r;
  r.mean = std::pow(sw2 * mu1, L);
  r.variance = r.mean * r.mean * L * (mu2 / (mu1 * mu1) - 1 + (orthogonal ? 0.0 : 1.0));
  // The law of λ = φ′(√q* z)²: quadrature nodes, with atoms where φ′ is piecewise constant.
  const auto rule = meanfield::GaussianRule::for_argument(std::sqrt(q_star), 0.0, {0.0});
  std::vector<double> u = rule.arguments(std::sqrt(q_star), 0.0), lambda(u.size());
  moments.activation().derivative(u.data(), lambda.data(), static_cast<Index>(u.size()));
  double lambda_max = 0;
  for (double& l : lambda) lambda_max = std::max(lambda_max, l *= l);
  const double g = orthogonal ? 0.0 : 1.0;
  auto log_inverse = [&](double log_m) {
    const double m = std::exp(log_m),
                 zD = inverse_moment_function(lambda, rule.weights(), lambda_max, m);
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
  const double hard_edge = std::pow(sw2 * lambda_max, L);
  r.edge = b >= 30 - 1e-6 ? hard_edge : std::exp(std::min(f1, f2));
  return r;
}

}  // namespace deepctl::spectrum
