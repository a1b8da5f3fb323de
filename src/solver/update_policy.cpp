#include "deepctl/solver/update_policy.hpp"

#include <cmath>

#include "deepctl/core/error.hpp"

namespace deepctl {

UpdateKind UpdateOptions::parse_kind(const std::string& text) {
  for (UpdateKind k : {UpdateKind::SGD, UpdateKind::Momentum, UpdateKind::Nesterov,
                       UpdateKind::Adam, UpdateKind::PID, UpdateKind::CSGD, UpdateKind::CMSGD})
    if (kind_name(k) == text) return k;
  throw InputError("unknown optimizer '" + text +
                   "'; expected one of sgd, momentum, nesterov, adam, pid, csgd, cmsgd, msa");
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
    case UpdateKind::CSGD:
      return "csgd";
    case UpdateKind::CMSGD:
      return "cmsgd";
  }
  return "?";
}

std::vector<std::string> state_names(UpdateKind kind) {
  static const std::vector<std::string> estimates = {"ctrl_g_mean", "ctrl_g_var",  "ctrl_x_mean",
                                                     "ctrl_x_var",  "ctrl_gx_cov", "ctrl_beta"};
  auto with = [](std::vector<std::string> names, std::initializer_list<const char*> more) {
    names.insert(names.end(), more.begin(), more.end());
    return names;
  };
  switch (kind) {
    case UpdateKind::SGD:
      return {};
    case UpdateKind::Momentum:
    case UpdateKind::Nesterov:
      return {"velocity"};
    case UpdateKind::Adam:
      return {"adam_m", "adam_v"};
    case UpdateKind::PID:
      return {"pid_i", "pid_d", "pid_gprev"};
    case UpdateKind::CSGD:
      return with(estimates, {"csgd_u"});
    case UpdateKind::CMSGD:
      return with(estimates, {"cmsgd_mu", "velocity"});
  }
  return {};
}

template <class S>
UpdatePolicy<S>::UpdatePolicy(const UpdateOptions& options, const Params<S>& like)
    : options_(options), names_(state_names(options.kind)) {
  if (options_.kind == UpdateKind::CSGD || options_.kind == UpdateKind::CMSGD) {
    if (!(options_.beta_min > 0 && options_.beta_min <= options_.beta_max && options_.beta_max < 1))
      throw InputError("csgd/cmsgd: need 0 < beta_min <= beta_max < 1, got beta_min = " +
                       std::to_string(options_.beta_min) +
                       ", beta_max = " + std::to_string(options_.beta_max));
    if (!(options_.u0 > 0 && options_.u0 <= 1))
      throw InputError("csgd: u0 must be in (0, 1], got " + std::to_string(options_.u0));
  }
  for (std::size_t b = 0; b < names_.size(); ++b) {
    Params<S> zeros;
    for (const auto& v : like) zeros.push_back(Vec<S>::Zero(v.size()));
    buffers_.push_back(std::move(zeros));
  }
}

template <class S>
std::vector<std::pair<std::string, Params<S>*>> UpdatePolicy<S>::state() {
  std::vector<std::pair<std::string, Params<S>*>> named;
  for (std::size_t b = 0; b < names_.size(); ++b) named.emplace_back(names_[b], &buffers_[b]);
  return named;
}

