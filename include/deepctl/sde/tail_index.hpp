// Heavy-tailed gradient noise (REFERENCE F20, Şimşekli, Sagun & Gürbüzbalaban 2019).
//
// Symmetric α-stable law SαS(σ), α ∈ (0, 2]: E exp(iuX) = exp(−σ^α |u|^α) (α = 2 is N(0, 2σ²)).
// Chambers–Mallows–Stuck sampler of SαS(1): U ~ Unif(−π/2, π/2), E ~ Exp(1),
//     X = sin(αU) / cos(U)^{1/α} · (cos((1 − α)U) / E)^{(1−α)/α}.
//
// Tail-index estimator (Mohammadi, Mohammadpour & Ogata 2015): split K = K1·K2 samples X_i into
// K2 blocks of K1 consecutive samples with sums Y_j; then
//     1/α̂ = (1/ln K1) [ (1/K2) Σ_j ln|Y_j| − (1/K) Σ_i ln|X_i| ].
// For vectors |·| is the Euclidean norm. Şimşekli et al. flatten every component of the
// minibatch-noise vectors into one sample and take K1 = the largest divisor of K that is ≤ √K.
#pragma once

#include <vector>

#include "deepctl/core/rng.hpp"
#include "deepctl/core/types.hpp"

namespace deepctl::sde {

// One draw of SαS(1); InputError unless 0 < α ≤ 2.
double stable_sample(Rng& rng, double alpha);

// The largest divisor of k that is ≤ √k (Şimşekli et al.'s block size).
Index default_block_size(Index k);

// α̂ from scalar samples with block size k1 (k1 ≥ 2 and dividing the sample count; 0 means
// default_block_size). InputError naming the sample count or k1 otherwise. Zero samples are
// rejected (ln 0).
double tail_index(CVecRef<double> samples, Index k1 = 0);

// α̂ from vector samples, one per row, |·| the Euclidean norm of a row.
double tail_index_rows(CMatRef<double> samples, Index k1 = 0);

}  // namespace deepctl::sde
