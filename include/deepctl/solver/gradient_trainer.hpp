// Gradient-adjoint trainer: minibatch descent on J whose gradient comes from the costate pass
// (REFERENCE F1: ∇_{θ_t} J = −∇_θ H_t), with a pluggable update policy and learning-rate
// schedule.
//
// Shape shared by every solver (DESIGN): options with documented defaults; init(θ); step() is
// one outer iteration (one minibatch update) for manual stepping and tests; run_epoch() and
// solve() loop over shuffled minibatches; callbacks may stop a run; the result carries a status
// and a human message. Numerical trouble (a non-finite loss, gradient or parameter) ends the
// run with status Diverged; it is never an exception.
//
// Determinism: epoch e visits the training set in the order permutation(N, Rng(seed).split(e)),
// so a run is a function of (seed, thread count) and can resume at any epoch boundary. Each
// minibatch gradient is split over the threads by rows (problem/parallel_gradient.hpp).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "deepctl/data/dataset.hpp"
#include "deepctl/problem/parallel_gradient.hpp"
#include "deepctl/solver/schedule.hpp"
#include "deepctl/solver/update_policy.hpp"

namespace deepctl {

struct TrainerOptions {
  int epochs = 10;
  Index batch_size = 128;
  std::uint64_t seed = 0;
  UpdateOptions update;
  Schedule schedule;  // schedule.total_steps is set by the trainer
  Index eval_batch = 1000;
};

struct StepReport {
  long step = 0;  // updates done so far, this one included
  int epoch = 0;  // 0-based epoch this step belongs to
  double loss = 0;
  double grad_norm = 0;
  double lr = 0;
};

struct Evaluation {
  double loss = 0;      // (1/N) Σ Φ, without the running cost
  double accuracy = 0;  // NaN for regression
};

struct EpochReport {
  int epoch = 0;          // epochs completed, this one included
  long step = 0;
  double train_loss = 0;  // mean minibatch objective J over the epoch
  Evaluation test;        // on the evaluation set; NaN fields when there is none
};

enum class TrainStatus { Completed, Stopped, Diverged };
std::string status_name(TrainStatus status);

struct TrainResult {
  TrainStatus status = TrainStatus::Completed;
  std::string message;
};

struct Callbacks {
  std::function<bool(const StepReport&)> on_step;    // return false to stop
  std::function<bool(const EpochReport&)> on_epoch;  // return false to stop
};

// Loss and accuracy of θ on a whole dataset, in chunks of `batch` rows.
template <class S>
Evaluation evaluate(const Problem<S>& problem, const Params<S>& theta, const Dataset& data,
                    Index batch = 1000);

template <class S>
class GradientTrainer {
 public:
  GradientTrainer(const Problem<S>& problem, const Dataset& train, const Dataset* test,
                  TrainerOptions options);

  // Starts from θ with a fresh controller state at epoch 0.
  void init(Params<S> theta);
  // One update on the given batch.
  StepReport step(CMatRef<S> X, CMatRef<S> Y);
  // One shuffled pass over the training set; stops early when a callback says so or on
  // divergence (see status()).
  EpochReport run_epoch(const Callbacks& callbacks = {});
  // Epochs from the current one up to options.epochs.
  TrainResult solve(const Callbacks& callbacks = {});

  Params<S>& params() { return theta_; }
  UpdatePolicy<S>& policy() { return policy_; }
  const TrainerOptions& options() const { return options_; }
  int epoch() const { return epoch_; }
  long steps() const { return steps_; }
  // Restores the progress counters of a checkpoint taken at an epoch boundary.
  void set_progress(int epoch, long steps);
  Index steps_per_epoch() const;

 private:
  bool finite_state(const StepReport& r) const;

  const Problem<S>& problem_;
  const Dataset& train_;
  const Dataset* test_;
  TrainerOptions options_;
  Params<S> theta_, grad_;
  UpdatePolicy<S> policy_;
  std::optional<ParallelGradient<S>> full_batch_, tail_batch_;  // built on first use
  Mat<S> X_, Y_;
  int epoch_ = 0;
  long steps_ = 0;
  TrainResult interrupted_;  // set when an epoch ends early
  bool stopped_ = false;
};

}  // namespace deepctl
