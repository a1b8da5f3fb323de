// Bayesian prediction from Langevin samples (REFERENCE F24; issue #7): the posterior predictive
// p(y | x, D) ≈ (1/S) Σ_s softmax(f(x; θ_s)) over parameter samples θ_s of an sgld/psgld run,
// and its calibration.
//
// Expected calibration error (Guo et al. 2017) of class probabilities P (n × k) against labels:
// with M equal-width bins of the confidence c_i = max_j P_ij,
//   ECE = Σ_m (|B_m|/n) |acc(B_m) − conf(B_m)|,
// acc the fraction of rows whose arg-max is the label, conf the mean confidence in the bin.
//
// The reference sampler: the Metropolis-adjusted Langevin algorithm (MALA; Roberts & Tweedie
// 1996) on the same target π(θ) ∝ exp(−N J(θ)/T), J the full-batch objective with its L2
// running cost (the Gaussian prior), in SGLD's parametrisation (update_policy.hpp):
//   θ' = θ − η ∇J(θ) + √(2ηT/N) ξ,   q(θ' | θ) = N(θ − η∇J(θ), (2ηT/N) I)
//   accept with probability min(1, π(θ') q(θ | θ') / (π(θ) q(θ' | θ)))
// The Metropolis step removes the discretisation bias SGLD keeps, so a long chain is exact.
// During burn-in ln η follows the Robbins–Monro rule ln η += (a_k − a*)/(k + 1)^0.6 towards the
// acceptance a* = 0.574 (optimal for MALA, Roberts & Rosenthal 1998); after it η is fixed and
// the chain leaves π invariant.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "deepctl/data/dataset.hpp"
#include "deepctl/problem/problem.hpp"

namespace deepctl {

// One confidence bin of a reliability diagram: how many rows fall in it, their mean confidence
// and the fraction of them whose arg-max is the label (0 and 0 when empty).
struct ReliabilityBin {
  Index count = 0;
  double confidence = 0;
  double accuracy = 0;
};
// InputError on mismatched sizes or bins < 1.
std::vector<ReliabilityBin> reliability_bins(CMatRef<double> probabilities,
                                             const std::vector<int>& labels, int bins = 15);
double expected_calibration_error(CMatRef<double> probabilities, const std::vector<int>& labels,
                                  int bins = 15);

struct PredictiveScore {
  double accuracy = 0;
  double nll = 0;  // mean −ln p(y_i | x_i)
  double ece = 0;
};
PredictiveScore score_predictions(CMatRef<double> probabilities, const std::vector<int>& labels,
                                  int bins = 15);

// Running average of the softmax outputs of a classification network on a fixed dataset.
template <class S>
class PredictiveAverage {
 public:
  PredictiveAverage(const Problem<S>& problem, const Dataset& data);
  // Adds the softmax outputs at θ (one posterior sample) and returns them.
  Mat<double> add(const Params<S>& theta);
  Index samples() const { return samples_; }
  // The averaged class probabilities (n × k).
  Mat<double> probabilities() const;
  const std::vector<int>& labels() const { return labels_; }
  // Σ_s softmax(f(x; θ_s)) and the sample count, for checkpoints, and back (InputError on a
  // sum of the wrong shape or a negative count).
  const Mat<double>& sum() const { return sum_; }
  void restore(Mat<double> sum, Index samples);

 private:
  const Problem<S>* problem_;
  Mat<S> X_, Y_;
  std::vector<int> labels_;
  Mat<double> sum_;
  Index samples_ = 0;
};

// Per-coordinate mean and variance of θ (flattened, as problem.hpp's flatten) over a chain,
// Welford's update in double.
template <class S>
class ChainMoments {
 public:
  void add(const Params<S>& theta);
  Index count() const { return count_; }
  const Vec<double>& mean() const { return mean_; }
  Vec<double> variance() const;  // population variance; InputError with fewer than 2 samples

 private:
  Index count_ = 0;
  Vec<double> mean_, squares_;
};

struct MalaOptions {
  double step = 1e-3;                // η at the start of burn-in
  Index burn_in = 1000;              // adaptation steps, not passed to on_sample
  Index samples = 10000;             // steps after burn-in, each passed to on_sample
  double temperature = 1.0;          // T > 0
  double target_acceptance = 0.574;  // a*
  std::uint64_t seed = 0;
  int threads = 1;  // of the full-batch gradient (problem/parallel_gradient.hpp)
};

struct MalaResult {
  double step = 0;        // η after burn-in
  double acceptance = 0;  // fraction of accepted proposals after burn-in
  Index evaluations = 0;  // full-batch gradient evaluations, burn-in included
};

// A MALA chain from θ (moved to the chain's last state) on the whole of `data`; on_sample sees
// every state after burn-in (a rejected proposal repeats the state). InputError on a bad option
// or a non-finite J at the start.
template <class S>
MalaResult mala_chain(const Problem<S>& problem, const Dataset& data, Params<S>& theta,
                      const MalaOptions& options,
                      const std::function<void(const Params<S>&)>& on_sample);

}  // namespace deepctl
