// The layer Hamiltonians of a batch and the residuals of Pontryagin's maximum principle
// (REFERENCE C4, F8), measured on a stored trajectory (states x_t and costates p_t, e.g. a
// Workspace after rollout and adjoint) for any parameters θ:
//
//   H_t(x_t, p_{t+1}, θ) = Σ_s p_{t+1}^s · f_t(x_t^s, θ) − R_t(θ),   R_t = (λ/2)‖θ‖²
//   state residual       e_t = √((1/B) Σ_s ‖x_{t+1}^s − f_t(x_t^s, θ_t)‖²)
//   costate residual     r_t = B √((1/B) Σ_s ‖p_t^s − ∂_x f_t(x_t^s, θ_t)ᵀ p_{t+1}^s‖²)
//                        (p carries the 1/B of J, undone so that r is per sample like e)
//   stationarity         ‖∇_θ H_t(x_t, p_{t+1}, θ_t)‖   (= ‖∇_{θ_t} J‖ on θ's own trajectory)
//
// On the trajectory of θ itself e = r = 0 and only stationarity remains; after an MSA update
// θ → φ on the old trajectory, e and r are the terms of the MSA error estimate (F9).
#pragma once

#include <vector>

#include "deepctl/problem/problem.hpp"

namespace deepctl {

struct PmpResiduals {
  std::vector<double> state, costate, stationarity;  // per layer
  std::vector<double> hamiltonian;                   // H_t at θ_t
};

// Layer t at parameters θ_t on the stored trajectory: f = f_t(x_t, θ_t), p = ∂_x f_tᵀ p_{t+1}
// (0 rows unless with_costate) and g = Σ_s f_θᵀ p_{t+1}^s, i.e. ∇_θ H_t without R_t.
// InputError for a bad layer index or parameter count.
template <class S>
struct LayerEvaluation {
  Mat<S> f, p;
  Vec<S> g;
};
template <class S>
LayerEvaluation<S> evaluate_layer(const Problem<S>& problem, const Workspace<S>& trajectory,
                                  Index t, CVecRef<S> theta_t, bool with_costate);

// H_t(x_t, p_{t+1}, θ_t) on the trajectory; with grad non-empty also ∇_θ H_t into it.
template <class S>
double layer_hamiltonian(const Problem<S>& problem, const Workspace<S>& trajectory, Index t,
                         CVecRef<S> theta_t, Vec<S>* grad = nullptr);

template <class S>
PmpResiduals pmp_residuals(const Problem<S>& problem, const Workspace<S>& trajectory,
                           const Params<S>& theta);

}  // namespace deepctl
