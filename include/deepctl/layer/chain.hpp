// Chain layer: f = f_K ∘ … ∘ f_1, a small network used as one layer — the vector field of an
// ODE block built from the existing layer kinds (a two-layer MLP g(x) = W₂φ(W₁x + b₁) + b₂ for
// the spiral demo of REFERENCE F7). θ = [θ_1, …, θ_K] concatenated; with z_0 = x,
// z_k = f_k(z_{k−1}, θ_k):
//   costate  q_K = p_next,  q_{k−1} = f_{k,z}ᵀ q_k,  p = q_0;   ∇_{θ_k} = f_{k,θ}ᵀ q_k
//   jvp      dz_k = f_{k,z} dz_{k−1} + f_{k,θ} dθ_k,  dy = dz_K
#pragma once

#include <vector>

#include "deepctl/layer/layer.hpp"

namespace deepctl {

template <class S>
class Chain final : public Layer<S> {
 public:
  // InputError unless there is at least one layer and each one's output shape is the next one's
  // input shape.
  explicit Chain(std::vector<std::shared_ptr<const Layer<S>>> layers);

  std::string kind() const override { return "chain"; }
  std::string describe() const override;
  Shape input_shape() const override { return layers_.front()->input_shape(); }
  Shape output_shape() const override { return layers_.back()->output_shape(); }
  Index num_params() const override { return offsets_.back(); }
  Capabilities capabilities() const override;

  std::unique_ptr<LayerData> make_data(Index batch) const override;
  void forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const override;
  void vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
           VecRef<S> g) const override;
  void jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx, CVecRef<S> dtheta,
           MatRef<S> dy) const override;
  void init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const override;

 private:
  std::vector<std::shared_ptr<const Layer<S>>> layers_;
  std::vector<Index> offsets_;  // θ_k = θ[offsets_[k], offsets_[k + 1])
};

}  // namespace deepctl
