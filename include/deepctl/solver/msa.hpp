// The method of successive approximations (REFERENCE F9; Li, Chen, Tai & E 2018): a forward
// pass for the states, a backward pass for the costates, then each layer maximises its own
// (augmented) Hamiltonian with x and p frozen, independently of the others:
//
//   H̃_t(θ) = Σ_s [ p_{t+1}^s·f_t(x_t^s, θ) − (ρ/2)‖x_{t+1}^s − f_t(x_t^s, θ)‖²
//                                           − (ρ/2)‖p_t^s − ∂_x f_t(x_t^s, θ)ᵀ p_{t+1}^s‖² ] −
//                                           R_t(θ)
//
// ρ = 0 is basic MSA; ρ > 0 is E-MSA, whose penalties keep the update where the frozen x and p
// stay valid (the error estimate of F9). p is ours (p_T = −(1/B)∇Φ) and the penalties are
// summed over the batch, the official code's normalisation: its ρ = 1.0 (toy, B = 100) and
// 0.03 (MNIST, B = 128) belong to those batch sizes.
//
// The gradient has a closed form for dense and residual-dense layers (F9 (b)): with
// a = Wx + b, e = x_{t+1} − f, u = φ′(a) ⊙ p_{t+1}, r = p_t − Wᵀu (residual: p_t − p_{t+1} −
// Wᵀu, with φ′, u, v scaled by h) and v = (W r) ⊙ φ″(a) ⊙ p_{t+1},
//   ∇_W H̃ = Σ_s [(φ′(a) ⊙ (p_{t+1} + ρe)) xᵀ + ρ(u rᵀ + v xᵀ)] − λW,   ∇_b H̃ = Σ_s [φ′(a) ⊙
//   (p_{t+1} + ρe) + ρv] − λb.
// At θ_t itself e = r = 0, so ∇H̃ = ∇H = −∇J: one inner gradient step is a gradient step.
//
// With a start perturbation a > 0 (the authors' perturb_init), each layer's inner maximisation
// starts at θ_t + a·ξ, ξ_i ~ U(−1, 1) drawn from Rng(noise_seed).split(step).split(t). Their
// zero-initialised toy needs it: there every layer's H̃_t is symmetric in the copies of the
// input, so a maximisation started on the symmetric subspace never leaves it.
// Layers without parameters are skipped; other parameterised kinds raise InputError.
#pragma once

#include <cstdint>
#include <string>

#include "deepctl/solver/minibatch_trainer.hpp"

namespace deepctl {

enum class MsaInner { GradientAscent, Lbfgs };

struct MsaOptions {
  double rho = 0.0;       // ρ; 0 is basic MSA
  int inner_steps = 10;   // inner maximisation iterations per layer and minibatch
  double inner_lr = 0.1;  // step of the inner gradient ascent on H̃_t (unused by L-BFGS)
  MsaInner inner = MsaInner::GradientAscent;  // or L-BFGS on −H̃_t, the authors' choice
  double perturbation = 0.0;                  // a, the inner start's perturbation (see the top)
  std::uint64_t noise_seed = 0;               // its draws; MsaTrainer derives it from its seed

  // inner_steps ≥ 1, inner_lr > 0, ρ ≥ 0 and a ≥ 0.
  bool valid() const { return inner_steps >= 1 && inner_lr > 0 && rho >= 0 && perturbation >= 0; }
  // "gradient" or "lbfgs"; InputError otherwise.
  static MsaInner parse_inner(const std::string& text);
};

// H̃_t at θ_t on the trajectory (after rollout and adjoint with input costate); with grad
// also ∇_θ H̃_t (dense and residual-dense layers).
template <class S>
double augmented_hamiltonian(const Problem<S>& problem, const Workspace<S>& trajectory, Index t,
                             CVecRef<S> theta_t, double rho, Vec<S>* grad = nullptr);

// One MSA iteration on the batch (X, Y): rollout, adjoint, then every layer's inner ascent on
// H̃_t from its current θ_t (perturbed by draw `step` when options.perturbation > 0). Returns
// J(θ) before the update; with grad_norm also ‖∇J(θ)‖.
template <class S>
double msa_step(const Problem<S>& problem, CMatRef<S> X, CMatRef<S> Y, Params<S>& theta,
                const MsaOptions& options, double* grad_norm = nullptr, std::uint64_t step = 0);

// The minibatch loop (minibatch_trainer.hpp) with msa_step as the update; the inner ascent
// restarts at every step and its perturbation is a function of the step count, so the
// controller has no state to checkpoint. StepReport.lr is the inner step.
template <class S>
class MsaTrainer final : public MinibatchTrainer<S> {
 public:
  MsaTrainer(const Problem<S>& problem, const Dataset& train, const Dataset* test,
             TrainerOptions options, MsaOptions msa);
  StepReport step(CMatRef<S> X, CMatRef<S> Y) override;
  const MsaOptions& msa_options() const { return msa_; }

 private:
  static constexpr std::uint64_t kStartStream = 0x35A;  // the seed's stream for the perturbation
  MsaOptions msa_;
};

}  // namespace deepctl
