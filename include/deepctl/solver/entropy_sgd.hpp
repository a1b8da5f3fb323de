// Entropy-SGD (Chaudhari et al. 2017; REFERENCE F22): descent on the local entropy
//   F(x; γ) = ln ∫ exp(−f(x′) − (γ/2)‖x − x′‖²) dx′,   −∇F = γ(x − ⟨x′⟩),
// the mean under the local Gibbs measure estimated by an inner SGLD loop, as the authors' code:
//   x′ ← x, μ ← x; L times, on a fresh minibatch each:
//     x′ ← x′ − η′[∇f_batch(x′) − γ(x − x′)] + √(2η′) ε ξ,   μ ← 0.75 μ + 0.25 x′
//   g = x − μ   (the code leaves out the paper's factor γ)
//   a Nesterov step on x with g (momentum μ_N = train.momentum, the schedule's rate);
//   γ_k = γ₀(1 + γ₁)^k at outer step k (scoping).
// L = 0 is plain Nesterov SGD (g = ∇f_batch(x)). One outer step costs L + 1 gradients. F is
// deep relaxation's Cole–Hopf solution with t = 1/γ, β = 1 (sde/relaxation.hpp).
// The inner minibatches and ξ come from Rng(seed) split by the outer step, so a run resumes
// exactly; γ is a function of the step count.
//
// The inner loop samples exp(−[f(x′) + (γ/2)‖x − x′‖²]/ε²), so its mean is the Cole–Hopf
// ⟨y⟩ at t = 1/γ, β = 1/ε²: E[γ(x − μ_L)] → cole_hopf_gradient(f, x, 1/γ, 1/ε²) as L grows and
// η′ → 0 (tested in 1-D). μ is an exponential average of weight 0.25, so a single μ_L keeps the
// spread of a few correlated inner iterates however large L is; only its mean converges.
#pragma once

#include <functional>

#include "deepctl/core/rng.hpp"
#include "deepctl/solver/minibatch_trainer.hpp"

namespace deepctl {

struct EntropySgdOptions {
  int inner_steps = 20;        // L
  double inner_lr = 0.1;       // η′
  double noise = 1e-4;         // ε
  double gamma = 1e-4;         // γ₀ (the authors' MNIST setting)
  double gamma_growth = 1e-3;  // γ₁
};

// The inner loop alone on any gradient oracle: gradient(x′, g) writes ∇f_batch(x′) (drawing its
// own fresh minibatch); ξ from rng. Leaves μ_L in `mean`; `inner` and `grad` are scratch.
template <class S>
void local_entropy_mean(const Params<S>& x, double gamma, const EntropySgdOptions& options,
                        Rng& rng,
                        const std::function<void(const Params<S>& at, Params<S>& g)>& gradient,
                        Params<S>& mean, Params<S>& inner, Params<S>& grad);

template <class S>
class EntropySgdTrainer final : public MinibatchTrainer<S> {
 public:
  // InputError unless L ≥ 0, η′ > 0, ε ≥ 0, γ₀ ≥ 0 and γ₁ ≥ 0.
  EntropySgdTrainer(const Problem<S>& problem, const Dataset& train, const Dataset* test,
                    TrainerOptions options, EntropySgdOptions entropy);
  StepReport step(CMatRef<S> X, CMatRef<S> Y) override;
  double gamma() const;  // γ at the current step
  int passes_per_step() const override { return entropy_.inner_steps + 1; }
  std::vector<std::pair<std::string, Params<S>*>> controller_state() override {
    return policy_.state();
  }
  long controller_updates() const override { return policy_.updates(); }
  void set_controller_updates(long k) override { policy_.set_updates(k); }

 private:
  void reset_controller() override;

  EntropySgdOptions entropy_;
  UpdatePolicy<S> policy_;
  Params<S> grad_, inner_, mean_, inner_grad_;
  Mat<S> inner_X_, inner_Y_;
};

}  // namespace deepctl