template <class S>
void UpdatePolicy<S>::update_estimates(std::size_t t, const Vec<S>& theta, const Vec<S>& g) {
  auto g_mean = buffers_[0][t].array();
  auto g_var = buffers_[1][t].array();
  auto x_mean = buffers_[2][t].array();
  auto x_var = buffers_[3][t].array();
  auto gx_cov = buffers_[4][t].array();
  auto beta = buffers_[5][t].array();
  if (updates_ == 1) {
    g_mean = g.array();
    x_mean = theta.array();
    g_var.setZero();
    x_var.setZero();
    gx_cov.setZero();
    beta.setConstant(S(options_.beta_min));
    return;
  }
  // Weighted Welford: with d = new − old mean and w = 1 − β, mean += w d and
  // var ← β (var + w d²), cov ← β (cov + w d_x d_g).
  const auto w = S(1) - beta;
  const auto dg = (g.array() - g_mean).eval();
  const auto dx = (theta.array() - x_mean).eval();
  g_mean += w * dg;
  x_mean += w * dx;
  g_var = beta * (g_var + w * dg * dg);
  x_var = beta * (x_var + w * dx * dx);
  gx_cov = beta * (gx_cov + w * dx * dg);
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
      case UpdateKind::Momentum: {
        Vec<S>& velocity = buffers_[0][t];
        velocity = mu * velocity + g;
        th -= eta * velocity;
        break;
      }
      case UpdateKind::Nesterov: {
        Vec<S>& velocity = buffers_[0][t];
        velocity = mu * velocity + g;
        th -= eta * (g + mu * velocity);
        break;
      }
      case UpdateKind::Adam: {
        Vec<S>&m = buffers_[0][t], &v = buffers_[1][t];
        const double b1 = options_.beta1, b2 = options_.beta2;
        const S c1 = static_cast<S>(1.0 / (1.0 - std::pow(b1, double(updates_))));
        const S c2 = static_cast<S>(1.0 / (1.0 - std::pow(b2, double(updates_))));
        m = S(b1) * m + S(1 - b1) * g;
        v = S(b2) * v + S(1 - b2) * g.cwiseAbs2();
        th.array() -= eta * ((c1 * m.array()) / ((c2 * v.array()).sqrt() + S(options_.epsilon)) +
                             S(options_.weight_decay) * th.array());
        break;
      }
      case UpdateKind::PID: {
        Vec<S>&integral = buffers_[0][t], &derivative = buffers_[1][t], &g_prev = buffers_[2][t];
        if (updates_ == 1) g_prev = g;  // no difference yet: D starts at 0
        integral = mu * integral + g;
        derivative = mu * derivative + (S(1) - mu) * (g - g_prev);
        g_prev = g;
        th -= eta * (g + S(options_.ki) * integral + S(options_.kd) * derivative);
        break;
      }
      case UpdateKind::CSGD:
      case UpdateKind::CMSGD: {
        // As the authors' code orders it: estimates, the step with the current control, then
        // the control and β from the new estimates.
        update_estimates(t, th, g);
        const bool momentum = options_.kind == UpdateKind::CMSGD;
        Vec<S>& control = buffers_[6][t];  // u (csgd) or μ (cmsgd)
        if (updates_ == 1) control.setConstant(S(momentum ? options_.momentum : options_.u0));
        if (momentum) {
          Vec<S>& velocity = buffers_[7][t];
          velocity = control.cwiseProduct(velocity) - eta * g;
          th += velocity;
        } else {
          th -= eta * control.cwiseProduct(g);
        }
        const auto g_mean = buffers_[0][t].array();
        const auto g_var = buffers_[1][t].array();
        const auto x_var = buffers_[3][t].array();
        const auto gx_cov = buffers_[4][t].array();
        auto beta = buffers_[5][t].array();
        const S beta_min = S(options_.beta_min), beta_max = S(options_.beta_max);
        for (Index i = 0; i < th.size(); ++i) {
          if (!(x_var[i] > S(0))) continue;  // no curvature estimate yet
          const S a = gx_cov[i] / x_var[i], power = g_mean[i] * g_mean[i] + g_var[i];
          const S excess = S(0.5) * power / a;  // m
          S target;
          if (!momentum)
            target = a > S(0) && g_var[i] > S(0) ? std::min(S(1), S(2) * excess / (eta * g_var[i]))
                                                 : S(1);
          else
            target = a > S(0) ? std::max(S(0), std::min(S(1) - S(2) * std::sqrt(eta * a),
                                                        S(1) - eta * g_var[i] / (S(4) * excess)))
                              : S(1);
          control[i] = beta[i] * control[i] + (S(1) - beta[i]) * target;
          beta[i] = power > S(0) ? std::clamp(beta_min + (beta_max - beta_min) * g_var[i] / power,
                                              beta_min, beta_max)
                                 : beta_min;
        }
        break;
      }
    }
  }
}

template class UpdatePolicy<float>;
template class UpdatePolicy<double>;

}  // namespace deepctl
