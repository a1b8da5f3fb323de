// Gradient-adjoint trainer: minibatch descent on J whose gradient comes from the costate pass
// (REFERENCE F1: ∇_{θ_t} J = −∇_θ H_t), with a pluggable update policy (the controller) and
// learning-rate schedule. Each minibatch gradient is split over the threads by rows
// (problem/parallel_gradient.hpp). The loop, callbacks and statuses: minibatch_trainer.hpp.
#pragma once

#include "deepctl/solver/minibatch_trainer.hpp"

namespace deepctl {

template <class S>
class GradientTrainer final : public MinibatchTrainer<S> {
 public:
  GradientTrainer(const Problem<S>& problem, const Dataset& train, const Dataset* test,
                  TrainerOptions options);

  StepReport step(CMatRef<S> X, CMatRef<S> Y) override;
  UpdatePolicy<S>& policy() { return policy_; }
  std::vector<std::pair<std::string, Params<S>*>> controller_state() override {
    return policy_.state();
  }
  long controller_updates() const override { return policy_.updates(); }
  void set_controller_updates(long k) override { policy_.set_updates(k); }

 private:
  void reset_controller() override {
    policy_ = UpdatePolicy<S>(policy_options(this->options_, this->train_), this->theta_);
  }
  // The policy's options with sgld's N (the training set's size unless given) and its noise
  // seed (from the trainer's seed, a stream of its own).
  static UpdateOptions policy_options(const TrainerOptions& options, const Dataset& train);
  static constexpr std::uint64_t kNoiseStream = 0x5A11;

  Params<S> grad_;
  UpdatePolicy<S> policy_;
};

}  // namespace deepctl
