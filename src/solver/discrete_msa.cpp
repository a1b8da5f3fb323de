#include "deepctl/solver/discrete_msa.hpp"

#include <cmath>

#include "deepctl/core/error.hpp"
#include "deepctl/layer/dense.hpp"

namespace deepctl {
namespace {

UpdateOptions adam_of(UpdateOptions u) {
  u.kind = UpdateKind::Adam;
  u.weight_decay = 0;  // the discrete W blocks get a zero gradient and must not move
  return u;
}

template <class S>
const Dense<S>* dense_of(const Layer<S>& l) {
  return dynamic_cast<const Dense<S>*>(&l);
}

}  // namespace

double ternary_update(double m, double w_old, double rho_k, double lambda) {
  if (m > rho_k * (1 - 2 * w_old) + lambda) return 1;
  if (m < -rho_k * (1 + 2 * w_old) - lambda) return -1;
  return 0;
}

template <class S>
DiscreteMsaTrainer<S>::DiscreteMsaTrainer(const Problem<S>& problem, const Dataset& train,
                                          const Dataset* test, TrainerOptions options,
                                          DiscreteMsaOptions msa)
    : MinibatchTrainer<S>(problem, train, test, options),
      msa_(msa),
      adam_(adam_of(options.update), problem.zero_params()) {
  if (!(msa.rho >= 0) || !(msa.lambda >= 0) || !(msa.alpha >= 0 && msa.alpha < 1) ||
      !(msa.decay > 0 && msa.decay <= 1))
    throw InputError(
        "discrete_msa: need discrete_rho >= 0, discrete_lambda >= 0, 0 <= discrete_alpha < 1 "
        "and 0 < discrete_alpha_decay <= 1");
  for (Index t = 0; t < problem.num_layers(); ++t)
    if (const auto* d = dense_of(problem.layer(t)); d && d->weights() != WeightSet::Real)
      discrete_.push_back(t);
  if (discrete_.empty())
    throw InputError(
        "discrete_msa: the network has no binary or ternary dense layer (model.layers[i].weights)");
  reset_controller();
}

template <class S>
void DiscreteMsaTrainer<S>::reset_controller() {
  adam_ = UpdatePolicy<S>(adam_of(this->options_.update), this->theta_);
  moving_.assign(this->problem_.num_layers(), Vec<S>());
  for (Index t : discrete_) {
    const auto* d = dense_of(this->problem_.layer(t));
    moving_[t] = Vec<S>::Zero(d->inputs() * d->outputs());
  }
}

template <class S>
std::vector<std::pair<std::string, Params<S>*>> DiscreteMsaTrainer<S>::controller_state() {
  auto state = adam_.state();
  state.emplace_back("msa_m", &moving_);
  return state;
}

template <class S>
double discrete_nonzero_fraction(const Problem<S>& problem, const Params<S>& theta) {
  double nonzero = 0, total = 0;
  for (Index t = 0; t < problem.num_layers(); ++t)
    if (const auto* d = dense_of(problem.layer(t)); d && d->weights() != WeightSet::Real) {
      const Index n = d->inputs() * d->outputs();
      nonzero += double((theta[t].head(n).array() != S(0)).count());
      total += double(n);
    }
  return total > 0 ? nonzero / total : std::nan("");
}

template <class S>
StepReport DiscreteMsaTrainer<S>::step(CMatRef<S> X, CMatRef<S> Y) {
  StepReport r;
  r.loss = this->minibatch_gradient(X, Y, this->theta_, grad_);
  r.grad_norm = params_norm(grad_);
  r.lr = this->options_.schedule.at(this->steps_, this->epoch_);
  r.epoch = this->epoch_;
  r.step = ++this->steps_;
  if (!std::isfinite(r.loss) || !std::isfinite(r.grad_norm)) return r;
  const double alpha = 1 - (1 - msa_.alpha) * std::pow(msa_.decay, double(this->epoch_));
  for (Index t : discrete_) {
    const auto* dense = dense_of(this->problem_.layer(t));
    const Index n = moving_[t].size();
    auto W = this->theta_[t].head(n);
    Vec<S>& M = moving_[t];
    M = S(alpha) * M - S(1 - alpha) * grad_[t].head(n);  // G = ∂H/∂W = −∇_W J
    grad_[t].head(n).setZero();                          // Adam leaves W alone
    const bool binary = dense->weights() == WeightSet::Binary;
    // The largest |M| among the entries whose value is not the unconstrained maximiser.
    S largest_wrong = 0;
    for (Index i = 0; i < n; ++i) {
      const S target = binary
                           ? (M[i] >= 0 ? S(1) : S(-1))
                           : (std::abs(M[i]) > S(msa_.lambda) ? (M[i] > 0 ? S(1) : S(-1)) : S(0));
      if (W[i] != target) largest_wrong = std::max(largest_wrong, std::abs(M[i]));
    }
    if (largest_wrong == 0) continue;
    const double threshold = msa_.rho * double(largest_wrong);
    for (Index i = 0; i < n; ++i) {
      if (binary) {
        if (std::abs(double(M[i])) > threshold) W[i] = M[i] >= 0 ? S(1) : S(-1);
      } else {
        W[i] = S(ternary_update(double(M[i]), double(W[i]), threshold, msa_.lambda));
      }
    }
  }
  adam_.apply(this->theta_, grad_, r.lr);
  return r;
}

template class DiscreteMsaTrainer<float>;
template class DiscreteMsaTrainer<double>;
template double discrete_nonzero_fraction(const Problem<float>&, const Params<float>&);
template double discrete_nonzero_fraction(const Problem<double>&, const Params<double>&);

}  // namespace deepctl
