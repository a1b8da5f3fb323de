#include "deepctl/spectrum/ntk.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <string>

#include "deepctl/core/error.hpp"

namespace deepctl::spectrum {

Mat<double> output_jacobian(const Problem<double>& problem, const Params<double>& theta,
                            CMatRef<double> X) {
  problem.check_params(theta);
  if (X.cols() != problem.input_shape().size())
    throw InputError("output Jacobian: inputs have " + std::to_string(X.cols()) +
                     " columns, the network expects " +
                     std::to_string(problem.input_shape().size()));
  const Index k = problem.output_shape().size();
  Mat<double> J(X.rows() * k, problem.num_params());
  Workspace<double> ws = problem.make_workspace(1);
  const Mat<double> no_target = Mat<double>::Zero(1, k);
  Params<double> g = problem.zero_params();
  for (Index s = 0; s < X.rows(); ++s) {
    problem.rollout(ws, X.row(s), no_target, theta);
    for (Index j = 0; j < k; ++j) {
      ws.costates.back().setZero();
      ws.costates.back()(0, j) = -1.0;
      problem.propagate_costates(ws, theta, g);
      J.row(s * k + j) = flatten(g).transpose();
    }
  }
  return J;
}

Mat<double> empirical_ntk(const Problem<double>& problem, const Params<double>& theta,
                          CMatRef<double> X) {
  const Mat<double> J = output_jacobian(problem, theta, X);
  return J * J.transpose();
}

Mat<double> relu_gram_infinite(CMatRef<double> X) {
  for (Index i = 0; i < X.rows(); ++i)
    if (std::abs(X.row(i).norm() - 1.0) > 1e-9)
      throw InputError("H-infinity needs unit-norm inputs; row " + std::to_string(i) +
                       " has norm " + std::to_string(X.row(i).norm()));
  const Mat<double> inner = X * X.transpose();
  Mat<double> H(X.rows(), X.rows());
  for (Index i = 0; i < H.rows(); ++i)
    for (Index j = 0; j < H.cols(); ++j) {
      const double c = std::clamp(inner(i, j), -1.0, 1.0);
      H(i, j) = c * (M_PI - std::acos(c)) / (2 * M_PI);
    }
  return H;
}

LinearizedTraining compare_linearized_training(const Problem<double>& problem,
                                               const Params<double>& theta, CMatRef<double> X,
                                               CMatRef<double> Y, double lr, Index steps) {
  if (problem.has_running_cost())
    throw InputError("linearised training: the problem's l2 and time_smoothness must be 0, got " +
                     std::to_string(problem.l2()) + " and " +
                     std::to_string(problem.time_smoothness()));
  if (!(lr > 0) || steps < 1) throw InputError("linearised training: need lr > 0 and steps >= 1");
  const Index n = X.rows(), k = problem.output_shape().size();
  const Mat<double> kernel = empirical_ntk(problem, theta, X);
  LinearizedTraining result;
  const Vec<double> eigenvalues =
      Eigen::SelfAdjointEigenSolver<Mat<double>>(kernel, Eigen::EigenvaluesOnly).eigenvalues();
  result.smallest_eigenvalue = eigenvalues[0];
  result.largest_eigenvalue = eigenvalues[eigenvalues.size() - 1];

  Workspace<double> ws = problem.make_workspace(n);
  Params<double> current = theta, grad = problem.zero_params();
  Mat<double> u(n, k), loss_gradient(n, k);
  Vec<double> phi(n);
  for (Index step = 0; step <= steps; ++step) {
    result.actual.push_back(problem.rollout(ws, X, Y, current));
    if (step == 0) u = ws.output();
    problem.loss().value(u, Y, phi);
    result.predicted.push_back(phi.mean());
    if (step == steps) break;
    problem.adjoint(ws, Y, current, grad);
    for (std::size_t t = 0; t < current.size(); ++t) current[t] -= lr * grad[t];
    problem.loss().gradient(u, Y, loss_gradient);
    const Vec<double> move = kernel * Eigen::Map<const Vec<double>>(loss_gradient.data(), n * k);
    u -= (lr / static_cast<double>(n)) * Eigen::Map<const Mat<double>>(move.data(), n, k);
  }
  result.kernel_change = (empirical_ntk(problem, current, X) - kernel).norm() / kernel.norm();
  return result;
}

}  // namespace deepctl::spectrum
