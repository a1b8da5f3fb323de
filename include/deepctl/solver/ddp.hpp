// DDP trainer after DDPNOpt (Liu, Chen & Theodorou; REFERENCE F11; design: docs/ddp.md). Per
// minibatch of B samples, with V_x = −p (C6) and the controls u_t = θ_t:
//   1. nominal forward pass x_t^(i); backward pass, layer by layer from t = T−1: Q_u,t = layer vjp
//      of V'_x = −p_{t+1} plus the running cost's gradient, then p_t = f_xᵀp_{t+1}; by default
//      V_x stays −p and Q_u = ∇J. With value_update (and feedback), DDP's V_x = Q_x + Q_uxᵀk_t
//      (the K terms cancel for Q_uu = M): p_t^(i) −= c_i (ẑ_{t+1}^(i) · f_u k_t) ẑ_t^(i), f_u k_t
//      by one batched jvp with dx = 0, so Q_u of the layers below sees the update above.
//   2. (computed before 1's backward pass) terminal curvature, rank one per sample (Gauss–Newton
//   along the loss gradient):
//        ẑ_T^(i) = ∇Φ^(i)/‖∇Φ^(i)‖,   c_i = ẑᵀ ∇²_GN Φ^(i) ẑ / B,   V_xx,T^(i) ≈ c_i ẑ ẑᵀ
//      propagated backward by the costate recursion, ẑ_t^(i) = f_xᵀ ẑ_{t+1}^(i), so that
//      V_xx,t^(i) ≈ c_i ẑ_t ẑ_tᵀ (the Gauss–Newton Q_xx; the reduction −Q_uxᵀM⁻¹Q_ux and DDPNOpt's
//      ε_Vxx I are left out).
//   3. the control curvature M_t in place of Q_uu, with η the schedule's rate:
//        identity  M = I/η                       (k = −η Q_u: SGD when the feedback is off)
//        diagonal  v ← αv + (1−α) Q_u⊙Q_u,  M = (λ + √v)/η   (RMSprop: psgld at T = 0)
//        kfac      layers with a Kronecker shape (layer.hpp: a = W x̃ + b on P patches x̃ per
//                  sample): Kronecker factors of the Gauss–Newton Q_uu (DDPNOpt's "GN with
//                  Kronecker factors"); KFAC for dense layers with real weights (P = 1, x̃ = x;
//                  Martens & Grosse 2015), KFC for conv2d (x̃ the im2col patches, derivatives
//                  spatially uncorrelated; Grosse & Martens 2016). Over the B·P patches,
//                    A ← αA + (1−α) (1/(BP)) Σ x̄ x̄ᵀ,  x̄ = [x̃; 1]            (layer input)
//                    G ← αG + (1−α) B Σ δ δᵀ,          δ = φ′(a) ⊙ p_{t+1}    (V_a)
//                  so that G ⊗ A ≈ (1/B) Σ_s ∇Φ_s ∇Φ_sᵀ for per-sample gradients ∇Φ_s = B Σ_P δx̄ᵀ.
//                  M⁻¹ v = η (G + γ_G I)⁻¹ V (A + γ_A I)⁻¹ for V the m × (n+1) matrix [W | b] of
//                  v, with Tikhonov damping γ split by π = √((tr A/(n+1))/(tr G/m)):
//                  γ_A = π√γ, γ_G = √γ/π; the two inverses are refreshed every `inverse_every`
//                  updates (the first update included). The factors' statistics may be
//                  collected on every `stats_every`-th update only (the first included; α then
//                  applies per collection), as K-FAC implementations do (T_cov): on convolutions
//                  the A statistics over B·P patches cost more than the layer's own passes.
//                  Other layers use the diagonal rule.
//      open loop k_t = −M⁻¹ Q_u; feedback K_t^(i) = −M⁻¹ Q_ux^(i) = −c_i M⁻¹ q_u^(i) ẑ_t^(i)ᵀ with
//      q_u^(i) = f_uᵀ ẑ_{t+1}^(i), never formed.
//   4. the feedback forward pass: x̂_0 = x_0; for t = 0..T−1, δx^(i) = x̂_t^(i) − x_t^(i),
//        δu_t = k_t + Σ_i K_t^(i) δx^(i) = k_t − M⁻¹ f_uᵀ[c_i (ẑ_t^(i)·δx^(i)) ẑ_{t+1}^(i)]_i
//      (one batched parameter-vjp at the nominal records), θ_t ← θ_t + δu_t, x̂_{t+1} = f_t(x̂_t,
//      θ_t).
// With feedback off, step 4 is θ_t ← θ_t + k_t: identity is SGD and diagonal is RMSprop, step
// for step to rounding (tested).
//   5. Levenberg–Marquardt (adaptive_damping): the regulariser μ of M = (C + μI)/η — λ for the
//      diagonal, γ for KFAC, whose values start it — is raised or lowered by how well DDP's
//      quadratic model predicted the step. Every `inverse_every` updates (the update before the
//      KFAC inverses are refreshed, so that the new γ enters them), on the same minibatch,
//        ρ = (J(θ⁺) − J(θ)) / ΔV,   ΔV = Σ_t (Q_uᵀk_t + ½ k_tᵀ M_t k_t) = −½ Σ_t Q_uᵀ M_t⁻¹ Q_u,
//      DDP's expected change (Jacobson & Mayne; the feedback terms do not enter it), J(θ⁺) from
//      the feedback pass's output (a forward pass without feedback). ρ > ¾: μ ← max(ωμ, μ_0);
//      ρ < ¼ or J(θ⁺) not finite: μ ← min(μ/ω, 1e8); ω = (19/20)^inverse_every (Martens & Grosse
//      2015, §6.5). ρ → 2 for small steps (actual −η gᵀC⁻¹g against −½ of it) and ρ ≈ 1 where
//      the model is exact. The configured value μ_0 is the floor, as vanilla_ddp_mu is vanilla
//      DDP's: a minibatch's own quadratic model trusts steps that overfit the minibatch (without
//      the floor, KFAC on DIGITS drives γ from 1e−2 to 1e−4 and ends at 0.88 instead of 0.98), so
//      the rule guards a tuned γ or λ against steps the model cannot predict and returns to it.
// Threads: the minibatch is cut into the row shards of problem/parallel_gradient.hpp; every layer
// call of the passes runs over them concurrently, each shard with its own layer records and
// single-threaded matrix products, and parameter vjps and Kronecker statistics are summed in
// shard order (a thread count determines the run; tested against one shard to rounding).
#pragma once

