// The training problem as discrete-time optimal control (REFERENCE F1, conventions C1–C5):
//
//   x_{t+1}^s = f_t(x_t^s, θ_t),  t = 0..T−1,  x_0^s = input s
//   J(θ)      = (1/B) Σ_s Φ(x_T^s, y^s) + Σ_t R_t(θ_t),   R_t(θ) = (λ/2)‖θ‖²  (L2 running cost)
//               + (α/h_t) Σ_{t ∈ pairs} ‖θ_{t+1} − θ_t‖²   (time smoothness, Haber & Ruthotto,
//               REFERENCE F6: over adjacent layers of one kind and size that are steps of an
//               ODE — residual or hamiltonian — with h_t layer t's step; it couples neighbours,
//               so the per-layer Hamiltonian below keeps only the separable L2 part)
//   p_T^s     = −(1/B) ∇Φ(x_T^s, y^s)          the only place 1/B appears
//   p_t^s     = f_{t,x}(x_t^s, θ_t)ᵀ p_{t+1}^s  the costate (back-propagation) pass
//   H_t       = Σ_s p_{t+1}^s · f_t(x_t^s, θ) − R_t(θ)
//   ∇_{θ_t} J = −∇_θ H_t = −Σ_s f_{t,θ}ᵀ p_{t+1}^s + λ θ_t
//
// Call order: make_workspace(B) once per batch size; rollout(ws, X, Y, θ) fills the states
// x_0..x_T and returns J; adjoint(ws, Y, θ, grad) then fills the costates p_1..p_T (p_0 too when
// asked) and grad[t] = ∇_{θ_t} J. A Workspace owns every buffer, so repeated calls never allocate.
#pragma once

#include <memory>
#include <vector>

#include "deepctl/layer/layer.hpp"
#include "deepctl/loss/loss.hpp"

namespace deepctl {

template <class S>
struct Workspace {
  Index batch = 0;
  std::vector<Mat<S>> states;    // x_0 .. x_T, each B × n_t
  std::vector<Mat<S>> costates;  // p_0 .. p_T, each B × n_t
  std::vector<std::unique_ptr<LayerData>> layer_data;
  Vec<S> terminal_cost;  // Φ(x_T^s, y^s) per sample
  Mat<S> loss_gradient;  // ∇Φ(x_T^s, y^s) per sample

  const Mat<S>& output() const { return states.back(); }
};

// θ as one vector, layer after layer, and back (sizes checked by the Problem's users).
template <class S>
Vec<S> flatten(const Params<S>& theta);
template <class S>
void unflatten(CVecRef<S> flat, Params<S>& theta);

template <class S>
class Problem {
 public:
  Problem(std::vector<std::shared_ptr<const Layer<S>>> layers, std::shared_ptr<const Loss<S>> loss,
          double l2 = 0.0, double time_smoothness = 0.0);

  Index num_layers() const { return static_cast<Index>(layers_.size()); }
  const Layer<S>& layer(Index t) const { return *layers_[t]; }
  const Loss<S>& loss() const { return *loss_; }
  double l2() const { return l2_; }
  double time_smoothness() const { return time_smoothness_; }
  // Whether J has any running cost (L2 or time smoothness).
  bool has_running_cost() const { return l2_ > 0 || !smooth_pairs_.empty(); }
  Shape input_shape() const { return layers_.front()->input_shape(); }
  Shape output_shape() const { return layers_.back()->output_shape(); }
  Index num_params() const;

  // Zero parameters of the right sizes, and the initialised ones (layer t draws from rng.split(t)).
  Params<S> zero_params() const;
  Params<S> init_params(const Rng& rng, const Initializer& init) const;
  // Throws InputError unless θ has one vector of the right size per layer.
  void check_params(const Params<S>& theta) const;

  Workspace<S> make_workspace(Index batch) const;

  // The running cost: Σ_t R_t(θ_t) plus the time-smoothness term.
  S running_cost(const Params<S>& theta) const;
  // grad += ∇_θ of the running cost. It is quadratic, so with θ = v this adds its Hessian
  // times v (the curvature products use that).
  void add_running_cost_gradient(const Params<S>& theta, Params<S>& grad) const;
  // Forward pass: states and J for inputs X (B × n_0) and targets Y (B × n_T).
  S rollout(Workspace<S>& ws, CMatRef<S> X, CMatRef<S> Y, const Params<S>& theta) const;
  // J of the output ws already holds (after a forward pass at θ); sets ws.terminal_cost.
  S cost(Workspace<S>& ws, CMatRef<S> Y, const Params<S>& theta) const;
  // After rollout: ws.loss_gradient = ∇Φ per sample and the terminal costate p_T = −(1/B)∇Φ.
  void terminal_costate(Workspace<S>& ws, CMatRef<S> Y) const;
  // Costate pass after rollout: costates and grad[t] = ∇_{θ_t} J (terminal_costate, then
  // propagate_costates and the running cost's gradient).
  void adjoint(Workspace<S>& ws, CMatRef<S> Y, const Params<S>& theta, Params<S>& grad,
               bool input_costate = false) const;
  // The costate recursion from whatever terminal costate ws.costates.back() holds:
  // p_t = f_xᵀ p_{t+1} and g[t] = −Σ_s f_θᵀ p_{t+1}^s (no running cost). With p_T = −(1/B)∇Φ
  // this is adjoint() less λθ; with p_T = −(1/B) q it applies the transposed parameter
  // Jacobian, g = (1/B) Σ_s J_sᵀ q_s (Gauss–Newton products, spectrum/hessian.hpp).
  void propagate_costates(Workspace<S>& ws, const Params<S>& theta, Params<S>& g,
                          bool input_costate = false) const;

 private:
  std::vector<std::shared_ptr<const Layer<S>>> layers_;
  std::shared_ptr<const Loss<S>> loss_;
  double l2_;
  double time_smoothness_;
  std::vector<std::pair<Index, double>> smooth_pairs_;  // (t, α/h_t) for θ_t and θ_{t+1}
};

}  // namespace deepctl
