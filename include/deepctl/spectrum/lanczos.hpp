// Matrix-free spectra of symmetric operators: Lanczos, stochastic Lanczos quadrature and
// Hutchinson's trace, for Hessians and Gauss–Newton matrices reached only through products.
//
// Lanczos (with full reorthogonalisation) builds, from a unit start vector q_1, the tridiagonal
// T_m = Q_mᵀ A Q_m; the extreme eigenvalues of T_m (Ritz values) converge first to the extreme
// eigenvalues of A. Stochastic Lanczos quadrature (Ubaru, Chen & Saad 2017; Ghorbani, Krishnan
// & Xiao 2019): for a Rademacher probe v/‖v‖, the Gauss rule of T_m, nodes θ_j (eigenvalues of
// T_m) and weights τ_j² (squared first components of its eigenvectors), gives
//     vᵀ f(A) v / ‖v‖² ≈ Σ_j τ_j² f(θ_j),
// so averaging the rules over probes estimates the spectral density (1/d) Σ_i δ(λ − λ_i).
// Hutchinson: tr A = E[zᵀ A z] for Rademacher z, estimated over probes with its standard error.
#pragma once

#include <functional>

#include "deepctl/core/rng.hpp"
#include "deepctl/core/types.hpp"

namespace deepctl::spectrum {

// out = A v for a symmetric A of size dim × dim.
using SymmetricOperator = std::function<void(CVecRef<double> v, VecRef<double> out)>;

struct LanczosResult {
  Vec<double> alpha, beta;  // T_m: diagonal α_1..α_m, off-diagonal β_1..β_{m−1}
  Vec<double> ritz_values;  // eigenvalues of T_m, descending
  Vec<double> weights;      // τ_j², in the order of ritz_values (sum to 1)
};

// m = min(steps, dim) Lanczos steps from `start` (normalised here; nonzero). Stops early on an
// invariant subspace (β below 1e-12 of the largest |α|).
LanczosResult lanczos(const SymmetricOperator& A, Index dim, Index steps, CVecRef<double> start);

// The `k` largest eigenvalues (descending) from `steps` Lanczos steps from a seeded random start.
Vec<double> top_eigenvalues(const SymmetricOperator& A, Index dim, Index k, Index steps,
                            std::uint64_t seed);

struct SpectralDensity {
  Vec<double> nodes;    // all probes' Ritz values, concatenated
  Vec<double> weights;  // τ_j² / probes: a probability measure over the nodes
  // The density at each x of `grid`, each node broadened by a Gaussian of width `sigma`.
  Vec<double> smoothed(CVecRef<double> grid, double sigma) const;
};

SpectralDensity spectral_density(const SymmetricOperator& A, Index dim, Index steps, Index probes,
                                 std::uint64_t seed);

struct TraceEstimate {
  double trace = 0;
  double standard_error = 0;
};
TraceEstimate hutchinson_trace(const SymmetricOperator& A, Index dim, Index probes,
                               std::uint64_t seed);

}  // namespace deepctl::spectrum
