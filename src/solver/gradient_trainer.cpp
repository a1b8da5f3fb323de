#include "deepctl/solver/gradient_trainer.hpp"

#include <cmath>

namespace deepctl {

template <class S>
UpdateOptions GradientTrainer<S>::policy_options(const TrainerOptions& options,
                                                 const Dataset& train) {
  UpdateOptions u = options.update;
  if (u.data_size == 0) u.data_size = train.size();
  u.noise_seed = Rng(options.seed).split(kNoiseStream).next_u64();
  return u;
}

template <class S>
GradientTrainer<S>::GradientTrainer(const Problem<S>& problem, const Dataset& train,
                                    const Dataset* test, TrainerOptions options)
    : MinibatchTrainer<S>(problem, train, test, options),
      grad_(problem.zero_params()),
      policy_(policy_options(options, train), this->theta_) {}

template <class S>
StepReport GradientTrainer<S>::step(CMatRef<S> X, CMatRef<S> Y) {
  StepReport r;
  r.loss = this->minibatch_gradient(X, Y, this->theta_, grad_);
  r.grad_norm = params_norm(grad_);
  r.lr = this->options_.schedule.at(this->steps_, this->epoch_);
  r.epoch = this->epoch_;
  if (std::isfinite(r.loss) && std::isfinite(r.grad_norm)) policy_.apply(this->theta_, grad_, r.lr);
  r.step = ++this->steps_;
  return r;
}

template class GradientTrainer<float>;
template class GradientTrainer<double>;

}  // namespace deepctl
