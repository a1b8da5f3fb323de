// Mutual-information estimators beyond binning (REFERENCE F21; issue #7).
//
// Kolchinsky–Tracey pairwise-distance bounds for T = h(X) + N(0, σ²I_d) over N equally likely
// inputs with activities h_i (rows of H), in nats before conversion to bits:
//   Î_up  = −(1/N) Σ_i ln[(1/N) Σ_j exp(−‖h_i − h_j‖² / (2σ²))]     (KL-based upper bound)
//   Î_low = −(1/N) Σ_i ln[(1/N) Σ_j exp(−‖h_i − h_j‖² / (8σ²))]     (Bhattacharyya lower bound)
//   Î(T;Y) = Î_up(T) − Σ_y p(y) Î_up(T | Y = y)   (an estimate, not a bound)
// Identical rows give 0 and well-separated rows ln N; Î_low ≤ I(X;T) ≤ Î_up.
//
// Kraskov–Stögbauer–Grassberger (KSG, their algorithm 1) for continuous X (N × p) and T (N × q)
// with the max-norm: ε_i = distance to the k-th neighbour of (x_i, t_i) in the joint space,
// n_x(i), n_t(i) = points strictly closer than ε_i in each marginal, and
//   Î = ψ(k) + ψ(N) − ⟨ψ(n_x + 1) + ψ(n_t + 1)⟩   (nats; bits below).
// O(N²) pairs: meant for N up to a few thousand.
#pragma once

#include <vector>

#include "deepctl/core/types.hpp"

namespace deepctl::infoplane {

struct KdeBounds {
  double i_xt_upper = 0;  // bits
  double i_xt_lower = 0;  // bits
  double i_ty = 0;        // bits, from the upper estimator per class
};

// InputError unless noise_variance > 0 and labels has one entry per row (labels may be empty:
// then i_ty is 0).
KdeBounds kde_information(CMatRef<double> H, const std::vector<int>& labels, double noise_variance);

// KSG estimate of I(X;T) in bits; InputError unless the rows agree and 1 ≤ k < N.
double knn_information(CMatRef<double> X, CMatRef<double> T, int k = 3);

}  // namespace deepctl::infoplane
