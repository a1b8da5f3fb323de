#include "deepctl/solver/vanilla_ddp.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

struct Stage {
  Mat<double> Fx;  // (B n_{t+1}) × (B n_t), block diagonal
  Mat<double> Fu;  // (B n_{t+1}) × m_t
  Mat<double> K;   // m_t × (B n_t)
  Vec<double> k;   // m_t
};

// s = vec of the rows of x (sample after sample).
Vec<double> stacked(CMatRef<double> x) {
  Vec<double> s(x.size());
  for (Index i = 0; i < x.rows(); ++i) s.segment(i * x.cols(), x.cols()) = x.row(i).transpose();
  return s;
}

}  // namespace

VanillaDdpResult vanilla_ddp_iteration(const Problem<double>& problem, CMatRef<double> X,
                                       CMatRef<double> Y, Params<double>& theta, double& mu,
                                       double mu_min) {
  if (problem.time_smoothness() > 0)
    throw InputError("vanilla DDP: the time-smoothness running cost couples the controls");
  if (!(mu >= 0) || !(mu_min >= 0)) throw InputError("vanilla DDP: mu must be >= 0");
  const Index B = X.rows(), T = problem.num_layers();
  const double lambda = problem.l2();
  Workspace<double> ws = problem.make_workspace(B);
  VanillaDdpResult r;
  r.cost_before = problem.rollout(ws, X, Y, theta);
  // Jacobians of each layer at the nominal trajectory, by jvp.
  std::vector<Stage> stages(T);
  for (Index t = 0; t < T; ++t) {
    const Layer<double>& layer = problem.layer(t);
    const Index n = layer.input_size(), n_next = layer.output_size(), m = layer.num_params();
    Stage& st = stages[t];
    st.Fx = Mat<double>::Zero(B * n_next, B * n);
    st.Fu.resize(B * n_next, m);
    Mat<double> dx = Mat<double>::Zero(B, n), dy(B, n_next);
    const Vec<double> no_dtheta = Vec<double>::Zero(m);
    for (Index j = 0; j < n; ++j) {
      dx.setZero();
      dx.col(j).setOnes();
      layer.jvp(*ws.layer_data[t], ws.states[t], theta[t], dx, no_dtheta, dy);
      for (Index i = 0; i < B; ++i)
        st.Fx.block(i * n_next, i * n + j, n_next, 1) = dy.row(i).transpose();
    }
    dx.setZero();
    Vec<double> dtheta = Vec<double>::Zero(m);
    for (Index j = 0; j < m; ++j) {
      dtheta.setZero();
      dtheta[j] = 1;
      layer.jvp(*ws.layer_data[t], ws.states[t], theta[t], dx, dtheta, dy);
      st.Fu.col(j) = stacked(dy);
    }
  }
  // Terminal value.
  const Index k_out = problem.output_shape().size();
  Vec<double> Vx_T(B * k_out);
  Mat<double> Vxx_T = Mat<double>::Zero(B * k_out, B * k_out), G(k_out, k_out);
  problem.loss().gradient(ws.output(), Y, ws.loss_gradient);
  for (Index i = 0; i < B; ++i) {
    Vx_T.segment(i * k_out, k_out) = ws.loss_gradient.row(i).transpose() / double(B);
    problem.loss().gauss_newton(ws.output().row(i).transpose(), Y.row(i).transpose(), G);
    Vxx_T.block(i * k_out, i * k_out, k_out, k_out) = G / double(B);
  }
  // Backward pass, restarted with a larger μ when Q_uu + μI is not positive definite.
  double dV1 = 0, dV2 = 0;  // Σ kᵀQ_u, Σ kᵀQ_uu k
  for (bool factored = false; !factored;) {
    Vec<double> Vx = Vx_T;
    Mat<double> Vxx = Vxx_T;
    dV1 = dV2 = 0;
    factored = true;
    for (Index t = T - 1; t >= 0; --t) {
      Stage& st = stages[t];
      const Vec<double> Qx = st.Fx.transpose() * Vx;
      const Vec<double> Qu = lambda * theta[t] + st.Fu.transpose() * Vx;
      const Mat<double> VxxFx = Vxx * st.Fx, VxxFu = Vxx * st.Fu;
      const Mat<double> Qxx = st.Fx.transpose() * VxxFx;
      Mat<double> Quu = st.Fu.transpose() * VxxFu;
      Quu.diagonal().array() += lambda + mu;
      const Mat<double> Qux = st.Fu.transpose() * VxxFx;
      Eigen::LLT<Eigen::MatrixXd> llt(Quu);
      if (llt.info() != Eigen::Success) {
        mu = std::max(10 * mu, 1e-9);
        if (mu > 1e9) return r;  // no descent direction: θ unchanged, alpha 0
        factored = false;
        break;
      }
      st.k = -llt.solve(Qu);
      st.K = -llt.solve(Qux);
      dV1 += st.k.dot(Qu);
      dV2 += st.k.dot(Quu * st.k);
      Vx = Qx + st.K.transpose() * (Quu * st.k) + st.K.transpose() * Qu + Qux.transpose() * st.k;
      Vxx = Qxx + st.K.transpose() * Quu * st.K + st.K.transpose() * Qux + Qux.transpose() * st.K;
      Vxx = 0.5 * (Vxx + Vxx.transpose());
    }
  }
  // Forward pass with the line search.
  Workspace<double> trial = problem.make_workspace(B);
  for (double alpha = 1.0; alpha >= 1.0 / 512; alpha /= 2) {
    Params<double> candidate = theta;
    trial.states[0] = X;
    for (Index t = 0; t < T; ++t) {
      if (stages[t].k.size() > 0)
        candidate[t] +=
            alpha * stages[t].k + stages[t].K * (stacked(trial.states[t]) - stacked(ws.states[t]));
      problem.layer(t).forward(*trial.layer_data[t], trial.states[t], candidate[t],
                               trial.states[t + 1]);
    }
    const double cost = problem.rollout(trial, X, Y, candidate);
    const double expected = -(alpha * dV1 + 0.5 * alpha * alpha * dV2);
    if (std::isfinite(cost) && r.cost_before - cost > 0.1 * expected) {
      theta = std::move(candidate);
      r.cost_after = cost;
      r.expected_decrease = expected;
      r.alpha = alpha;
      if (alpha > 0.5)
        mu = std::max(mu / 10, mu_min);
      else if (alpha <= 1.0 / 64)
        mu = std::min(10 * std::max(mu, 1e-9), 1e9);
      r.mu = mu;
      return r;
    }
  }
  mu = std::min(10 * std::max(mu, 1e-9), 1e9);
  r.cost_after = r.cost_before;
  r.mu = mu;
  return r;
}

