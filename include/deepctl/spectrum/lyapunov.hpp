// Lyapunov exponents of forward propagation (REFERENCE F6; #8): how a network stretches
// infinitesimal perturbations of one input, layer by layer, by the QR method. With an
// orthonormal frame Q_0 (n_0 × k) and J_t the Jacobian of layer t at the input's trajectory,
//   J_t Q_t = Q_{t+1} R_t,   λ_i = (1/L) Σ_t log |R_t(i, i)|,   i = 1..k
// (the frame passes through the layers' jvp, k samples at once). For a product of linear maps
// the λ_i tend to (1/L) log σ_i(Π_t J_t); positive λ_1 means chaotic propagation (F2's χ_1 > 1
// reads the same from the mean-field side).
#pragma once

#include "deepctl/problem/problem.hpp"

namespace deepctl::spectrum {

struct LyapunovResult {
  Vec<double> exponents;   // λ_1 ≥ … ≥ λ_k (sorted)
  Mat<double> log_growth;  // L × k: log |R_t(i, i)| per layer, in frame order
};

// k directions (k ≤ every layer's width) from a frame drawn with `rng`.
LyapunovResult lyapunov_exponents(const Problem<double>& problem, const Params<double>& theta,
                                  CVecRef<double> x, Index k, Rng& rng);

}  // namespace deepctl::spectrum
