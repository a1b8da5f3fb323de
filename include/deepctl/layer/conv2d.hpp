// 2-D convolution with a pointwise activation: f(x, θ) = φ(K ⋆ x + b).
//
// Input (C, H, W), output (M, H_o, W_o) with H_o = (H + 2·pad − k)/stride + 1 (likewise W_o);
// square k × k kernels, zero padding. θ = [K row-major (M × C·k·k), b (M)]. Per sample, with
// col(x) the (C·k·k) × (H_o·W_o) patch matrix (im2col) and a = K col(x) + b 1ᵀ:
//   costate  p = col⁻ᵀ(Kᵀ δ) with δ = φ′(a) ⊙ p_next (col⁻ᵀ = col2im, the adjoint of im2col)
//   ∇_K H = Σ_s δ^s col(x^s)ᵀ;   ∇_b H = Σ_s δ^s 1
//   jvp      dy = φ′(a) ⊙ (K col(dx) + dK col(x) + db 1ᵀ)
#pragma once

#include "deepctl/layer/activation.hpp"
#include "deepctl/layer/layer.hpp"

namespace deepctl {

struct Conv2dGeometry {
  Shape input;
  Index out_channels = 1;
  Index kernel = 3;
  Index stride = 1;
  Index padding = 0;
  Shape output() const;
  Index patch_size() const { return input.channels * kernel * kernel; }
};

template <class S>
class Conv2d final : public Layer<S> {
 public:
  Conv2d(const Conv2dGeometry& geometry, Activation activation);

  std::string kind() const override { return "conv2d"; }
  std::string describe() const override;
  Shape input_shape() const override { return geo_.input; }
  Shape output_shape() const override { return out_; }
  Index num_params() const override { return geo_.out_channels * (geo_.patch_size() + 1); }

  std::unique_ptr<LayerData> make_data(Index batch) const override;
  void forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const override;
  void vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
           VecRef<S> g) const override;
  void jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx, CVecRef<S> dtheta,
           MatRef<S> dy) const override;
  void init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const override;
  // m = M channels, n = C·k·k; the P = H_o·W_o patches of a sample are the columns of col(x).
  KroneckerShape kronecker_shape() const override { return {geo_.out_channels, geo_.patch_size()}; }
  void kronecker_rows(LayerData& data, CMatRef<S> x, Mat<S>& patches,
                      Mat<S>& deltas) const override;
  const Activation& activation() const { return activation_; }
  // col(x): one sample's (C·k·k) × (H_o·W_o) patch matrix (im2col), col sized by the caller.
  void im2col(const S* x, Mat<S>& col) const;

 private:
  void col2im_add(const Mat<S>& col, S* x) const;

  Conv2dGeometry geo_;
  Shape out_;
  Activation activation_;
};

}  // namespace deepctl
