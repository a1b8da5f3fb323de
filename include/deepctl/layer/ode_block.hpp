// ODE block: f(x, θ) = x(T) for dx/dt = g(x, θ) on [0, T], x(0) = x, integrated by an explicit
// Runge–Kutta scheme (REFERENCE F6, F7): one layer of the discrete network is a whole
// continuous-depth block. g is any size-preserving layer (a dense φ(Wx + b), an antisymmetric
// field, or a Chain such as a two-layer MLP).
//
// One step of size h with Butcher tableau (a, b):
//   y_i = x + h Σ_{j<i} a_ij k_j,   k_i = g(y_i, θ),   x' = x + h Σ_i b_i k_i
// Steps: N fixed steps h = T/N, or, for the embedded pairs bs3 (Bogacki–Shampine 3(2)) and
// dopri5 (Dormand–Prince 5(4)) with rtol or atol > 0, adaptive ones: the error estimate
// e = h Σ_i (b_i − b̂_i) k_i of the lower-order solution b̂ is measured as
//   err = RMS over the batch and the width of e / (atol + rtol·max(|x|, |x'|)),
// a step is accepted when err ≤ 1, and h ← h·clip(0.9·err^(−1/(p̂+1)), 0.2, 10), p̂ the embedded
// order (Hairer, Nørsett & Wanner I.II.4, as torchdiffeq). The first h comes from Hairer's
// two-evaluation estimate; the last stage of both pairs is g at the new state, reused as the
// next step's first (FSAL). A non-finite err accepts the step, so a diverging run ends with NaN
// (the trainers' divergence status) rather than shrinking h for ever; so does a solve that
// needs more than max_steps attempted steps (a stiff field): its output is NaN.
// Gradients, two ways (F7):
// - discrete (discretise-then-optimise, the default): the exact costate pass through every
//   stage of every accepted step (store-all: the data of all evaluations of g are kept; the
//   step sizes are treated as constants), so vjp is the exact derivative of the computed x(T):
//     κ_i = h b_i p' + h Σ_{j>i} a_ji ν_j,   ν_i = g_xᵀ(y_i) κ_i,   p = p' + Σ_i ν_i,
//     ∇_θ H += Σ_i g_θᵀ(y_i) κ_i      (stages in reverse, steps in reverse)
//   checkpointed: the same gradient with only the state at the start of each step kept; the
//   costate pass recomputes each step's stages (twice the evaluations of g; memory N states
//   plus one step's stages).
// - adjoint (optimise-then-discretise, Chen et al. 2018): the augmented system integrated
//   backward in τ = T − t from (x(T), p', 0) with the same scheme,
//     dx/dτ = −g(x),   dp/dτ = g_xᵀ(x) p,   dG/dτ = g_θᵀ(x) p,   giving p = p(τ = T), ∇_θH = G(T);
//   memory is one step's stages, whatever N. It reconstructs x(t) backwards and is only an
//   approximation of the discrete gradient (error O(h^order) for smooth g, worse for stiff or
//   dissipative g): tests/cpp/test_ode.cpp measures the gap. With adaptive steps the backward
//   system gets its own error control on (x, p), starting from the forward pass's last h.
// jvp replays the last forward pass's steps with the tangent alongside. Solvers and orders:
// euler (1), midpoint (2), rk4 (4), bs3 (3; embedded 2), dopri5 (5; embedded 4).
#pragma once

#include <atomic>
#include <vector>

#include "deepctl/layer/layer.hpp"

namespace deepctl {

enum class OdeSolver { Euler, Midpoint, RK4, BS3, DOPRI5 };
enum class OdeGradient { Discrete, Checkpointed, Adjoint };

struct ButcherTableau {
  std::vector<std::vector<double>> a;  // a[i][j], j < i
  std::vector<double> b;
  std::vector<double> b_error;  // b − b̂ of an embedded pair (empty: none)
  int order = 1;
  int error_order = 0;      // p̂, the order of b̂
  int solution_stages = 0;  // stages b uses; a further one is error-only (FSAL)
  static ButcherTableau of(OdeSolver solver);
  // "euler", "midpoint", "rk4", "bs3", "dopri5"; InputError otherwise.
  static OdeSolver parse(const std::string& text);
  static std::string name(OdeSolver solver);
  // "discrete", "checkpointed" or "adjoint"; InputError otherwise.
  static OdeGradient parse_gradient(const std::string& text);
};

// Adaptive stepping when rtol > 0 or atol > 0 (embedded pairs only; atol must then be > 0).
struct OdeTolerance {
  double rtol = 0;
  double atol = 0;
  Index max_steps = 100000;  // attempted steps per solve
  bool adaptive() const { return rtol > 0 || atol > 0; }
};

// Evaluations of g since construction, over all workspaces (atomic: shards may count at once).
struct OdeCounts {
  long forward_passes = 0;
  long forward_evaluations = 0;  // of g in forward passes (the NFE of Chen et al.)
  long rejected_steps = 0;       // adaptive forward passes
  long backward_passes = 0;
  long backward_evaluations = 0;  // of g's vjp in costate passes (plus g itself for adjoint)
};

template <class S>
class OdeBlock final : public Layer<S> {
 public:
  // InputError on a widening field, T ≤ 0, N < 1, or tolerances for a solver without an
  // embedded pair. With tolerances, N is ignored.
  OdeBlock(std::shared_ptr<const Layer<S>> vector_field, double time, Index steps, OdeSolver solver,
           OdeGradient gradient = OdeGradient::Discrete, OdeTolerance tolerance = {});

  std::string kind() const override { return "ode"; }
  std::string describe() const override;
  Shape input_shape() const override { return g_->input_shape(); }
  Shape output_shape() const override { return g_->output_shape(); }
  Index num_params() const override { return g_->num_params(); }
  Capabilities capabilities() const override { return g_->capabilities(); }
  const Layer<S>& vector_field() const { return *g_; }
  int order() const { return tableau_.order; }
  const ButcherTableau& tableau() const { return tableau_; }
  double time() const { return time_; }
  Index steps() const { return steps_; }
  // Evaluations of g per forward pass with fixed steps (N · stages); adaptive: see counts().
  Index nfe() const { return steps_ * Index(tableau_.solution_stages); }
  OdeGradient gradient() const { return gradient_; }
  const OdeTolerance& tolerance() const { return tolerance_; }
  OdeCounts counts() const;
  // Steps taken by the last forward pass on this data.
  static Index steps_taken(const LayerData& data);

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
  OdeTolerance tolerance_;
  ButcherTableau tableau_;
  mutable std::atomic<long> forward_passes_{0}, forward_evaluations_{0}, rejected_steps_{0},
      backward_passes_{0}, backward_evaluations_{0};
  // The stage slot of step n, stage i: all kept (discrete) or one step's reused (adjoint).
  Index slot(Index n, Index i) const;
  double initial_step(LayerData& data, CVecRef<S> theta) const;
  // Stages first..stages−1 of step n of size h from d.x into the step's slots.
  void evaluate_stages(LayerData& data, Index n, double h, CVecRef<S> theta, Index first,
                       Index stages) const;
  // Stages from `first` on of a step of size h from d.x (slots of step n), the new state in
  // d.x_new and, for an embedded pair, the error norm (else 0).
  double attempt(LayerData& data, Index n, double h, CVecRef<S> theta, Index first) const;
};

}  // namespace deepctl
