// Residual layer: f(x, θ) = x + h · g(x, θ), one forward-Euler step of dx/dt = g(x, θ) with
// step h (REFERENCE F1, F6). g is any layer whose output shape equals its input shape (a Dense
// layer for the classic block x + h φ(Wx + b)); θ is g's parameter vector.
//   costate  p = p_next + g_xᵀ (h p_next);   ∇_θ H = g_θᵀ (h p_next)
//   jvp      dy = dx + h (g_x dx + g_θ dθ)
#pragma once

#include <optional>

#include "deepctl/layer/conv2d.hpp"
#include "deepctl/layer/dense.hpp"
#include "deepctl/layer/layer.hpp"

namespace deepctl {

template <class S>
class Residual final : public Layer<S> {
 public:
  Residual(std::shared_ptr<const Layer<S>> inner, double step);

  std::string kind() const override { return "residual"; }
  std::string describe() const override;
  Shape input_shape() const override { return inner_->input_shape(); }
  Shape output_shape() const override { return inner_->output_shape(); }
  Index num_params() const override { return inner_->num_params(); }
  Capabilities capabilities() const override { return inner_->capabilities(); }
  const Layer<S>& inner() const { return *inner_; }
  double step() const { return step_; }

  std::unique_ptr<LayerData> make_data(Index batch) const override;
  void forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const override;
  void vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
           VecRef<S> g) const override;
  void jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx, CVecRef<S> dtheta,
           MatRef<S> dy) const override;
  void init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const override;

 private:
  std::shared_ptr<const Layer<S>> inner_;
  double step_;
};

// The map of kind Inner (Dense, Conv2d) inside a layer, for algorithms with closed forms for it
// (mean field, E-MSA): the layer itself (step 0 marks the plain layer, x' = φ(Wx + b)) or a
// residual block around one (x' = x + h φ(Wx + b), step h); nullopt for anything else.
template <class Inner>
struct LayerStep {
  const Inner* layer;
  double step;
};
template <class Inner, class S>
std::optional<LayerStep<Inner>> as_layer_step(const Layer<S>& layer) {
  if (const auto* plain = dynamic_cast<const Inner*>(&layer)) return LayerStep<Inner>{plain, 0.0};
  if (const auto* r = dynamic_cast<const Residual<S>*>(&layer))
    if (const auto* inner = dynamic_cast<const Inner*>(&r->inner()))
      return LayerStep<Inner>{inner, r->step()};
  return std::nullopt;
}
template <class S>
using DenseStep = LayerStep<Dense<S>>;
template <class S>
std::optional<DenseStep<S>> as_dense_step(const Layer<S>& layer) {
  return as_layer_step<Dense<S>>(layer);
}

}  // namespace deepctl
