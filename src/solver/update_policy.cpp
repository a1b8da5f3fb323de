#include "deepctl/solver/update_policy.hpp"

#include <cmath>

#include "deepctl/core/error.hpp"

namespace deepctl {

UpdateKind UpdateOptions::parse_kind(const std::string& text) {
  for (UpdateKind k : {UpdateKind::SGD, UpdateKind::Momentum, UpdateKind::Nesterov,
                       UpdateKind::Adam, UpdateKind::PID})
    if (kind_name(k) == text) return k;
  throw InputError("unknown optimizer '" + text +
                   "'; expected one of sgd, momentum, nesterov, adam, pid, msa");
}

std::string UpdateOptions::kind_name(UpdateKind kind) {
  switch (kind) {
    case UpdateKind::SGD:
      return "sgd";
    case UpdateKind::Momentum:
      return "momentum";
    case UpdateKind::Nesterov:
      return "nesterov";
    case UpdateKind::Adam:
      return "adam";
    case UpdateKind::PID:
      return "pid";
  }
  return "?";
}

template <class S>
UpdatePolicy<S>::UpdatePolicy(const UpdateOptions& options, const Params<S>& like)
    : options_(options) {
  auto zeros = [&] {
    Params<S> p;
    for (const auto& v : like) p.push_back(Vec<S>::Zero(v.size()));
    return p;
  };
  if (options_.kind != UpdateKind::SGD) first_ = zeros();
  if (options_.kind == UpdateKind::Adam || options_.kind == UpdateKind::PID) second_ = zeros();
  if (options_.kind == UpdateKind::PID) third_ = zeros();
}

template <class S>
std::vector<std::pair<std::string, Params<S>*>> UpdatePolicy<S>::state() {
  switch (options_.kind) {
    case UpdateKind::SGD:
      return {};
    case UpdateKind::Momentum:
    case UpdateKind::Nesterov:
      return {{"velocity", &first_}};
    case UpdateKind::Adam:
      return {{"adam_m", &first_}, {"adam_v", &second_}};
    case UpdateKind::PID:
      return {{"pid_i", &first_}, {"pid_d", &second_}, {"pid_gprev", &third_}};
  }
  return {};
}

template <class S>
void UpdatePolicy<S>::apply(Params<S>& theta, const Params<S>& grad, double lr) {
  ++updates_;
  const S eta = static_cast<S>(lr), mu = static_cast<S>(options_.momentum);
  for (std::size_t t = 0; t < theta.size(); ++t) {
    auto& th = theta[t];
    const auto& g = grad[t];
    switch (options_.kind) {
      case UpdateKind::SGD:
        th -= eta * g;
        break;
      case UpdateKind::Momentum:
        first_[t] = mu * first_[t] + g;
        th -= eta * first_[t];
        break;
      case UpdateKind::Nesterov:
        first_[t] = mu * first_[t] + g;
        th -= eta * (g + mu * first_[t]);
        break;
      case UpdateKind::Adam: {
        const double b1 = options_.beta1, b2 = options_.beta2;
        const S c1 = static_cast<S>(1.0 / (1.0 - std::pow(b1, double(updates_))));
        const S c2 = static_cast<S>(1.0 / (1.0 - std::pow(b2, double(updates_))));
        first_[t] = S(b1) * first_[t] + S(1 - b1) * g;
        second_[t] = S(b2) * second_[t] + S(1 - b2) * g.cwiseAbs2();
        th.array() -= eta * ((c1 * first_[t].array()) /
                                 ((c2 * second_[t].array()).sqrt() + S(options_.epsilon)) +
                             S(options_.weight_decay) * th.array());
        break;
      }
      case UpdateKind::PID: {
        if (updates_ == 1) third_[t] = g;  // no difference yet: D starts at 0
        first_[t] = mu * first_[t] + g;
        second_[t] = mu * second_[t] + (S(1) - mu) * (g - third_[t]);
        third_[t] = g;
        th -= eta * (g + S(options_.ki) * first_[t] + S(options_.kd) * second_[t]);
        break;
      }
    }
  }
}

template class UpdatePolicy<float>;
template class UpdatePolicy<double>;

}  // namespace deepctl
