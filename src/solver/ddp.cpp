#include "deepctl/solver/ddp.hpp"

#include <omp.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>

#include "deepctl/core/error.hpp"
#include "deepctl/problem/parallel_gradient.hpp"

namespace deepctl {

DdpCurvature DdpOptions::parse_curvature(const std::string& text) {
  if (text == "identity") return DdpCurvature::Identity;
  if (text == "diagonal") return DdpCurvature::Diagonal;
  if (text == "kfac") return DdpCurvature::Kfac;
  throw InputError("unknown DDP curvature '" + text + "'; expected identity, diagonal or kfac");
}

template <class S>
DdpTrainer<S>::DdpTrainer(const Problem<S>& problem, const Dataset& train, const Dataset* test,
                          TrainerOptions options, DdpOptions ddp)
    : MinibatchTrainer<S>(problem, train, test, options), ddp_(ddp) {
  if (!(ddp.alpha >= 0 && ddp.alpha < 1) || !(ddp.lambda > 0) || !(ddp.damping > 0) ||
      ddp.inverse_every < 1 || ddp.stats_every < 1)
    throw InputError(
        "ddp: need 0 <= ddp_alpha < 1, ddp_lambda > 0, ddp_damping > 0, ddp_inverse_every >= 1, "
        "ddp_stats_every >= 1");
  if (ddp.adaptive_damping && ddp.curvature == DdpCurvature::Identity)
    throw InputError("ddp: ddp_adaptive_damping needs ddp_curvature diagonal or kfac");
  reset_controller();
}

template <class S>
void DdpTrainer<S>::reset_controller() {
  const Index T = this->problem_.num_layers();
  second_moment_ = this->problem_.zero_params();
  for (Params<S>* factor : {&factor_a_, &factor_g_, &inverse_a_, &inverse_g_}) {
    factor->assign(T, Vec<S>());
  }
  for (Index t = 0; t < T; ++t)
    if (factored(t)) {
      const KroneckerShape shape = this->problem_.layer(t).kronecker_shape();
      const Index n = shape.inputs + 1, m = shape.outputs;
      factor_a_[t] = inverse_a_[t] = Vec<S>::Zero(n * n);
      factor_g_[t] = inverse_g_[t] = Vec<S>::Zero(m * m);
    }
  grad_ = running_ = this->problem_.zero_params();
  damping_.assign(1, Vec<S>::Constant(1, S(configured_damping())));
  reduction_ratio_ = std::numeric_limits<double>::quiet_NaN();
  updates_ = 0;
}

template <class S>
double DdpTrainer<S>::configured_damping() const {
  return ddp_.curvature == DdpCurvature::Diagonal ? ddp_.lambda
         : ddp_.curvature == DdpCurvature::Kfac   ? ddp_.damping
                                                  : 0.0;
}

template <class S>
double DdpTrainer<S>::damping() const {
  return double(damping_[0][0]);
}

template <class S>
std::vector<std::pair<std::string, Params<S>*>> DdpTrainer<S>::controller_state() {
  if (ddp_.curvature == DdpCurvature::Identity) return {};
  std::vector<std::pair<std::string, Params<S>*>> state{{"ddp_v", &second_moment_}};
  if (ddp_.adaptive_damping) state.emplace_back("ddp_damping", &damping_);
  if (ddp_.curvature == DdpCurvature::Kfac)
    state.insert(state.end(), {{"ddp_kfac_a", &factor_a_},
                               {"ddp_kfac_g", &factor_g_},
                               {"ddp_kfac_a_inverse", &inverse_a_},
                               {"ddp_kfac_g_inverse", &inverse_g_}});
  return state;
}

template <class S>
template <class Call>
void DdpTrainer<S>::for_shards(Call&& call) {
  const int count = static_cast<int>(shards_.size());
  if (count == 1) return call(shards_.front());
#pragma omp parallel for num_threads(count) schedule(static, 1)
  for (int k = 0; k < count; ++k) call(shards_[k]);
}

template <class S>
void DdpTrainer<S>::forward(Index t, Records records, Workspace<S>& ws) {
  const Layer<S>& layer = this->problem_.layer(t);
  for_shards([&](Shard& s) {
    layer.forward(*(s.*records)[t], ws.states[t].middleRows(s.begin, s.rows), this->theta_[t],
                  ws.states[t + 1].middleRows(s.begin, s.rows));
  });
}

template <class S>
void DdpTrainer<S>::vjp(Index t, CMatRef<S> p_next, Mat<S>* p, Vec<S>* g) {
  const Layer<S>& layer = this->problem_.layer(t);
  const bool one = shards_.size() == 1;
  for_shards([&](Shard& s) {
    Mat<S> no_costate(0, layer.input_size());
    Vec<S> no_gradient;
    if (g && !one) s.grad.resize(layer.num_params());
    layer.vjp(*s.nominal[t], nominal_.states[t].middleRows(s.begin, s.rows), this->theta_[t],
              p_next.middleRows(s.begin, s.rows),
              p ? MatRef<S>(p->middleRows(s.begin, s.rows)) : MatRef<S>(no_costate),
              !g    ? VecRef<S>(no_gradient)
              : one ? VecRef<S>(*g)
                    : VecRef<S>(s.grad));
  });
  if (g && !one) {
    *g = shards_.front().grad;
    for (std::size_t k = 1; k < shards_.size(); ++k) *g += shards_[k].grad;
  }
}

template <class S>
void DdpTrainer<S>::jvp(Index t, CVecRef<S> dtheta, Mat<S>& dy) {
  const Layer<S>& layer = this->problem_.layer(t);
  for_shards([&](Shard& s) {
    layer.jvp(*s.nominal[t], nominal_.states[t].middleRows(s.begin, s.rows), this->theta_[t],
              Mat<S>::Zero(s.rows, layer.input_size()), dtheta, dy.middleRows(s.begin, s.rows));
  });
}

template <class S>
bool DdpTrainer<S>::factored(Index t) const {
  return ddp_.curvature == DdpCurvature::Kfac &&
         this->problem_.layer(t).kronecker_shape().factored();
}

template <class S>
void DdpTrainer<S>::update_kronecker_factors(Index t, Index B) {
  const Layer<S>& layer = this->problem_.layer(t);
  const KroneckerShape shape = layer.kronecker_shape();
  const Index n = shape.inputs, m = shape.outputs;
  Eigen::Map<Mat<S>> A(factor_a_[t].data(), n + 1, n + 1), G(factor_g_[t].data(), m, m);
  if ((updates_ - 1) % ddp_.stats_every == 0) collect_kronecker_statistics(t, B, A, G);
  if ((updates_ - 1) % ddp_.inverse_every != 0) return;
  const double trace_a = A.trace() / double(n + 1), trace_g = G.trace() / double(m),
               pi = trace_a > 0 && trace_g > 0 ? std::sqrt(trace_a / trace_g) : 1.0,
               root = std::sqrt(damping());
  auto damped_inverse = [](const Eigen::Map<Mat<S>>& F, double gamma, Vec<S>& inverse) {
    const Index k = F.rows();
    Mat<S> damped = F;
    damped.diagonal().array() += S(gamma);
    Eigen::Map<Mat<S>>(inverse.data(), k, k) = damped.llt().solve(Mat<S>::Identity(k, k));
  };
  damped_inverse(A, pi * root, inverse_a_[t]);
  damped_inverse(G, root / pi, inverse_g_[t]);
}

template <class S>
void DdpTrainer<S>::collect_kronecker_statistics(Index t, Index B, Eigen::Map<Mat<S>>& A,
                                                 Eigen::Map<Mat<S>>& G) {
  // The first update sets the averages (an average started at 0 would undo the damping's scale).
  const S keep = updates_ == 1 ? S(0) : S(ddp_.alpha), add = 1 - keep;
  const Layer<S>& layer = this->problem_.layer(t);
  const Index n = A.rows() - 1, m = G.rows();
  // The B·P rows x̄ = [x̃; 1] and their δ = φ′(a) ⊙ p_{t+1}, left by this step's vjp of layer t;
  // lower triangles only (the Cholesky factorisation reads no more): half the flops.
  A *= keep;
  G *= keep;
  Index rows = 0;
  for_shards([&](Shard& s) {
    layer.kronecker_rows(*s.nominal[t], nominal_.states[t].middleRows(s.begin, s.rows), s.patches,
                         s.deltas);
    if (shards_.size() == 1) return;
    s.moment_a.setZero(n + 1, n + 1);
    s.moment_a.template selfadjointView<Eigen::Lower>().rankUpdate(s.patches.transpose());
    s.moment_g.setZero(m, m);
    s.moment_g.template selfadjointView<Eigen::Lower>().rankUpdate(s.deltas.transpose());
  });
  for (const Shard& s : shards_) rows += s.patches.rows();
  if (shards_.size() == 1) {
    const Shard& s = shards_.front();
    A.template selfadjointView<Eigen::Lower>().rankUpdate(s.patches.transpose(), add / S(rows));
    G.template selfadjointView<Eigen::Lower>().rankUpdate(s.deltas.transpose(), add * S(B));
  } else {
    for (const Shard& s : shards_) {
      A.template triangularView<Eigen::Lower>() += (add / S(rows)) * s.moment_a;
      G.template triangularView<Eigen::Lower>() += (add * S(B)) * s.moment_g;
    }
  }
}

template <class S>
void DdpTrainer<S>::apply_inverse_curvature(Index t, double lr, const Vec<S>& in,
                                            Vec<S>& out) const {
  if (ddp_.curvature == DdpCurvature::Identity) {
    out = S(lr) * in;
  } else if (factored(t)) {
    // η G⁻¹ [V_W | v_b] A⁻¹, back into θ's layout [W row-major, b].
    const KroneckerShape shape = this->problem_.layer(t).kronecker_shape();
    const Index n = shape.inputs, m = shape.outputs;
    Mat<S> V(m, n + 1);
    V << Eigen::Map<const Mat<S>>(in.data(), m, n), in.tail(m);
    const Mat<S> R = S(lr) * Eigen::Map<const Mat<S>>(inverse_g_[t].data(), m, m) * V *
                     Eigen::Map<const Mat<S>>(inverse_a_[t].data(), n + 1, n + 1);
    out.resize(in.size());
    Eigen::Map<Mat<S>>(out.data(), m, n) = R.leftCols(n);
    out.tail(m) = R.col(n);
  } else {
    out = S(lr) * in.cwiseQuotient((second_moment_[t].array().sqrt() + damping_[0][0]).matrix());
  }
}

template <class S>
void DdpTrainer<S>::rank_one_value_hessian(CMatRef<S> Y) {
  const Problem<S>& problem = this->problem_;
  const Index B = Y.rows(), T = problem.num_layers();
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
  // ẑ_t for t = T−1..1 (at t = 0 the state deviation is 0): input costates only.
  for (Index t = T - 1; t >= 1; --t) {
    z_hat_[t].resize(B, problem.layer(t).input_size());
    vjp(t, z_hat_[t + 1], &z_hat_[t], nullptr);
  }
}

template <class S>
void DdpTrainer<S>::adapt_damping(double cost_before, double cost_after, double expected_change) {
  reduction_ratio_ = (cost_after - cost_before) / expected_change;
  const double omega = std::pow(19.0 / 20.0, ddp_.inverse_every);
  double mu = damping();
  if (!(reduction_ratio_ >= 0.25))  // NaN and ±inf included
    mu = std::min(mu / omega, 1e8);
  else if (reduction_ratio_ > 0.75)
    mu = std::max(mu * omega, configured_damping());
  damping_[0][0] = S(mu);
}

template <class S>
StepReport DdpTrainer<S>::step(CMatRef<S> X, CMatRef<S> Y) {
  const Problem<S>& problem = this->problem_;
  const Index B = X.rows(), T = problem.num_layers();
  const int threads = omp_get_max_threads();
  if (nominal_.batch != B || shard_threads_ != threads) {
    nominal_ = problem.make_workspace(B);
    feedback_ = problem.make_workspace(B);
    nominal_.layer_data.clear();  // the records live in the shards
    feedback_.layer_data.clear();
    const Index count = shard_count(problem, B, threads);
    shards_.clear();
    shards_.resize(count);
    for (Index k = 0; k < count; ++k) {
      Shard& s = shards_[k];
      s.begin = B * k / count;
      s.rows = B * (k + 1) / count - s.begin;
      for (Index t = 0; t < T; ++t) {
        s.nominal.push_back(problem.layer(t).make_data(s.rows));
        s.feedback.push_back(problem.layer(t).make_data(s.rows));
      }
    }
    shard_threads_ = threads;
  }
  StepReport r;
  r.epoch = this->epoch_;
  r.lr = this->options_.schedule.at(this->steps_, this->epoch_);
  // 1. Nominal pass; the terminal costate p_T = −∇Φ/B and the running cost's gradient.
  nominal_.states[0] = X;
  for (Index t = 0; t < T; ++t) forward(t, &Shard::nominal, nominal_);
  r.loss = problem.cost(nominal_, Y, this->theta_);
  problem.terminal_costate(nominal_, Y);
  const bool running_cost = problem.has_running_cost();
  if (running_cost) {
    for (Vec<S>& part : running_) part.setZero();
    problem.add_running_cost_gradient(this->theta_, running_);
  }
  r.step = ++this->steps_;
  ++updates_;
  // 2. Rank-one terminal curvature and its costate recursion ẑ_t = f_xᵀ ẑ_{t+1}.
  if (ddp_.feedback) rank_one_value_hessian(Y);
  // 3. The backward pass: Q_u,t = ∇_{θ_t} J from V'_x = −p_{t+1}, the curvature statistics of
  // layer t, and with the value update V_x,t = Q_x + Q_uxᵀ k_t, i.e. p_t^(i) −= c_i (ẑ_{t+1}^(i) ·
  // f_u k_t) ẑ_t^(i) (f_u k_t by the layer's jvp with dx = 0).
  // Step 5 on the update before the KFAC inverses are refreshed: ΔV = −½ Σ_t Q_uᵀ M_t⁻¹ Q_u.
  const bool adapting = ddp_.adaptive_damping && updates_ % ddp_.inverse_every == 0;
  double expected_change = 0;
  Vec<S> step_t;
  for (Index t = T - 1; t >= 0; --t) {
    const Layer<S>& layer = problem.layer(t);
    vjp(t, nominal_.costates[t + 1], t > 0 ? &nominal_.costates[t] : nullptr, &grad_[t]);
    grad_[t] = -grad_[t];
    if (running_cost) grad_[t] += running_[t];
    if (ddp_.curvature != DdpCurvature::Identity)
      second_moment_[t] =
          S(ddp_.alpha) * second_moment_[t] + S(1 - ddp_.alpha) * grad_[t].cwiseProduct(grad_[t]);
    if (factored(t)) update_kronecker_factors(t, B);
    const bool value_update = ddp_.feedback && ddp_.value_update && t > 0;
    if (adapting || value_update) apply_inverse_curvature(t, r.lr, grad_[t], step_t);  // −k_t
    if (adapting) expected_change -= 0.5 * double(grad_[t].dot(step_t));
    if (value_update) {
      Mat<S> moved(B, layer.output_size());
      jvp(t, -step_t, moved);
      const Vec<S> a = moved.cwiseProduct(z_hat_[t + 1]).rowwise().sum();
      nominal_.costates[t].array() -= z_hat_[t].array().colwise() * (c_.array() * a.array());
    }
  }
  r.grad_norm = params_norm(grad_);
  if (!std::isfinite(r.loss) || !std::isfinite(r.grad_norm)) return r;
  if (!ddp_.feedback) {  // θ_t ← θ_t + k_t
    for (Index t = 0; t < T; ++t) {
      apply_inverse_curvature(t, r.lr, grad_[t], step_t);
      this->theta_[t] -= step_t;
    }
    if (adapting) {
      feedback_.states[0] = X;
      for (Index t = 0; t < T; ++t) forward(t, &Shard::feedback, feedback_);
      adapt_damping(r.loss, problem.cost(feedback_, Y, this->theta_), expected_change);
    }
    return r;
  }
  // 4. Feedback forward pass on the nominal records.
  feedback_.states[0] = X;
  Vec<S> feedback_term, corrected;
  Mat<S> weighted;
  for (Index t = 0; t < T; ++t) {
    // δu_t = k_t + Σ_i K_t^(i) δx^(i) = −M⁻¹ (Q_u + f_uᵀ[c_i a_i ẑ_{t+1}^(i)]_i): one product with
    // M⁻¹ (it is linear).
    corrected = grad_[t];
    if (t > 0) {
      // a_i = ẑ_t^(i) · δx^(i); the feedback sums f_uᵀ[c_i a_i ẑ_{t+1}^(i)] over the batch.
      const Vec<S> a =
          ((feedback_.states[t] - nominal_.states[t]).cwiseProduct(z_hat_[t])).rowwise().sum();
      weighted = z_hat_[t + 1].array().colwise() * (c_.array() * a.array());
      feedback_term.resize(problem.layer(t).num_params());
      vjp(t, weighted, nullptr, &feedback_term);
      corrected += feedback_term;
    }
    apply_inverse_curvature(t, r.lr, corrected, step_t);
    this->theta_[t] -= step_t;
    forward(t, &Shard::feedback, feedback_);
  }
  if (adapting) adapt_damping(r.loss, problem.cost(feedback_, Y, this->theta_), expected_change);
  return r;
}

template class DdpTrainer<float>;
template class DdpTrainer<double>;

}  // namespace deepctl
