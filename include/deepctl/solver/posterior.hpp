// Bayesian prediction from Langevin samples (REFERENCE F24; issue #7): the posterior predictive
// p(y | x, D) ≈ (1/S) Σ_s softmax(f(x; θ_s)) over parameter samples θ_s of an sgld/psgld run,
// and its calibration.
//
// Expected calibration error (Guo et al. 2017) of class probabilities P (n × k) against labels:
// with M equal-width bins of the confidence c_i = max_j P_ij,
//   ECE = Σ_m (|B_m|/n) |acc(B_m) − conf(B_m)|,
// acc the fraction of rows whose arg-max is the label, conf the mean confidence in the bin.
#pragma once

#include <vector>

#include "deepctl/data/dataset.hpp"
#include "deepctl/problem/problem.hpp"

namespace deepctl {

// InputError on mismatched sizes or bins < 1.
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
  // Adds the softmax outputs at θ (one posterior sample).
  void add(const Params<S>& theta);
  Index samples() const { return samples_; }
  // The averaged class probabilities (n × k).
  Mat<double> probabilities() const;
  const std::vector<int>& labels() const { return labels_; }

 private:
  const Problem<S>* problem_;
  Mat<S> X_, Y_;
  std::vector<int> labels_;
  Mat<double> sum_;
  Index samples_ = 0;
};

}  // namespace deepctl
