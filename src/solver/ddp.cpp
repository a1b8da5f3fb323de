#include "deepctl/solver/ddp.hpp"

#include <cmath>

#include "deepctl/core/error.hpp"

namespace deepctl {

DdpCurvature DdpOptions::parse_curvature(const std::string& text) {
  if (text == "identity") return DdpCurvature::Identity;
  if (text == "diagonal") return DdpCurvature::Diagonal;
  throw InputError("unknown DDP curvature '" + text + "'; expected identity or diagonal");
}

template <class S>
DdpTrainer<S>::DdpTrainer(const Problem<S>& problem, const Dataset& train, const Dataset* test,
                          TrainerOptions options, DdpOptions ddp)
    : MinibatchTrainer<S>(problem, train, test, options), ddp_(ddp) {
  if (!(ddp.alpha >= 0 && ddp.alpha < 1) || !(ddp.lambda > 0))
    throw InputError("ddp: need 0 <= ddp_alpha < 1 and ddp_lambda > 0");
  reset_controller();
}

template <class S>
void DdpTrainer<S>::reset_controller() {
  second_moment_ = this->problem_.zero_params();
  updates_ = 0;
}

template <class S>
std::vector<std::pair<std::string, Params<S>*>> DdpTrainer<S>::controller_state() {
  if (ddp_.curvature == DdpCurvature::Diagonal) return {{"ddp_v", &second_moment_}};
  return {};
}

template <class S>
void DdpTrainer<S>::apply_inverse_curvature(Index t, double lr, const Vec<S>& in,
                                            Vec<S>& out) const {
  if (ddp_.curvature == DdpCurvature::Identity)
    out = S(lr) * in;
  else
    out = S(lr) * in.cwiseQuotient((second_moment_[t].array().sqrt() + S(ddp_.lambda)).matrix());
}

template <class S>
StepReport DdpTrainer<S>::step(CMatRef<S> X, CMatRef<S> Y) {
  const Problem<S>& problem = this->problem_;
  const Index B = X.rows(), T = problem.num_layers();
  if (nominal_.batch != B) {
    nominal_ = problem.make_workspace(B);
    feedback_ = problem.make_workspace(B);
  }
  StepReport r;
  r.epoch = this->epoch_;
  r.lr = this->options_.schedule.at(this->steps_, this->epoch_);
  // 1. Nominal pass and Q_u = ∇J.
  r.loss = problem.rollout(nominal_, X, Y, this->theta_);
  problem.adjoint(nominal_, Y, this->theta_, grad_);
  r.grad_norm = params_norm(grad_);
  r.step = ++this->steps_;
  if (!std::isfinite(r.loss) || !std::isfinite(r.grad_norm)) return r;
  // 3a. Curvature statistics.
  ++updates_;
  if (ddp_.curvature == DdpCurvature::Diagonal)
    for (Index t = 0; t < T; ++t)
      second_moment_[t] =
          S(ddp_.alpha) * second_moment_[t] + S(1 - ddp_.alpha) * grad_[t].cwiseProduct(grad_[t]);
  Vec<S> step_t;
  if (!ddp_.feedback) {  // θ_t ← θ_t + k_t
    for (Index t = 0; t < T; ++t) {
      apply_inverse_curvature(t, r.lr, grad_[t], step_t);
      this->theta_[t] -= step_t;
    }
    return r;
  }
  // 2. Rank-one terminal curvature and its costate recursion ẑ_t = f_xᵀ ẑ_{t+1}.
  const Index k = problem.output_shape().size();
  Mat<S> gauss_newton(k, k);
  z_hat_.resize(T + 1);
  Mat<S>& z_terminal = z_hat_[T];
  z_terminal.resize(B, k);
  c_.resize(B);
  for (Index i = 0; i < B; ++i) {
    const auto g = nominal_.loss_gradient.row(i).transpose();
    const S norm = g.norm();
    if (!(norm > 0)) {
      z_terminal.row(i).setZero();
      c_[i] = 0;
      continue;
    }
    z_terminal.row(i) = g.transpose() / norm;
    problem.loss().gauss_newton(nominal_.output().row(i).transpose(), Y.row(i).transpose(),
                                gauss_newton);
    c_[i] = (z_terminal.row(i) * gauss_newton * z_terminal.row(i).transpose())(0, 0) / S(B);
  }
  // ẑ_t for t = T−1..1 (at t = 0 the state deviation is 0): input costates only (a parameter
  // gradient of size 0).
  Vec<S> no_parameters;
  for (Index t = T - 1; t >= 1; --t) {
    z_hat_[t].resize(B, problem.layer(t).input_size());
    problem.layer(t).vjp(*nominal_.layer_data[t], nominal_.states[t], this->theta_[t],
                         z_hat_[t + 1], z_hat_[t], no_parameters);
  }
  // 4. Feedback forward pass on the nominal records.
  feedback_.states[0] = X;
  Vec<S> feedback_term, corrected;
  Mat<S> weighted;
  for (Index t = 0; t < T; ++t) {
    const Layer<S>& layer = problem.layer(t);
    apply_inverse_curvature(t, r.lr, grad_[t], step_t);
    step_t = -step_t;  // k_t
    if (t > 0) {
      // a_i = ẑ_t^(i) · δx^(i); the feedback sums f_uᵀ[c_i a_i ẑ_{t+1}^(i)] over the batch.
      const Vec<S> a =
          ((feedback_.states[t] - nominal_.states[t]).cwiseProduct(z_hat_[t])).rowwise().sum();
      weighted = z_hat_[t + 1].array().colwise() * (c_.array() * a.array());
      feedback_term.resize(layer.num_params());
      Mat<S> p_unused(0, layer.input_size());
      layer.vjp(*nominal_.layer_data[t], nominal_.states[t], this->theta_[t], weighted, p_unused,
                feedback_term);
      apply_inverse_curvature(t, r.lr, feedback_term, corrected);
      step_t -= corrected;
    }
    this->theta_[t] += step_t;
    layer.forward(*feedback_.layer_data[t], feedback_.states[t], this->theta_[t],
                  feedback_.states[t + 1]);
  }
  return r;
}

template class DdpTrainer<float>;
template class DdpTrainer<double>;

}  // namespace deepctl