#include <limits>

#include "deepctl/solver/minibatch_trainer.hpp"

namespace deepctl {

enum class DdpCurvature { Identity, Diagonal, Kfac };

struct DdpOptions {
  DdpCurvature curvature = DdpCurvature::Diagonal;
  bool feedback = true;
  double alpha = 0.99;            // α, the average of the diagonal or the Kronecker factors
  double lambda = 1e-8;           // λ, the diagonal's floor
  double damping = 1e-3;          // γ, KFAC's Tikhonov damping
  int inverse_every = 20;         // KFAC: updates between refreshes of the factors' inverses
  bool value_update = false;      // with feedback: V_x = Q_x + Q_uxᵀk instead of −p (step 3)
  bool adaptive_damping = false;  // Levenberg–Marquardt adaptation of λ or γ (step 5)
  int stats_every = 1;            // KFAC: updates between collections of the factors' statistics
  // "identity", "diagonal" or "kfac"; InputError otherwise.
  static DdpCurvature parse_curvature(const std::string& text);
};

template <class S>
class DdpTrainer final : public MinibatchTrainer<S> {
 public:
  // InputError unless 0 ≤ α < 1, λ > 0, γ > 0, inverse_every ≥ 1, stats_every ≥ 1, and the
  // curvature is diagonal or kfac when adaptive_damping is set.
  DdpTrainer(const Problem<S>& problem, const Dataset& train, const Dataset* test,
             TrainerOptions options, DdpOptions ddp);
  StepReport step(CMatRef<S> X, CMatRef<S> Y) override;
  // With feedback: the nominal pass, the ẑ costate pass and the feedback pass (a forward and a
  // parameter vjp), counted as 3.
  int passes_per_step() const override { return ddp_.feedback ? 3 : 1; }
  std::vector<std::pair<std::string, Params<S>*>> controller_state() override;
  long controller_updates() const override { return updates_; }
  void set_controller_updates(long k) override { updates_ = k; }
  // μ, the regulariser in use: λ (diagonal), γ (kfac), 0 (identity); and the last ρ of step 5
  // (NaN before the first adaptation; not checkpointed).
  double damping() const;
  double reduction_ratio() const { return reduction_ratio_; }

