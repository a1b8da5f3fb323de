// Update policies of the gradient-adjoint trainer: how θ moves given g = ∇_θ J (from the costate
// pass) and the learning rate η of the current step. Per layer, elementwise:
//
//   sgd        θ ← θ − η g
//   momentum   v ← μ v + g;           θ ← θ − η v                 (heavy ball, PyTorch form)
//   nesterov   v ← μ v + g;           θ ← θ − η (g + μ v)         (Sutskever et al. 2013)
//   adam       m ← β₁ m + (1−β₁) g;   v ← β₂ v + (1−β₂) g²;  k ← k + 1
//              θ ← θ − η [ m/(1−β₁^k) / (√(v/(1−β₂^k)) + ε) + λ_wd θ ]
//              (Kingma & Ba 2015; decoupled weight decay λ_wd of Loshchilov & Hutter 2019)
//   adagrad    G ← G + g²;   θ ← θ − η g/(√G + ε)      (Duchi, Hazan & Singer 2011, PyTorch's
//              form; G starts at adagrad_initial: PyTorch's default 0, TensorFlow 1's 0.1, which
//              the E-MSA authors' baselines used)
//   pid        I ← μ I + g;   D ← μ D + (1−μ)(g − g_prev);   θ ← θ − η (g + K_i I + K_d D);
//              g_prev ← g     (An et al. 2018, the buffer form with the gradient difference the
//              paper intends; the official code never stores g_prev. At the first step
//              g_prev = g, so D starts at 0.)
//   csgd       controlled SGD (Li, Tai & E 2017; REFERENCE F16): per coordinate, exponential
//              averages with decay β of g and θ, their variances and covariance
//                ḡ, x̄ ← EMA;  Var g, Var x, Cov(g, x) ← EMA of the centred products
//                (the weighted Welford update, which stays accurate in float32)
//              estimate the local quadratic a = Cov(g, x)/Var x, the noise σ² = Var g and the
//              expected excess loss m = ½(ḡ² + Var g)/a; then
//                u_new = min(1, 2m/(η σ²)) if a > 0, else 1;   u ← β u + (1−β) u_new
//                β ← clip(β_min + (β_max − β_min) Var g/(ḡ² + Var g), β_min, β_max)
//                θ ← θ − η u g          (η = the schedule's rate, η_max of the paper; u₀ = u0)
//              in the order of the authors' code (LiQianxiao/cSGD-cMSGD): estimates, the step
//              with the current u, then u and β. u applies the SME's optimal feedback
//              u* = min(1, 2m/(ησ²)) (sde/lr_control.hpp) with these estimates. Since
//              Var g ≥ σ² + a² Var x, the estimate m ≥ σ²/(2a), so u_new ≥ 1/(aη): a coordinate
//              anneals only where aη > 1, and elsewhere u climbs to 1, which is what makes the
//              final accuracy insensitive to u₀. Unlike the authors' code, which starts the
//              means at 0, the averages start at the first values (no start-up transient);
//              u stays at u₀ until Var x > 0.
//   cmsgd      controlled momentum SGD, the same estimates and order, then
//                v ← μ v − η g;   θ ← θ + v     (μ₀ = momentum)
//                μ_new = max(0, min(1 − 2√(η a), 1 − ησ²/(4m))) if a > 0, else 1
//                μ ← β μ + (1−β) μ_new
//   sgld       stochastic gradient Langevin dynamics (Welling & Teh 2011; REFERENCE F24): with
//              N training samples, the log posterior is −N·J (likelihood e^{−ΣΦ}, the L2 running
//              cost a Gaussian prior N(0, I/(Nλ))), so SGLD's Δθ = (ε/2)∇ln p + N(0, ε) is, with
//              η = εN/2 and temperature T,
//                θ ← θ − η g + √(2ηT/N) ξ,   ξ ~ N(0, I)
//              whose stationary law for small η is ∝ exp(−N J(θ)/T), the posterior at T = 1.
//   psgld      preconditioned SGLD (Li et al. 2016), the RMSprop preconditioner, Γ dropped:
//                V ← αV + (1−α) g²;  G = 1/(λ + √V);  θ ← θ − η G g + √(2ηT/N) √G ξ
//              ξ is drawn from Rng(noise_seed).split(k).split(t) at update k, layer t, so a run
//              resumes exactly without storing a generator.
//
// Read as control: each policy is a feedback law from the measured gradient to the control
// increment (REFERENCE F12); its buffers are the controller's state and are checkpointed.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "deepctl/core/types.hpp"

namespace deepctl {

enum class UpdateKind { SGD, Momentum, Nesterov, Adam, Adagrad, PID, CSGD, CMSGD, SGLD, PSGLD };

struct UpdateOptions {
  UpdateKind kind = UpdateKind::Adam;
  double momentum = 0.9;      // μ
  double beta1 = 0.9;         // β₁
  double beta2 = 0.999;       // β₂
  double epsilon = 1e-8;      // ε (adam, adagrad)
  double weight_decay = 0.0;  // λ_wd, decoupled (adam only)
  double ki = 5.0;            // K_i (pid)
  double kd = 10.0;           // K_d (pid)
  double u0 = 1.0;            // initial learning-rate multiplier u₀ (csgd)
  double beta_min = 0.9;      // bounds of the adaptive averaging decay β (csgd, cmsgd)
  double beta_max = 0.99;
  double temperature = 1.0;      // T of sgld/psgld (0: no injected noise)
  double psgld_alpha = 0.99;     // α, the preconditioner's average (psgld)
  double psgld_lambda = 1e-5;    // λ, its floor (psgld)
  double adagrad_initial = 0.0;  // G's start (adagrad)
  Index data_size = 0;           // N of sgld/psgld; the trainer sets it to its training set's size
  std::uint64_t noise_seed = 0;  // sgld/psgld; the trainer derives it from its seed

  static UpdateKind parse_kind(const std::string& text);
  static std::string kind_name(UpdateKind kind);
};

template <class S>
class UpdatePolicy {
 public:
  UpdatePolicy(const UpdateOptions& options, const Params<S>& like);

  void apply(Params<S>& theta, const Params<S>& grad, double lr);

  const UpdateOptions& options() const { return options_; }
  // The controller state by name ("velocity", "adam_m", "adam_v", ...), for checkpoints.
  std::vector<std::pair<std::string, Params<S>*>> state();
  long updates() const { return updates_; }
  void set_updates(long k) { updates_ = k; }

 private:
  // One csgd/cmsgd update of layer t: estimates, step, control and β (see the top).
  void controlled_step(std::size_t t, Vec<S>& theta, const Vec<S>& grad, S eta);

  UpdateOptions options_;
  std::vector<std::string> names_;  // one buffer per name, in this order (see state_names)
  std::vector<Params<S>> buffers_;
  long updates_ = 0;  // k, Adam's bias-correction count; 1 marks the first step everywhere
};

// The names of a policy's buffers, which are also their checkpoint keys.
std::vector<std::string> state_names(UpdateKind kind);

}  // namespace deepctl
