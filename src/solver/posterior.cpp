#include "deepctl/solver/posterior.hpp"

#include <cmath>
#include <numeric>
#include <string>

#include "deepctl/core/error.hpp"
#include "deepctl/core/rng.hpp"
#include "deepctl/problem/parallel_gradient.hpp"

namespace deepctl {
namespace {

void check_sizes(CMatRef<double> P, const std::vector<int>& labels, int bins) {
  if (Index(labels.size()) != P.rows() || P.rows() == 0)
    throw InputError("calibration: " + std::to_string(labels.size()) + " labels for " +
                     std::to_string(P.rows()) + " rows of probabilities");
  if (bins < 1) throw InputError("calibration: bins must be >= 1, got " + std::to_string(bins));
}

}  // namespace

std::vector<ReliabilityBin> reliability_bins(CMatRef<double> P, const std::vector<int>& labels,
                                             int bins) {
  check_sizes(P, labels, bins);
  std::vector<ReliabilityBin> out(bins);
  for (Index i = 0; i < P.rows(); ++i) {
    Index predicted;
    const double c = P.row(i).maxCoeff(&predicted);
    ReliabilityBin& b = out[std::min(bins - 1, static_cast<int>(c * bins))];
    b.count += 1;
    b.accuracy += predicted == labels[i];
    b.confidence += c;
  }
  for (ReliabilityBin& b : out)
    if (b.count > 0) {
      b.accuracy /= double(b.count);
      b.confidence /= double(b.count);
    }
  return out;
}

double expected_calibration_error(CMatRef<double> P, const std::vector<int>& labels, int bins) {
  double ece = 0;
  for (const ReliabilityBin& b : reliability_bins(P, labels, bins))
    ece += double(b.count) / double(P.rows()) * std::abs(b.accuracy - b.confidence);
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
Mat<double> PredictiveAverage<S>::add(const Params<S>& theta) {
  Workspace<S> ws = problem_->make_workspace(X_.rows());
  problem_->rollout(ws, X_, Y_, theta);
  Mat<double> P = softmax_rows(ws.output().template cast<double>());
  sum_ += P;
  ++samples_;
  return P;
}

template <class S>
void PredictiveAverage<S>::restore(Mat<double> sum, Index samples) {
  if (sum.rows() != sum_.rows() || sum.cols() != sum_.cols() || samples < 0)
    throw InputError("posterior predictive: a sum of " + std::to_string(sum.rows()) + " x " +
                     std::to_string(sum.cols()) + " over " + std::to_string(samples) +
                     " samples, expected " + std::to_string(sum_.rows()) + " x " +
                     std::to_string(sum_.cols()) + " and samples >= 0");
  sum_ = std::move(sum);
  samples_ = samples;
}

template <class S>
Mat<double> PredictiveAverage<S>::probabilities() const {
  if (samples_ == 0) throw InputError("posterior predictive: no samples were added");
  return sum_ / static_cast<double>(samples_);
}

template <class S>
void ChainMoments<S>::add(const Params<S>& theta) {
  const Vec<double> x = flatten(theta).template cast<double>();
  if (count_ == 0) {
    mean_ = Vec<double>::Zero(x.size());
    squares_ = Vec<double>::Zero(x.size());
  }
  ++count_;
  const Vec<double> before = x - mean_;
  mean_ += before / static_cast<double>(count_);
  squares_.array() += before.array() * (x - mean_).array();
}

template <class S>
Vec<double> ChainMoments<S>::variance() const {
  if (count_ < 2) throw InputError("chain moments: a variance needs at least 2 samples");
  return squares_ / static_cast<double>(count_);
}

template <class S>
MalaResult mala_chain(const Problem<S>& problem, const Dataset& data, Params<S>& theta,
                      const MalaOptions& o,
                      const std::function<void(const Params<S>&)>& on_sample) {
  if (!(o.step > 0) || !(o.temperature > 0) || o.burn_in < 0 || o.samples < 1 ||
      !(o.target_acceptance > 0 && o.target_acceptance < 1))
    throw InputError(
        "MALA: expected step > 0, temperature > 0, burn_in >= 0, samples >= 1 and a target "
        "acceptance in (0, 1)");
  problem.check_params(theta);
  const Index N = data.size();
  std::vector<Index> rows(N);
  std::iota(rows.begin(), rows.end(), Index(0));
  Mat<S> X, Y;
  gather(data, rows, 0, N, X, Y);
  ParallelGradient<S> evaluator(problem, N, o.threads);
  const double scale = static_cast<double>(N) / o.temperature;  // ln π = −scale · J

  // State and proposal: J, ∇J (flattened, double) at each.
  Params<S> grad, proposal = theta;
  double J = evaluator.evaluate(X, Y, theta, grad);
  if (!std::isfinite(J)) throw InputError("MALA: the objective is not finite at the start");
  Vec<double> x = flatten(theta).template cast<double>();
  Vec<double> g = flatten(grad).template cast<double>();
  Rng rng(o.seed);
  double log_step = std::log(o.step);
  MalaResult result;
  result.evaluations = 1;
  Index accepted = 0;
  for (Index k = 0; k < o.burn_in + o.samples; ++k) {
    const double step = std::exp(log_step), sd = std::sqrt(2 * step / scale);
    Vec<double> noise(x.size());
    for (Index i = 0; i < noise.size(); ++i) noise[i] = rng.normal();
    const Vec<S> x_new_in_s = (x - step * g + sd * noise).template cast<S>();
    unflatten<S>(x_new_in_s, proposal);
    const Vec<double> x_new = x_new_in_s.template cast<double>();
    const double J_new = evaluator.evaluate(X, Y, proposal, grad);
    ++result.evaluations;
    double acceptance = 0;
    Vec<double> g_new;
    if (std::isfinite(J_new)) {
      g_new = flatten(grad).template cast<double>();
      // ln q(x | x_new) − ln q(x_new | x).
      const double backward = (x - x_new + step * g_new).squaredNorm(),
                   forward = (x_new - x + step * g).squaredNorm();
      const double log_ratio = -scale * (J_new - J) - (backward - forward) / (2 * sd * sd);
      acceptance = log_ratio >= 0 ? 1.0 : std::exp(log_ratio);
    }
    if (rng.uniform() < acceptance) {
      x = x_new;
      g = g_new;
      J = J_new;
      std::swap(theta, proposal);
      if (k >= o.burn_in) ++accepted;
    }
    if (k < o.burn_in)
      log_step += (acceptance - o.target_acceptance) / std::pow(double(k + 1), 0.6);
    else if (on_sample)
      on_sample(theta);
  }
  result.step = std::exp(log_step);
  result.acceptance = static_cast<double>(accepted) / static_cast<double>(o.samples);
  return result;
}

template class PredictiveAverage<float>;
template class PredictiveAverage<double>;
template class ChainMoments<float>;
template class ChainMoments<double>;
template MalaResult mala_chain(const Problem<float>&, const Dataset&, Params<float>&,
                               const MalaOptions&,
                               const std::function<void(const Params<float>&)>&);
template MalaResult mala_chain(const Problem<double>&, const Dataset&, Params<double>&,
                               const MalaOptions&,
                               const std::function<void(const Params<double>&)>&);

}  // namespace deepctl