 private:
  void reset_controller() override;
  // out ← M⁻¹ in for layer t at rate η (after the diagonal statistics of this step).
  void apply_inverse_curvature(Index t, double lr, const Vec<S>& in, Vec<S>& out) const;
  // The shards' layer records of one pass (nominal or feedback), and the layer calls of step()
  // over the shards, on the rows of ws's (or the given) full-batch matrices: forward x_{t+1} from
  // x_t; vjp of the nominal records with p (input costate) and g (parameter gradient, summed
  // over the shards) each skipped when null; jvp of the nominal records.
  struct Shard;
  using Records = std::vector<std::unique_ptr<LayerData>> Shard::*;
  template <class Call>
  void for_shards(Call&& call);
  void forward(Index t, Records records, Workspace<S>& ws);
  void vjp(Index t, CMatRef<S> p_next, Mat<S>* p, Vec<S>* g);
  void jvp(Index t, CVecRef<S> dtheta, Mat<S>& dy);
  // KFAC: whether layer t is Kronecker-factored (else the diagonal rule); the factors' averages
  // from this step's nominal pass when due, and their damped inverses when due.
  bool factored(Index t) const;
  void update_kronecker_factors(Index t, Index B);
  void collect_kronecker_statistics(Index t, Index B, Eigen::Map<Mat<S>>& A, Eigen::Map<Mat<S>>& G);
  // c_i and ẑ_t^(i) (step 2) from the nominal pass.
  void rank_one_value_hessian(CMatRef<S> Y);
  // λ (diagonal), γ (kfac) or 0 (identity) as configured: μ's start and floor.
  double configured_damping() const;
  // Step 5: μ from J before and after the update and DDP's expected change ΔV.
  void adapt_damping(double cost_before, double cost_after, double expected_change);

  struct Shard {
    Index begin = 0, rows = 0;
    std::vector<std::unique_ptr<LayerData>> nominal, feedback;
    Vec<S> grad;                // a parameter vjp's share
    Mat<S> patches, deltas;     // Layer::kronecker_rows of the shard (x̄ and δ rows)
    Mat<S> moment_a, moment_g;  // their Σ x̄x̄ᵀ and Σ δδᵀ (lower triangles)
  };

  DdpOptions ddp_;
  Workspace<S> nominal_, feedback_;  // full-batch states and costates (records in the shards)
  std::vector<Shard> shards_;
  int shard_threads_ = 0;
  Params<S> grad_, running_, second_moment_;  // Q_u, the running cost's gradient, v
  // KFAC per layer, row-major flattened (empty for layers under the diagonal rule): A, G and
  // their damped inverses.
  Params<S> factor_a_, factor_g_, inverse_a_, inverse_g_;
  Params<S> damping_;  // μ as one layer of one value (checkpointed with adaptive_damping)
  double reduction_ratio_ = std::numeric_limits<double>::quiet_NaN();
  Vec<S> c_;                   // c_i
  std::vector<Mat<S>> z_hat_;  // ẑ_t^(i) rows, t = 0..T
  long updates_ = 0;
};

}  // namespace deepctl
