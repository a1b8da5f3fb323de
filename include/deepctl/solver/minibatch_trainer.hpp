// The minibatch loop every trainer shares (DESIGN's solver shape): options with documented
// defaults; init(θ); step() is one outer iteration (one minibatch update) for manual stepping and
// tests; run_epoch() and solve() loop over shuffled minibatches; callbacks may stop a run; the
// result carries a status and a human message. Numerical trouble (a non-finite loss, gradient
// or parameter) ends the run with status Diverged; it is never an exception.
//
// A trainer derives from MinibatchTrainer and supplies step() and, when its controller has a
// state (momentum buffers, Adam's moments), controller_state() so that checkpoints carry it
// (io/checkpoint.hpp). GradientTrainer (gradient_trainer.hpp) and MsaTrainer (msa.hpp) are the
// two kinds so far.
//
// Determinism: epoch e visits the training set in the order permutation(N, Rng(seed).split(e)),
// so a run is a function of (seed, thread count) and can resume at any epoch boundary.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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
  int epoch = 0;  // epochs completed, this one included
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

// ‖θ‖ over all layers, accumulated in double (the gradient norm of a StepReport).
template <class S>
double params_norm(const Params<S>& theta);

template <class S>
class MinibatchTrainer {
 public:
  MinibatchTrainer(const Problem<S>& problem, const Dataset& train, const Dataset* test,
                   TrainerOptions options);
  virtual ~MinibatchTrainer() = default;

  // Starts from θ with a fresh controller state at epoch 0.
  void init(Params<S> theta);
  // One update on the given batch.
  virtual StepReport step(CMatRef<S> X, CMatRef<S> Y) = 0;
  // One shuffled pass over the training set; stops early when a callback says so or on
  // divergence.
  EpochReport run_epoch(const Callbacks& callbacks = {});
  // Epochs from the current one up to options.epochs.
  TrainResult solve(const Callbacks& callbacks = {});

  const Problem<S>& problem() const { return problem_; }
  Params<S>& params() { return theta_; }
  const TrainerOptions& options() const { return options_; }
  int epoch() const { return epoch_; }
  long steps() const { return steps_; }
  // Minibatch forward–costate passes one step costs: 1, or L + 1 for Entropy-SGD. MSA counts 1
  // (its per-layer maximisation re-uses the stored states; its cost is in the wall time).
  // Epochs × this are the "effective epochs" of Chaudhari et al.
  virtual int passes_per_step() const { return 1; }
  // Restores the progress counters of a checkpoint taken at an epoch boundary.
  void set_progress(int epoch, long steps);
  Index steps_per_epoch() const;

  // The controller's named buffers and its update count, for checkpoints (none by default).
  virtual std::vector<std::pair<std::string, Params<S>*>> controller_state() { return {}; }
  virtual long controller_updates() const { return 0; }
  virtual void set_controller_updates(long) {}

 protected:
  // Called by init(): forget the controller's state.
  virtual void reset_controller() {}
  // J and ∇J at `at` on a minibatch, split over the threads by rows
  // (problem/parallel_gradient.hpp); one evaluator for full minibatches and one for the epoch's
  // shorter last one, each built on first use.
  double minibatch_gradient(CMatRef<S> X, CMatRef<S> Y, const Params<S>& at, Params<S>& grad);

  const Problem<S>& problem_;
  const Dataset& train_;
  const Dataset* test_;
  TrainerOptions options_;
  Params<S> theta_;
  long steps_ = 0;
  int epoch_ = 0;

 private:
  bool finite_state(const StepReport& r) const;
  std::optional<ParallelGradient<S>> full_batch_, tail_batch_;
  Mat<S> X_, Y_;
  TrainResult interrupted_;  // set when an epoch ends early
  bool stopped_ = false;
};

}  // namespace deepctl
