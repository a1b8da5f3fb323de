// Dense layer: f(x, θ) = φ(W x + b), W ∈ R^{m×n}, b ∈ R^m.
//
// θ = [W row-major (m·n), b (m)]. With a = Wx + b and δ^s = φ′(a^s) ⊙ p_next^s (REFERENCE F1):
//   costate  p^s = Wᵀ δ^s;   ∇_W H = Σ_s δ^s x^{sT};   ∇_b H = Σ_s δ^s;
//   jvp      dy^s = φ′(a^s) ⊙ (W dx^s + dW x^s + db).
#pragma once

#include "deepctl/layer/activation.hpp"
#include "deepctl/layer/layer.hpp"

namespace deepctl {

template <class S>
class Dense final : public Layer<S> {
 public:
  Dense(Index in, Index out, Activation activation);

  std::string kind() const override { return "dense"; }
  std::string describe() const override;
  Shape input_shape() const override { return {in_, 1, 1}; }
  Shape output_shape() const override { return {out_, 1, 1}; }
  Index num_params() const override { return out_ * in_ + out_; }
  const Activation& activation() const { return activation_; }
  Capabilities capabilities() const override { return {.meanfield = true}; }

  std::unique_ptr<LayerData> make_data(Index batch) const override;
  void forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const override;
  void vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
           VecRef<S> g) const override;
  void jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx, CVecRef<S> dtheta,
           MatRef<S> dy) const override;
  void init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const override;

 private:
  Index in_, out_;
  Activation activation_;
};

}  // namespace deepctl
