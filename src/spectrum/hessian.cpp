#include "deepctl/spectrum/hessian.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "deepctl/core/error.hpp"

namespace deepctl::spectrum {

double difference_step(double point_norm, double direction_norm) {
  return std::cbrt(std::numeric_limits<double>::epsilon()) * (1 + point_norm) / direction_norm;
}

Curvature::Curvature(const Problem<double>& problem, const Params<double>& theta,
                     const Mat<double>& X, const Mat<double>& Y, int threads)
    : problem_(&problem),
      theta_(theta),
      X_(X),
      Y_(Y),
      dim_(problem.num_params()),
      gradients_(problem, X.rows(), threads),
      workspace_(problem.make_workspace(X.rows())) {
  problem.check_params(theta);
  if (X.rows() != Y.rows() || X.cols() != problem.input_shape().size() ||
      Y.cols() != problem.output_shape().size())
    throw InputError("curvature: batch of " + std::to_string(X.rows()) + " x " +
                     std::to_string(X.cols()) + " inputs and " + std::to_string(Y.rows()) + " x " +
                     std::to_string(Y.cols()) + " targets does not fit the problem");
  objective_ = problem.rollout(workspace_, X_, Y_, theta_);
  Params<double> grad;
  problem.adjoint(workspace_, Y_, theta_, grad);
  gradient_ = flatten(grad);
  for (const Mat<double>& state : workspace_.states)
    tangents_.emplace_back(state.rows(), state.cols());
  shifted_ = grad_plus_ = grad_minus_ = direction_ = problem.zero_params();
}

void Curvature::hessian_vector(CVecRef<double> v, VecRef<double> out) {
  const double norm = v.norm();
  if (norm == 0) {
    out.setZero();
    return;
  }
  const Vec<double> theta = flatten(theta_);
  const double eps = difference_step(theta.norm(), norm);
  unflatten<double>(theta + eps * v, shifted_);
  gradients_.evaluate(X_, Y_, shifted_, grad_plus_);
  unflatten<double>(theta - eps * v, shifted_);
  gradients_.evaluate(X_, Y_, shifted_, grad_minus_);
  out = (flatten(grad_plus_) - flatten(grad_minus_)) / (2 * eps);
}

void Curvature::gauss_newton_vector(CVecRef<double> v, VecRef<double> out) {
  const Problem<double>& problem = *problem_;
  unflatten<double>(v, direction_);
  tangents_.front().setZero();
  for (Index t = 0; t < problem.num_layers(); ++t)
    problem.layer(t).jvp(*workspace_.layer_data[t], workspace_.states[t], theta_[t], tangents_[t],
                         direction_[t], tangents_[t + 1]);
  const Index outputs = problem.output_shape().size();
  Mat<double> hessian(outputs, outputs);
  Mat<double>& terminal = workspace_.costates.back();
  const double scale = -1.0 / static_cast<double>(X_.rows());
  for (Index s = 0; s < X_.rows(); ++s) {
    problem.loss().gauss_newton(workspace_.output().row(s).transpose(), Y_.row(s).transpose(),
                                hessian);
    terminal.row(s) = scale * (hessian * tangents_.back().row(s).transpose()).transpose();
  }
  problem.propagate_costates(workspace_, theta_, grad_plus_);
  problem.add_running_cost_gradient(direction_, grad_plus_);  // + ∇²R v (R is quadratic)
  out = flatten(grad_plus_);
}

SymmetricOperator Curvature::hessian_operator() {
  return [this](CVecRef<double> v, VecRef<double> out) { hessian_vector(v, out); };
}

SymmetricOperator Curvature::gauss_newton_operator() {
  return [this](CVecRef<double> v, VecRef<double> out) { gauss_newton_vector(v, out); };
}

Mat<double> Curvature::dense(const SymmetricOperator& A, Index dim) {
  Mat<double> M(dim, dim);
  Vec<double> e = Vec<double>::Zero(dim), column(dim);
  for (Index j = 0; j < dim; ++j) {
    e[j] = 1;
    A(e, column);
    M.col(j) = column;
    e[j] = 0;
  }
  return M;
}

}  // namespace deepctl::spectrum
