#include "deepctl/solver/entropy_sgd.hpp"

#include <cmath>
#include <string>

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

UpdateOptions nesterov(UpdateOptions u) {
  u.kind = UpdateKind::Nesterov;
  return u;
}

constexpr std::uint64_t kInnerStream = 0xE5;

}  // namespace

template <class S>
EntropySgdTrainer<S>::EntropySgdTrainer(const Problem<S>& problem, const Dataset& train,
                                        const Dataset* test, TrainerOptions options,
                                        EntropySgdOptions entropy)
    : MinibatchTrainer<S>(problem, train, test, options),
      entropy_(entropy),
      policy_(nesterov(options.update), this->theta_) {
  if (entropy.inner_steps < 0 || !(entropy.inner_lr > 0) || !(entropy.noise >= 0) ||
      !(entropy.gamma >= 0) || !(entropy.gamma_growth >= 0))
    throw InputError(
        "entropy_sgd: need inner_steps >= 0, inner_lr > 0, entropy_noise >= 0, "
        "entropy_gamma >= 0 and entropy_gamma_growth >= 0");
}

template <class S>
void EntropySgdTrainer<S>::reset_controller() {
  policy_ = UpdatePolicy<S>(nesterov(this->options_.update), this->theta_);
}

template <class S>
double EntropySgdTrainer<S>::gamma() const {
  return entropy_.gamma * std::pow(1 + entropy_.gamma_growth, double(this->steps_));
}

template <class S>
StepReport EntropySgdTrainer<S>::step(CMatRef<S> X, CMatRef<S> Y) {
  StepReport r;
  r.loss = this->minibatch_gradient(X, Y, this->theta_, grad_);
  r.lr = this->options_.schedule.at(this->steps_, this->epoch_);
  r.epoch = this->epoch_;
  if (entropy_.inner_steps > 0) {
    const S gamma = S(this->gamma()), eta = S(entropy_.inner_lr);
    const double noise_scale = std::sqrt(2 * entropy_.inner_lr) * entropy_.noise;
    Rng rng = Rng(this->options_.seed).split(kInnerStream).split(std::uint64_t(this->steps_));
    inner_ = this->theta_;
    mean_ = this->theta_;
    std::vector<Index> rows(X.rows());
    for (int l = 0; l < entropy_.inner_steps; ++l) {
      for (Index& row : rows) row = static_cast<Index>(rng.uniform_int(this->train_.size()));
      gather(this->train_, rows, 0, X.rows(), inner_X_, inner_Y_);
      Params<S>& g = inner_grad_;
      this->minibatch_gradient(inner_X_, inner_Y_, inner_, g);
      for (std::size_t t = 0; t < inner_.size(); ++t) {
        auto& xp = inner_[t];
        xp -= eta * (g[t] - gamma * (this->theta_[t] - xp));
        for (Index i = 0; i < xp.size(); ++i) xp[i] += S(noise_scale * rng.normal());
        mean_[t] = S(0.75) * mean_[t] + S(0.25) * xp;
      }
    }
    for (std::size_t t = 0; t < grad_.size(); ++t) grad_[t] = this->theta_[t] - mean_[t];
  }
  r.grad_norm = params_norm(grad_);
  if (std::isfinite(r.loss) && std::isfinite(r.grad_norm)) policy_.apply(this->theta_, grad_, r.lr);
  r.step = ++this->steps_;
  return r;
}

template class EntropySgdTrainer<float>;
template class EntropySgdTrainer<double>;

}  // namespace deepctl
