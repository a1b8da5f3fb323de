// Discrete-weight MSA (Li & Hao 2018; REFERENCE F9) for networks whose dense layers have binary
// or ternary weights (layer/dense.hpp). H is linear in such a layer's W, so its maximisation
// has a closed form; per minibatch, after the forward and costate passes:
//   G = ∂H/∂W = −∇_W J (= c Σ_s δ^s x^{sT}),   M ← αM + (1 − α) G
//   binary:  s = sign(M) (sign 0 := +1); wrong = {W_ij ≠ s_ij};  W_ij ← s_ij iff
//            |M_ij| > ρ · max_wrong |M|
//   ternary: w* = argmax_w M w − λ|w| (sign M where |M| > λ, else 0); wrong = {W_ij ≠ w*_ij};
//            ρ_k = ρ · max_wrong |M|;  W_ij ← argmax_{w ∈ {−1,0,1}} M_ij w − ρ_k (w − W_ij)² −
//            λ|w|, i.e. +1 if M > ρ_k(1 − 2W) + λ, −1 if M < −ρ_k(1 + 2W) − λ, else 0
//   (no wrong entries: W stays). Every other parameter (biases, real layers) takes an Adam step
//   on ∇J at the schedule's rate (options.update's β₁, β₂, ε). α anneals per epoch e as
//   α_e = 1 − (1 − α₀)·decay^e, moving towards 1. M and Adam's moments are the controller state.
#pragma once

#include "deepctl/solver/minibatch_trainer.hpp"

namespace deepctl {

struct DiscreteMsaOptions {
  double rho = 0.5;      // ρ (the authors: 0.5 binary, 0.25 ternary)
  double lambda = 1e-7;  // λ, the ternary sparsity price
  double alpha = 0.999;  // α₀
  double decay = 0.95;   // per-epoch decay of 1 − α
};

// Fraction of non-zero weights over the W blocks of a problem's binary and ternary dense
// layers (NaN when it has none).
template <class S>
double discrete_nonzero_fraction(const Problem<S>& problem, const Params<S>& theta);

// The ternary rule for one entry: argmax_{w ∈ {−1,0,1}} m w − rho_k (w − w_old)² − λ|w|.
double ternary_update(double m, double w_old, double rho_k, double lambda);

template <class S>
class DiscreteMsaTrainer final : public MinibatchTrainer<S> {
 public:
  // InputError unless the problem has a binary or ternary dense layer, ρ ≥ 0, λ ≥ 0,
  // 0 ≤ α < 1 and 0 < decay ≤ 1.
  DiscreteMsaTrainer(const Problem<S>& problem, const Dataset& train, const Dataset* test,
                     TrainerOptions options, DiscreteMsaOptions msa);
  StepReport step(CMatRef<S> X, CMatRef<S> Y) override;
  std::vector<std::pair<std::string, Params<S>*>> controller_state() override;
  long controller_updates() const override { return adam_.updates(); }
  void set_controller_updates(long k) override { adam_.set_updates(k); }

 private:
  void reset_controller() override;

  DiscreteMsaOptions msa_;
  std::vector<Index> discrete_;  // layers with binary or ternary weights
  Params<S> grad_, moving_;      // moving_[t]: M of layer t (the W block; empty elsewhere)
  UpdatePolicy<S> adam_;
};

}  // namespace deepctl
