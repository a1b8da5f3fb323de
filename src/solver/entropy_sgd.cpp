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
void local_entropy_mean(const Params<S>& x, double gamma, const EntropySgdOptions& o, Rng& rng,
                        const std::function<void(const Params<S>&, Params<S>&)>& gradient,
                        Params<S>& mean, Params<S>& inner, Params<S>& grad) {
  const S g_scale = S(gamma), eta = S(o.inner_lr);
  const double noise_scale = std::sqrt(2 * o.inner_lr) * o.noise;
  inner = x;
  mean = x;
  for (int l = 0; l < o.inner_steps; ++l) {
    gradient(inner, grad);
    for (std::size_t t = 0; t < inner.size(); ++t) {
      auto& xp = inner[t];
      xp -= eta * (grad[t] - g_scale * (x[t] - xp));
      for (Index i = 0; i < xp.size(); ++i) xp[i] += S(noise_scale * rng.normal());
      mean[t] = S(0.75) * mean[t] + S(0.25) * xp;
    }
  }
}

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
    Rng rng = Rng(this->options_.seed).split(kInnerStream).split(std::uint64_t(this->steps_));
    std::vector<Index> rows(X.rows());
    local_entropy_mean<S>(
        this->theta_, this->gamma(), entropy_, rng,
        [&](const Params<S>& at, Params<S>& g) {
          for (Index& row : rows) row = static_cast<Index>(rng.uniform_int(this->train_.size()));
          gather(this->train_, rows, 0, X.rows(), inner_X_, inner_Y_);
          this->minibatch_gradient(inner_X_, inner_Y_, at, g);
        },
        mean_, inner_, inner_grad_);
    for (std::size_t t = 0; t < grad_.size(); ++t) grad_[t] = this->theta_[t] - mean_[t];
  }
  r.grad_norm = params_norm(grad_);
  if (std::isfinite(r.loss) && std::isfinite(r.grad_norm)) policy_.apply(this->theta_, grad_, r.lr);
  r.step = ++this->steps_;
  return r;
}

template class EntropySgdTrainer<float>;
template class EntropySgdTrainer<double>;
template void local_entropy_mean(const Params<float>&, double, const EntropySgdOptions&, Rng&,
                                 const std::function<void(const Params<float>&, Params<float>&)>&,
                                 Params<float>&, Params<float>&, Params<float>&);
template void local_entropy_mean(const Params<double>&, double, const EntropySgdOptions&, Rng&,
                                 const std::function<void(const Params<double>&, Params<double>&)>&,
                                 Params<double>&, Params<double>&, Params<double>&);

}  // namespace deepctl
