// Antisymmetric vector field (Haber & Ruthotto 2017; REFERENCE F6): g(x, θ) = φ(K x + b) with
// K = W − Wᵀ − γI, θ = [W (n × n, row-major), b (n)]. K's eigenvalues are −γ ± i·ω, so for
// linear φ and γ = 0 the Jacobian's eigenvalues are purely imaginary: the forward ODE neither
// explodes nor dies, the motivation for stable architectures. Used as the field of an ode block
// or a residual step.
//   a = Kx + b,  δ = φ′(a) ⊙ p_next:  p = Kᵀ δ,  ∇_W H = Σ_s (δ xᵀ − x δᵀ),  ∇_b H = Σ_s δ
//   jvp  dy = φ′(a) ⊙ (K dx + (dW − dWᵀ) x + db)
#pragma once

#include "deepctl/layer/activation.hpp"
#include "deepctl/layer/layer.hpp"

namespace deepctl {

template <class S>
class Antisymmetric final : public Layer<S> {
 public:
  Antisymmetric(Index width, Activation activation, double gamma);

  std::string kind() const override { return "antisymmetric"; }
  std::string describe() const override;
  Shape input_shape() const override { return {n_, 1, 1}; }
  Shape output_shape() const override { return {n_, 1, 1}; }
  Index num_params() const override { return n_ * n_ + n_; }
  // K = W − Wᵀ − γI for the parameters θ.
  Mat<S> matrix(CVecRef<S> theta) const;

  std::unique_ptr<LayerData> make_data(Index batch) const override;
  void forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const override;
  void vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
           VecRef<S> g) const override;
  void jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx, CVecRef<S> dtheta,
           MatRef<S> dy) const override;
  void init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const override;

 private:
  Index n_;
  Activation activation_;
  double gamma_;
};

}  // namespace deepctl
