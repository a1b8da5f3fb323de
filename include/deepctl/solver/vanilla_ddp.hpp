// Vanilla DDP on a whole (small) batch, the reference of REFERENCE F11 (c) for tiny networks
// and the LQR problem (docs/ddp.md). The batch is stacked into one state s_t = (x_t^(1), …,
// x_t^(B)) ∈ R^{B n_t}; the control u_t = θ_t is shared by all samples. Gauss–Newton expansion
// (the layers' second derivatives dropped), with f_x (block diagonal over samples) and f_u
// formed by jvp on the basis directions, ℓ_t the L2 running cost (λ/2)‖u‖², and the terminal
// V_T = (1/B) Σ_i Φ^(i): V_x = (1/B)∇Φ, V_xx = (1/B) blockdiag(∇²_GN Φ^(i)).
//   Q_x = f_xᵀV'_x,  Q_u = λu + f_uᵀV'_x,  Q_xx = f_xᵀV'_xx f_x,  Q_uu = λI + f_uᵀV'_xx f_u + μI,
//   Q_ux = f_uᵀV'_xx f_x;   k = −Q_uu⁻¹Q_u,  K = −Q_uu⁻¹Q_ux
//   V_x = Q_x + KᵀQ_uu k + KᵀQ_u + Q_uxᵀk,   V_xx = Q_xx + KᵀQ_uu K + KᵀQ_ux + Q_uxᵀK
// Q_uu + μI is factored by Cholesky; on failure μ ← max(10μ, 1e−9) and the backward pass
// restarts. The forward pass tries α = 1, ½, …, 1/512: u_t ← u_t + αk_t + K_t(ŝ_t − s_t) and
// accepts the first α whose actual decrease exceeds 0.1 × the expected one
// −(α Σ kᵀQ_u + ½α² Σ kᵀQ_uu k); then μ ← max(μ/10, μ_min) if α > ½ (or 0 when it already is
// μ_min and μ_min = 0), and μ ← 10μ if α ≤ 1/64 (Crocoddyl's defaults, μ ∈ [μ_min, 10⁹]).
// With linear layers and quadratic costs (the LQR) the expansion is exact and one iteration
// with μ = 0 lands on the optimum. Costs grow as (B n)³: for tiny networks only.
#pragma once

#include "deepctl/problem/problem.hpp"
#include "deepctl/solver/minibatch_trainer.hpp"

namespace deepctl {

struct VanillaDdpResult {
  double cost_before = 0, cost_after = 0;
  double expected_decrease = 0;  // at the accepted α
  double alpha = 0;              // 0: no step was accepted
  double mu = 0;                 // the regularisation after the iteration
};

// One DDP iteration on (X, Y): θ is updated in place when a step is accepted; `mu` is the
// Levenberg–Marquardt term carried from one iteration to the next (start with 0 for the exact
// Newton step, or a small positive value). InputError on a problem with a time-smoothness cost.
VanillaDdpResult vanilla_ddp_iteration(const Problem<double>& problem, CMatRef<double> X,
                                       CMatRef<double> Y, Params<double>& theta, double& mu,
                                       double mu_min = 0.0);

// Vanilla DDP as a trainer (`optimizer = "vanilla_ddp"`, float64): one iteration above per
// minibatch, with μ carried from step to step (the controller state, checkpointed), starting at
// and floored by mu_min (`vanilla_ddp_mu`). The floor matters: near-exact Gauss–Newton steps
// (μ → 0) fit each minibatch and diverge as a stochastic method (on 400 DIGITS samples, 8 tanh
// units, batch 16: test accuracy 0.39 at μ ≥ 1e-9, 0.79 at 0.1, 0.93 at 1). The learning rate
// goes unused (the line search picks the step); a step that no α improves leaves θ as it was
// (and has raised μ). For tiny networks: (B n)³ per layer and step.
class VanillaDdpTrainer final : public MinibatchTrainer<double> {
 public:
  // InputError unless mu_min >= 0.
  VanillaDdpTrainer(const Problem<double>& problem, const Dataset& train, const Dataset* test,
                    TrainerOptions options, double mu_min = 1.0);
  StepReport step(CMatRef<double> X, CMatRef<double> Y) override;
  std::vector<std::pair<std::string, Params<double>*>> controller_state() override {
    return {{"vanilla_ddp_mu", &mu_}};
  }

 private:
  void reset_controller() override;
  double mu_min_;
  Params<double> mu_;    // one layer of one value: μ
  Params<double> grad_;  // ∇J, for the step's report
};

}  // namespace deepctl
