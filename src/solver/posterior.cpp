#include "deepctl/solver/posterior.hpp"

#include <cmath>
#include <numeric>
#include <string>

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

void check_sizes(CMatRef<double> P, const std::vector<int>& labels, int bins) {
  if (Index(labels.size()) != P.rows() || P.rows() == 0)
    throw InputError("calibration: " + std::to_string(labels.size()) + " labels for " +
                     std::to_string(P.rows()) + " rows of probabilities");
  if (bins < 1) throw InputError("calibration: bins must be >= 1, got " + std::to_string(bins));
}

}  // namespace

double expected_calibration_error(CMatRef<double> P, const std::vector<int>& labels, int bins) {
  check_sizes(P, labels, bins);
  std::vector<double> count(bins, 0), correct(bins, 0), confidence(bins, 0);
  for (Index i = 0; i < P.rows(); ++i) {
    Index predicted;
    const double c = P.row(i).maxCoeff(&predicted);
    const int m = std::min(bins - 1, static_cast<int>(c * bins));
    count[m] += 1;
    correct[m] += predicted == labels[i];
    confidence[m] += c;
  }
  double ece = 0;
  for (int m = 0; m < bins; ++m)
    if (count[m] > 0) ece += std::abs(correct[m] - confidence[m]) / double(P.rows());
  return ece;
}

PredictiveScore score_predictions(CMatRef<double> P, const std::vector<int>& labels, int bins) {
  check_sizes(P, labels, bins);
  PredictiveScore s;
  for (Index i = 0; i < P.rows(); ++i) {
    Index predicted;
    P.row(i).maxCoeff(&predicted);
    s.accuracy += predicted == labels[i];
    s.nll -= std::log(std::max(P(i, labels[i]), 1e-300));
  }
  s.accuracy /= double(P.rows());
  s.nll /= double(P.rows());
  s.ece = expected_calibration_error(P, labels, bins);
  return s;
}

template <class S>
PredictiveAverage<S>::PredictiveAverage(const Problem<S>& problem, const Dataset& data)
    : problem_(&problem) {
  if (problem.loss().name() != "cross_entropy")
    throw InputError("posterior predictive: needs a cross-entropy (classification) problem");
  std::vector<Index> rows(data.size());
  std::iota(rows.begin(), rows.end(), Index(0));
  gather(data, rows, 0, data.size(), X_, Y_);
  labels_ = class_labels(data);
  sum_ = Mat<double>::Zero(Y_.rows(), Y_.cols());
}

template <class S>
void PredictiveAverage<S>::add(const Params<S>& theta) {
  Workspace<S> ws = problem_->make_workspace(X_.rows());
  problem_->rollout(ws, X_, Y_, theta);
  sum_ += softmax_rows(ws.output().template cast<double>());
  ++samples_;
}

template <class S>
Mat<double> PredictiveAverage<S>::probabilities() const {
  if (samples_ == 0) throw InputError("posterior predictive: no samples were added");
  return sum_ / static_cast<double>(samples_);
}

template class PredictiveAverage<float>;
template class PredictiveAverage<double>;

}  // namespace deepctl
