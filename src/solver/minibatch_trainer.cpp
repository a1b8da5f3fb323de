#include "deepctl/solver/minibatch_trainer.hpp"

#include <omp.h>

#include <cmath>
#include <limits>

#include "deepctl/core/error.hpp"

namespace deepctl {

std::string status_name(TrainStatus status) {
  switch (status) {
    case TrainStatus::Completed:
      return "completed";
    case TrainStatus::Stopped:
      return "stopped";
    case TrainStatus::Diverged:
      return "diverged";
  }
  return "?";
}

namespace {

// ‖v‖² accumulated in double over blocks summed in S: as accurate as a double cast for the
// gradient norm, at the speed of a vectorised S reduction.
template <class S>
double squared_norm(const Vec<S>& v) {
  constexpr Index block = 4096;
  double sq = 0;
  for (Index i = 0; i < v.size(); i += block)
    sq += static_cast<double>(v.segment(i, std::min(block, v.size() - i)).squaredNorm());
  return sq;
}

}  // namespace

template <class S>
double params_norm(const Params<S>& theta) {
  double sq = 0;
  for (const auto& v : theta) sq += squared_norm(v);
  return std::sqrt(sq);
}

template <class S>
Evaluation evaluate(const Problem<S>& problem, const Params<S>& theta, const Dataset& data,
                    Index batch) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (data.size() == 0) return {nan, nan};
  batch = std::min(batch, data.size());
  std::vector<Index> rows(data.size());
  for (Index i = 0; i < data.size(); ++i) rows[i] = i;
  Workspace<S> ws = problem.make_workspace(batch);
  Mat<S> X, Y;
  double loss_sum = 0, correct = 0;
  for (Index begin = 0; begin < data.size(); begin += batch) {
    const Index end = std::min(begin + batch, data.size());
    if (end - begin != ws.batch) ws = problem.make_workspace(end - begin);
    gather(data, rows, begin, end, X, Y);
    problem.rollout(ws, X, Y, theta);
    loss_sum += ws.terminal_cost.template cast<double>().sum();
    if (problem.loss().classification())
      correct += accuracy<S>(ws.output(), Y) * double(end - begin);
  }
  const double n = double(data.size());
  return {loss_sum / n, problem.loss().classification() ? correct / n : nan};
}

template <class S>
MinibatchTrainer<S>::MinibatchTrainer(const Problem<S>& problem, const Dataset& train,
                                      const Dataset* test, TrainerOptions options)
    : problem_(problem),
      train_(train),
      test_(test),
      options_(options),
      theta_(problem.zero_params()) {
  if (options_.batch_size <= 0)
    throw InputError("train.batch_size must be positive, got " +
                     std::to_string(options_.batch_size));
  if (options_.epochs < 0)
    throw InputError("train.epochs must be non-negative, got " + std::to_string(options_.epochs));
  if (train.size() == 0) throw InputError("training set is empty");
  if (train.inputs.cols() != problem.input_shape().size())
    throw InputError("the network takes " + std::to_string(problem.input_shape().size()) +
                     " inputs but the data has " + std::to_string(train.inputs.cols()) +
                     " features");
  if (train.targets.cols() != problem.output_shape().size())
    throw InputError("the network gives " + std::to_string(problem.output_shape().size()) +
                     " outputs but the data has " + std::to_string(train.targets.cols()) +
                     " target columns");
  options_.batch_size = std::min(options_.batch_size, train.size());
  options_.schedule.total_steps = steps_per_epoch() * std::max(options_.epochs, 1);
}

template <class S>
Index MinibatchTrainer<S>::steps_per_epoch() const {
  return (train_.size() + options_.batch_size - 1) / options_.batch_size;
}

template <class S>
void MinibatchTrainer<S>::init(Params<S> theta) {
  problem_.check_params(theta);
  theta_ = std::move(theta);
  reset_controller();
  epoch_ = 0;
  steps_ = 0;
}

template <class S>
void MinibatchTrainer<S>::set_progress(int epoch, long steps) {
  epoch_ = epoch;
  steps_ = steps;
}

template <class S>
bool MinibatchTrainer<S>::finite_state(const StepReport& r) const {
  if (!std::isfinite(r.loss) || !std::isfinite(r.grad_norm)) return false;
  for (const auto& th : theta_)
    if (!th.allFinite()) return false;
  return true;
}

template <class S>
EpochReport MinibatchTrainer<S>::run_epoch(const Callbacks& callbacks) {
  Rng rng = Rng(options_.seed).split(static_cast<std::uint64_t>(epoch_));
  const std::vector<Index> order = permutation(train_.size(), rng);
  EpochReport report;
  double loss_sum = 0;
  Index batches = 0;
  stopped_ = false;
  for (Index begin = 0; begin < train_.size(); begin += options_.batch_size) {
    const Index end = std::min(begin + options_.batch_size, train_.size());
    gather(train_, order, begin, end, X_, Y_);
    const StepReport r = step(X_, Y_);
    if (!finite_state(r)) {
      interrupted_ = {TrainStatus::Diverged, "diverged at step " + std::to_string(r.step) +
                                                 " (epoch " + std::to_string(epoch_ + 1) +
                                                 "): loss " + std::to_string(r.loss) +
                                                 ", gradient norm " + std::to_string(r.grad_norm) +
                                                 "; lower the learning rate"};
      stopped_ = true;
      return report;
    }
    loss_sum += r.loss;
    ++batches;
    if (callbacks.on_step && !callbacks.on_step(r)) {
      interrupted_ = {TrainStatus::Stopped,
                      "stopped by a callback at step " + std::to_string(r.step)};
      stopped_ = true;
      return report;
    }
  }
  ++epoch_;
  report.epoch = epoch_;
  report.step = steps_;
  report.train_loss = loss_sum / double(batches);
  report.test = test_ ? evaluate(problem_, theta_, *test_, options_.eval_batch)
                      : evaluate(problem_, theta_, Dataset{}, 1);
  if (callbacks.on_epoch && !callbacks.on_epoch(report)) {
    interrupted_ = {TrainStatus::Stopped,
                    "stopped by a callback after epoch " + std::to_string(epoch_)};
    stopped_ = true;
  }
  return report;
}

template <class S>
TrainResult MinibatchTrainer<S>::solve(const Callbacks& callbacks) {
  while (epoch_ < options_.epochs) {
    run_epoch(callbacks);
    if (stopped_) return interrupted_;
  }
  return {TrainStatus::Completed,
          "completed " + std::to_string(epoch_) + " epochs, " + std::to_string(steps_) + " steps"};
}

template <class S>
double MinibatchTrainer<S>::minibatch_gradient(CMatRef<S> X, CMatRef<S> Y, const Params<S>& at,
                                               Params<S>& grad) {
  const int threads = omp_get_max_threads();
  auto& gradient = X.rows() == options_.batch_size ? full_batch_ : tail_batch_;
  if (!gradient || gradient->batch() != X.rows() || gradient->threads() != threads)
    gradient.emplace(problem_, X.rows(), threads);
  return gradient->evaluate(X, Y, at, grad);
}

template class MinibatchTrainer<float>;
template class MinibatchTrainer<double>;
template double params_norm<float>(const Params<float>&);
template double params_norm<double>(const Params<double>&);
template Evaluation evaluate<float>(const Problem<float>&, const Params<float>&, const Dataset&,
                                    Index);
template Evaluation evaluate<double>(const Problem<double>&, const Params<double>&, const Dataset&,
                                     Index);

}  // namespace deepctl
