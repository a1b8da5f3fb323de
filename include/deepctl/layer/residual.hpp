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

// A dense map inside layer t, for algorithms with closed forms for dense layers (mean field,
// E-MSA): the layer itself (step 0 marks a plain dense layer, x' = φ(Wx + b)) or a residual
// block around one (x' = x + h φ(Wx + b), step h); nullopt for anything else.
template <class S>
struct DenseStep {
  const Dense<S>* dense;
  double step;
};
template <class S>
std::optional<DenseStep<S>> as_dense_step(const Layer<S>& layer) {
  if (const auto* d = dynamic_cast<const Dense<S>*>(&layer)) return DenseStep<S>{d, 0.0};
  if (const auto* r = dynamic_cast<const Residual<S>*>(&layer))
    if (const auto* d = dynamic_cast<const Dense<S>*>(&r->inner()))
      return DenseStep<S>{d, r->step()};
  return std::nullopt;
}

// Likewise a convolution: the layer itself (step 0) or a residual block around one (E-MSA).
template <class S>
struct ConvStep {
  const Conv2d<S>* conv;
  double step;
};
template <class S>
std::optional<ConvStep<S>> as_conv_step(const Layer<S>& layer) {
  if (const auto* c = dynamic_cast<const Conv2d<S>*>(&layer)) return ConvStep<S>{c, 0.0};
  if (const auto* r = dynamic_cast<const Residual<S>*>(&layer))
    if (const auto* c = dynamic_cast<const Conv2d<S>*>(&r->inner()))
      return ConvStep<S>{c, r->step()};
  return std::nullopt;
}

}  // namespace deepctl