VanillaDdpTrainer::VanillaDdpTrainer(const Problem<double>& problem, const Dataset& train,
                                     const Dataset* test, TrainerOptions options, double mu_min)
    : MinibatchTrainer<double>(problem, train, test, options), mu_min_(mu_min) {
  if (!(mu_min >= 0)) throw InputError("vanilla_ddp: need vanilla_ddp_mu >= 0");
  if (problem.time_smoothness() > 0)
    throw InputError("vanilla DDP: the time-smoothness running cost couples the controls");
  reset_controller();
}

void VanillaDdpTrainer::reset_controller() {
  mu_ = {Vec<double>::Constant(1, mu_min_)};
}

StepReport VanillaDdpTrainer::step(CMatRef<double> X, CMatRef<double> Y) {
  StepReport r;
  r.epoch = epoch_;
  r.lr = 0;
  // J and ‖∇J‖ before the iteration, for the step's report (a pass next to DDP's (Bn)³ cost).
  r.loss = minibatch_gradient(X, Y, theta_, grad_);
  r.grad_norm = params_norm(grad_);
  r.step = ++steps_;
  if (!std::isfinite(r.loss) || !std::isfinite(r.grad_norm)) return r;
  double mu = mu_[0][0];
  vanilla_ddp_iteration(problem_, X, Y, theta_, mu, mu_min_);
  mu_[0][0] = mu;
  return r;
}

}  // namespace deepctl
