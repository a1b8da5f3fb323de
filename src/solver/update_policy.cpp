#include "deepctl/solver/update_policy.hpp"

#include <cmath>

#include "deepctl/core/error.hpp"
#include "deepctl/core/rng.hpp"

namespace deepctl {

UpdateKind UpdateOptions::parse_kind(const std::string& text) {
  for (UpdateKind k : {UpdateKind::SGD, UpdateKind::Momentum, UpdateKind::Nesterov,
                       UpdateKind::Adam, UpdateKind::Adagrad, UpdateKind::PID, UpdateKind::CSGD,
                       UpdateKind::CMSGD, UpdateKind::SGLD, UpdateKind::PSGLD})
    if (kind_name(k) == text) return k;
  throw InputError("unknown optimizer '" + text +
                   "'; expected one of sgd, momentum, nesterov, adam, adagrad, pid, csgd, cmsgd, "
                   "sgld, psgld, msa, entropy_sgd, ddp, vanilla_ddp, discrete_msa");
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
    case UpdateKind::Adagrad:
      return "adagrad";
    case UpdateKind::PID:
      return "pid";
    case UpdateKind::CSGD:
      return "csgd";
    case UpdateKind::CMSGD:
      return "cmsgd";
    case UpdateKind::SGLD:
      return "sgld";
    case UpdateKind::PSGLD:
      return "psgld";
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
    case UpdateKind::Adagrad:
      return {"adagrad_sum"};
    case UpdateKind::PID:
      return {"pid_i", "pid_d", "pid_gprev"};
    case UpdateKind::CSGD:
      return with(estimates, {"csgd_u"});
    case UpdateKind::CMSGD:
      return with(estimates, {"cmsgd_mu", "velocity"});
    case UpdateKind::SGLD:
      return {};
    case UpdateKind::PSGLD:
      return {"psgld_v"};
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
  if (options_.kind == UpdateKind::SGLD || options_.kind == UpdateKind::PSGLD) {
    if (options_.data_size < 1)
      throw InputError("sgld/psgld: the training set size N must be >= 1");
    if (!(options_.temperature >= 0))
      throw InputError("sgld/psgld: temperature must be >= 0, got " +
                       std::to_string(options_.temperature));
    if (!(options_.psgld_alpha >= 0 && options_.psgld_alpha < 1) || !(options_.psgld_lambda > 0))
      throw InputError("psgld: need 0 <= psgld_alpha < 1 and psgld_lambda > 0");
  }
  if (options_.kind == UpdateKind::Adagrad && !(options_.adagrad_initial >= 0))
    throw InputError("adagrad: adagrad_initial must be >= 0, got " +
                     std::to_string(options_.adagrad_initial));
  const S start = S(options_.kind == UpdateKind::Adagrad ? options_.adagrad_initial : 0.0);
  for (std::size_t b = 0; b < names_.size(); ++b) {
    Params<S> buffer;
    for (const auto& v : like) buffer.push_back(Vec<S>::Constant(v.size(), start));
    buffers_.push_back(std::move(buffer));
  }
}

template <class S>
std::vector<std::pair<std::string, Params<S>*>> UpdatePolicy<S>::state() {
  std::vector<std::pair<std::string, Params<S>*>> named;
  for (std::size_t b = 0; b < names_.size(); ++b) named.emplace_back(names_[b], &buffers_[b]);
  return named;
}

namespace {

// By value, unlike std::min/max, whose references to temporaries keep GCC from vectorising.
template <class S>
S min_of(S a, S b) {
  return a < b ? a : b;
}
template <class S>
S max_of(S a, S b) {
  return a > b ? a : b;
}

// The state of csgd/cmsgd for one layer, as raw arrays for the fused loop below.
template <class S>
struct ControlState {
  S* __restrict g_mean, * __restrict g_var, * __restrict x_mean, * __restrict x_var, * __restrict gx_cov, * __restrict beta, * __restrict control, * __restrict velocity;
};

// One branch-free pass per coordinate, which the compiler vectorises (the 7–8 state arrays
// make it memory-bound): the estimates by the weighted Welford update, with d = new − old mean
// and w = 1 − β (on the first step d = 0, so they stay at their start),
//   mean += w d,  var ← β (var + w d²),  cov ← β (cov + w d_x d_g);
// then the step with the current control; then the control and β, which stay put while
// Var x = 0. Unselected branches may hold NaN or ∞.
template <bool Momentum, class S>
void controlled_pass(ControlState<S> c, S* __restrict x, const S* __restrict g, Index n, S eta,
                     S beta_min, S beta_max) {
  // Local restrict pointers: GCC ignores restrict on struct members.
  S* __restrict g_mean = c.g_mean;
  S* __restrict g_var_ = c.g_var;
  S* __restrict x_mean = c.x_mean;
  S* __restrict x_var_ = c.x_var;
  S* __restrict gx_cov_ = c.gx_cov;
  S* __restrict beta = c.beta;
  S* __restrict control = c.control;
  S* __restrict velocity = c.velocity;
  for (Index i = 0; i < n; ++i) {
    const S b = beta[i], u = control[i];
    const S w = S(1) - b, dg = g[i] - g_mean[i], dx = x[i] - x_mean[i];
    const S mean_g = g_mean[i] + w * dg;
    g_mean[i] = mean_g;
    x_mean[i] += w * dx;
    const S g_var = b * (g_var_[i] + w * dg * dg);
    const S x_var = b * (x_var_[i] + w * dx * dx);
    const S gx_cov = b * (gx_cov_[i] + w * dx * dg);
    g_var_[i] = g_var;
    x_var_[i] = x_var;
    gx_cov_[i] = gx_cov;
    if constexpr (Momentum) {
      const S v = u * velocity[i] - eta * g[i];
      velocity[i] = v;
      x[i] += v;
    } else {
      x[i] -= eta * u * g[i];
    }
    const bool ready = x_var > S(0);
    const S a = gx_cov / (ready ? x_var : S(1));
    const S power = mean_g * mean_g + g_var;
    const S excess = S(0.5) * power / a;  // m
    S target;
    if constexpr (Momentum)
      target = a > S(0) ? max_of(S(0), min_of(S(1) - S(2) * std::sqrt(max_of(eta * a, S(0))),
                                              S(1) - eta * g_var / (S(4) * excess)))
                        : S(1);
    else
      target = a > S(0) && g_var > S(0) ? min_of(S(1), S(2) * excess / (eta * g_var)) : S(1);
    const S spread = beta_min + (beta_max - beta_min) * g_var / (power > S(0) ? power : S(1));
    const S next_beta = power > S(0) ? min_of(beta_max, max_of(beta_min, spread)) : beta_min;
    control[i] = ready ? b * u + (S(1) - b) * target : u;
    beta[i] = ready ? next_beta : b;
  }
}

}  // namespace

template <class S>
void UpdatePolicy<S>::controlled_step(std::size_t t, Vec<S>& theta, const Vec<S>& grad, S eta) {
  const bool momentum = options_.kind == UpdateKind::CMSGD;
  const ControlState<S> c{buffers_[0][t].data(), buffers_[1][t].data(),
                          buffers_[2][t].data(), buffers_[3][t].data(),
                          buffers_[4][t].data(), buffers_[5][t].data(),
                          buffers_[6][t].data(), momentum ? buffers_[7][t].data() : nullptr};
  const S beta_min = S(options_.beta_min), beta_max = S(options_.beta_max);
  const Index n = theta.size();
  if (updates_ == 1) {  // the averages start at the first values, the control at u₀ or μ₀
    const S control0 = S(momentum ? options_.momentum : options_.u0);
    for (Index i = 0; i < n; ++i) {
      c.g_mean[i] = grad[i];
      c.x_mean[i] = theta[i];
      c.g_var[i] = c.x_var[i] = c.gx_cov[i] = S(0);
      c.beta[i] = beta_min;
      c.control[i] = control0;
    }
  }
  if (momentum)
    controlled_pass<true>(c, theta.data(), grad.data(), n, eta, beta_min, beta_max);
  else
    controlled_pass<false>(c, theta.data(), grad.data(), n, eta, beta_min, beta_max);
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
      case UpdateKind::Adagrad: {
        Vec<S>& sum = buffers_[0][t];
        sum += g.cwiseAbs2();
        th.array() -= eta * g.array() / (sum.array().sqrt() + S(options_.epsilon));
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
      case UpdateKind::CMSGD:
        controlled_step(t, th, g, eta);
        break;
      case UpdateKind::SGLD:
      case UpdateKind::PSGLD: {
        const bool preconditioned = options_.kind == UpdateKind::PSGLD;
        Vec<S> precondition;
        if (preconditioned) {
          Vec<S>& v = buffers_[0][t];
          const S alpha = S(options_.psgld_alpha);
          v = alpha * v + (S(1) - alpha) * g.cwiseAbs2();
          precondition = (S(options_.psgld_lambda) + v.array().sqrt()).inverse().matrix();
          th -= eta * precondition.cwiseProduct(g);
        } else {
          th -= eta * g;
        }
        const double scale =
            std::sqrt(2.0 * lr * options_.temperature / static_cast<double>(options_.data_size));
        if (scale == 0) break;
        Rng noise = Rng(options_.noise_seed)
                        .split(static_cast<std::uint64_t>(updates_))
                        .split(static_cast<std::uint64_t>(t));
        for (Index i = 0; i < th.size(); ++i) {
          const double xi = noise.normal();
          th[i] += S(scale * xi * (preconditioned ? std::sqrt(double(precondition[i])) : 1.0));
        }
        break;
      }
    }
  }
}

template class UpdatePolicy<float>;
template class UpdatePolicy<double>;

}  // namespace deepctl
