// Update policies of the gradient-adjoint trainer: how θ moves given g = ∇_θ J (from the costate
// pass) and the learning rate η of the current step. Per layer, elementwise:
//
//   sgd        θ ← θ − η g
//   momentum   v ← μ v + g;           θ ← θ − η v                 (heavy ball, PyTorch form)
//   nesterov   v ← μ v + g;           θ ← θ − η (g + μ v)         (Sutskever et al. 2013)
//   adam       m ← β₁ m + (1−β₁) g;   v ← β₂ v + (1−β₂) g²;  k ← k + 1
//              θ ← θ − η [ m/(1−β₁^k) / (√(v/(1−β₂^k)) + ε) + λ_wd θ ]
//              (Kingma & Ba 2015; decoupled weight decay λ_wd of Loshchilov & Hutter 2019)
//   pid        I ← μ I + g;   D ← μ D + (1−μ)(g − g_prev);   θ ← θ − η (g + K_i I + K_d D);
//              g_prev ← g     (An et al. 2018, the buffer form with the gradient difference the
//              paper intends; the official code never stores g_prev. At the first step
//              g_prev = g, so D starts at 0.)
//
// Read as control: each policy is a feedback law from the measured gradient to the control
// increment (REFERENCE F12); its buffers are the controller's state and are checkpointed.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "deepctl/core/types.hpp"

namespace deepctl {

enum class UpdateKind { SGD, Momentum, Nesterov, Adam, PID };

struct UpdateOptions {
  UpdateKind kind = UpdateKind::Adam;
  double momentum = 0.9;      // μ
  double beta1 = 0.9;         // β₁
  double beta2 = 0.999;       // β₂
  double epsilon = 1e-8;      // ε
  double weight_decay = 0.0;  // λ_wd, decoupled (adam only)
  double ki = 5.0;            // K_i (pid)
  double kd = 10.0;           // K_d (pid)

  static UpdateKind parse_kind(const std::string& text);
  static std::string kind_name(UpdateKind kind);
};

template <class S>
class UpdatePolicy {
 public:
  UpdatePolicy(const UpdateOptions& options, const Params<S>& like);

  void apply(Params<S>& theta, const Params<S>& grad, double lr);

  const UpdateOptions& options() const { return options_; }
  // The controller state by name ("velocity", "adam_m", "adam_v"), for checkpoints.
  std::vector<std::pair<std::string, Params<S>*>> state();
  long updates() const { return updates_; }
  void set_updates(long k) { updates_ = k; }

 private:
  UpdateOptions options_;
  Params<S> first_, second_, third_;  // velocity, m or I; v or D; g_prev
  long updates_ = 0;                  // k, Adam's bias-correction count
};

}  // namespace deepctl
