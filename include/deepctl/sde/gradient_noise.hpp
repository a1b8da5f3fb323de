// Gradient-noise statistics of a Problem at parameters θ (REFERENCE F15, F18–F20).
//
// Per-sample gradients come from the costate pass run on one sample at a time:
//     g_i = ∇_θ [Φ(x_T^i, y^i) + Σ_t R_t(θ_t)],   i = 1..n,
// flattened layer after layer. With ḡ = (1/n) Σ_i g_i (the full-batch gradient) the per-sample
// noise covariance is
//     Σ = (1/n) Σ_i (g_i − ḡ)(g_i − ḡ)ᵀ,
// and a minibatch of B samples drawn without replacement has covariance ≈ Σ/B (the SME's
// diffusion is √(ηΣ/B)). Σ is formed only for small nets (d ≤ 2000): its diagonal and trace
// come from the rows, and its leading eigenpairs (rank ≤ n − 1, the low-rank factor) from the
// n × n Gram matrix (1/n) G_c G_cᵀ of the centred rows, which is exact.
//
// Per layer t: the signal-to-noise ratio of a minibatch gradient SNR_t = ‖ḡ_t‖² / (tr Σ_t / B).
// The tail index α̂ (sde/tail_index.hpp) is estimated as Şimşekli et al. do: draw P minibatches
// of b = min(B, n/4) samples without replacement (a minibatch of all n would carry no noise),
// take each minibatch gradient minus ḡ, flatten all components into one sample
// (components that are exactly zero, i.e. parameters the data never moves, are left out), and
// use K1 = ⌊√K⌋ blocks, trimming the sample to a multiple of K1.
//
// The temperature of SGD (Smith & Le): g = η (N/B − 1) / (1 − m) ≈ ηN/(B(1 − m)).
#pragma once

#include <type_traits>
#include <vector>

#include "deepctl/core/rng.hpp"
#include "deepctl/problem/problem.hpp"

namespace deepctl::sde {

// S is deduced from the Problem alone, so plain matrices bind to the batch arguments.
template <class T>
using NoDeduce = std::type_identity_t<T>;

// Row i = g_i (n × num_params), in the problem's precision. Rows are computed concurrently on
// `threads` threads (0: all cores); each row is independent, so the result does not depend on
// the thread count. The n × num_params output is the cost that matters for large networks
// (bench/compare_curvature.py).
template <class S>
Mat<S> per_sample_gradients(const Problem<S>& problem, const Params<S>& theta,
                            NoDeduce<CMatRef<S>> X, NoDeduce<CMatRef<S>> Y, int threads = 0);
// The same into a caller's n × num_params matrix (reused across calls, it saves the page
// faults of a fresh allocation, which cost as much as the passes for the Fashion-MNIST MLP).
template <class S>
void per_sample_gradients(const Problem<S>& problem, const Params<S>& theta, NoDeduce<CMatRef<S>> X,
                          NoDeduce<CMatRef<S>> Y, MatRef<S> out, int threads = 0);

struct LayerNoise {
  double mean_gradient_norm = 0;  // ‖ḡ_t‖
  double noise_trace = 0;         // tr Σ_t (per sample)
  double snr = 0;                 // ‖ḡ_t‖² / (tr Σ_t / B)
};

// Per-coordinate mean and variance (1/n normalisation) of the per-sample gradients, streamed
// without keeping the n × d matrix (sums in double, shards of rows combined in order): the
// diagonal of Σ and ḡ for networks and sample counts where G would not fit.
struct GradientMoments {
  Vec<double> mean;
  Vec<double> variance;
};
template <class S>
GradientMoments gradient_moments(const Problem<S>& problem, const Params<S>& theta,
                                 NoDeduce<CMatRef<S>> X, NoDeduce<CMatRef<S>> Y, int threads = 0);

// Per layer ‖ḡ_t‖, tr Σ_t and the SNR at minibatch size `batch`, from the moments.
template <class S>
std::vector<LayerNoise> layer_noise(const Problem<S>& problem, const GradientMoments& moments,
                                    Index batch);

struct NoiseOptions {
  Index batch = 128;        // B of the minibatch whose noise is described
  Index minibatches = 200;  // P for the tail index
  Index top = 10;           // leading eigenvalues of Σ to report
  std::uint64_t seed = 0;   // draws the P minibatches
  int threads = 0;
};

struct NoiseStatistics {
  Index samples = 0;          // n
  Index batch = 0;            // B
  double loss = 0;            // J(θ) on the n samples
  Vec<double> mean_gradient;  // ḡ
  Vec<double> covariance_diagonal;
  double covariance_trace = 0;   // tr Σ
  Vec<double> top_eigenvalues;   // of Σ, descending
  Mat<double> top_eigenvectors;  // d × top, unit columns: the low-rank factor of Σ
  Mat<double> covariance;        // Σ itself (d × d) when d ≤ kFullCovarianceMax, else empty
  static constexpr Index kFullCovarianceMax = 2000;
  double effective_rank = 0;  // (tr Σ)² / tr Σ², the participation ratio
  Index rank_above_1e3 = 0;   // eigenvalues of Σ above 1e−3 · the largest (Chaudhari & Soatto)
  std::vector<LayerNoise> layers;
  double tail_index = 0;  // α̂ of the minibatch noise
  Index tail_batch = 0;   // b, the minibatch size it was estimated at
};

// InputError if n < 2, B is not in 1..n, or X and Y disagree in rows.
template <class S>
NoiseStatistics gradient_noise(const Problem<S>& problem, const Params<S>& theta,
                               NoDeduce<CMatRef<S>> X, NoDeduce<CMatRef<S>> Y,
                               const NoiseOptions& options = {});

// g = η (N/B − 1) / (1 − m); InputError unless η > 0, 1 ≤ B ≤ N and 0 ≤ m < 1.
double noise_scale(double lr, Index train_size, Index batch, double momentum = 0.0);

}  // namespace deepctl::sde
