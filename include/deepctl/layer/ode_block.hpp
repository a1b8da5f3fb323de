// ODE block: f(x, θ) = x(T) for dx/dt = g(x, θ) on [0, T], x(0) = x, integrated with N steps of
// an explicit Runge–Kutta scheme (REFERENCE F6, F7): one layer of the discrete network is a
// whole continuous-depth block. g is any size-preserving layer (a dense φ(Wx + b) from configs).
//
// One step of size h = T/N with Butcher tableau (a, b):
//   y_i = x + h Σ_{j<i} a_ij k_j,   k_i = g(y_i, θ),   x' = x + h Σ_i b_i k_i
// Gradients are discretise-then-optimise: the exact costate pass through every stage of every
// step (store-all: the stage data of all N·s evaluations of g are kept), so vjp is the exact
// derivative of the computed x(T):
//   κ_i = h b_i p' + h Σ_{j>i} a_ji ν_j,   ν_i = g_xᵀ(y_i) κ_i,   p = p' + Σ_i ν_i,
//   ∇_θ H += Σ_i g_θᵀ(y_i) κ_i      (stages in reverse, steps in reverse)
// jvp runs the tangent forward through the same stages. Solvers and orders: euler (1),
// midpoint (2), rk4 (4); nfe() = N·s evaluations of g per forward pass.
#pragma once

#include <vector>

#include "deepctl/layer/layer.hpp"

namespace deepctl {

enum class OdeSolver { Euler, Midpoint, RK4 };

struct ButcherTableau {
  std::vector<std::vector<double>> a;  // a[i][j], j < i
  std::vector<double> b;
  int order = 1;
  static ButcherTableau of(OdeSolver solver);
  // "euler", "midpoint", "rk4"; InputError otherwise.
  static OdeSolver parse(const std::string& text);
  static std::string name(OdeSolver solver);
};

template <class S>
class OdeBlock final : public Layer<S> {
 public:
  OdeBlock(std::shared_ptr<const Layer<S>> vector_field, double time, Index steps,
           OdeSolver solver);

  std::string kind() const override { return "ode"; }
  std::string describe() const override;
  Shape input_shape() const override { return g_->input_shape(); }
  Shape output_shape() const override { return g_->output_shape(); }
  Index num_params() const override { return g_->num_params(); }
  Capabilities capabilities() const override { return g_->capabilities(); }
  const Layer<S>& vector_field() const { return *g_; }
  int order() const { return tableau_.order; }
  // Evaluations of g per forward pass.
  Index nfe() const { return steps_ * Index(tableau_.b.size()); }

  std::unique_ptr<LayerData> make_data(Index batch) const override;
  void forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const override;
  void vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
           VecRef<S> g) const override;
  void jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx, CVecRef<S> dtheta,
           MatRef<S> dy) const override;
  void init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const override;

 private:
  std::shared_ptr<const Layer<S>> g_;
  double time_;
  Index steps_;
  OdeSolver solver_;
  ButcherTableau tableau_;
};

}  // namespace deepctl
