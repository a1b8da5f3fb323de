// ODE block: f(x, θ) = x(T) for dx/dt = g(x, θ) on [0, T], x(0) = x, integrated with N steps of
// an explicit Runge–Kutta scheme (REFERENCE F6, F7): one layer of the discrete network is a
// whole continuous-depth block. g is any size-preserving layer (a dense φ(Wx + b) from configs).
//
// One step of size h = T/N with Butcher tableau (a, b):
//   y_i = x + h Σ_{j<i} a_ij k_j,   k_i = g(y_i, θ),   x' = x + h Σ_i b_i k_i
// Gradients, two ways (F7):
// - discrete (discretise-then-optimise, the default): the exact costate pass through every
//   stage of every step (store-all: the data of all N·s evaluations of g are kept), so vjp is
//   the exact derivative of the computed x(T):
//     κ_i = h b_i p' + h Σ_{j>i} a_ji ν_j,   ν_i = g_xᵀ(y_i) κ_i,   p = p' + Σ_i ν_i,
//     ∇_θ H += Σ_i g_θᵀ(y_i) κ_i      (stages in reverse, steps in reverse)
// - adjoint (optimise-then-discretise, Chen et al. 2018): the augmented system integrated
//   backward in τ = T − t from (x(T), p', 0) with the same scheme,
//     dx/dτ = −g(x),   dp/dτ = g_xᵀ(x) p,   dG/dτ = g_θᵀ(x) p,   giving p = p(τ = T), ∇_θH = G(T);
//   memory is one step's stages, whatever N. It reconstructs x(t) backwards and is only an
//   approximation of the discrete gradient (error O(h^order) for smooth g, worse for stiff or
//   dissipative g): tests/cpp/test_ode.cpp measures the gap.
// jvp recomputes the forward pass with the tangent alongside. Solvers and orders: euler (1),
// midpoint (2), rk4 (4); nfe() = N·s evaluations of g per forward pass.
#pragma once

#include <vector>

#include "deepctl/layer/layer.hpp"

namespace deepctl {

enum class OdeSolver { Euler, Midpoint, RK4 };
enum class OdeGradient { Discrete, Adjoint };

struct ButcherTableau {
  std::vector<std::vector<double>> a;  // a[i][j], j < i
  std::vector<double> b;
  int order = 1;
  static ButcherTableau of(OdeSolver solver);
  // "euler", "midpoint", "rk4"; InputError otherwise.
  static OdeSolver parse(const std::string& text);
  static std::string name(OdeSolver solver);
  // "discrete" or "adjoint"; InputError otherwise.
  static OdeGradient parse_gradient(const std::string& text);
};

template <class S>
class OdeBlock final : public Layer<S> {
 public:
  OdeBlock(std::shared_ptr<const Layer<S>> vector_field, double time, Index steps, OdeSolver solver,
           OdeGradient gradient = OdeGradient::Discrete);

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
  OdeGradient gradient() const { return gradient_; }

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
  OdeGradient gradient_;
  ButcherTableau tableau_;
  // The stage slot of step n, stage i: all kept (discrete) or one step's reused (adjoint).
  Index slot(Index n, Index i) const;
};

}  // namespace deepctl
