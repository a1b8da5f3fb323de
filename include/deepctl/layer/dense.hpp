// Dense layer: f(x, θ) = φ(c W x + b), W ∈ R^{m×n}, b ∈ R^m, c = 1 for real weights.
//
// θ = [W row-major (m·n), b (m)]. With a = cWx + b and δ^s = φ′(a^s) ⊙ p_next^s (REFERENCE F1):
//   costate  p^s = c Wᵀ δ^s;   ∇_W H = c Σ_s δ^s x^{sT};   ∇_b H = Σ_s δ^s;
//   jvp      dy^s = φ′(a^s) ⊙ (c (W dx^s + dW x^s) + db).
// Discrete weights (Li & Hao 2018; REFERENCE F9): binary W ∈ {−1, 1} or ternary W ∈ {−1, 0, 1},
// drawn uniformly over the allowed values at initialisation and kept discrete by the discrete
// MSA trainer (solver/discrete_msa.hpp); c = 1/√n stands in for the batch normalisation of the
// paper's networks, so that a has order-one entries. The bias stays real.
#pragma once

#include "deepctl/layer/activation.hpp"
#include "deepctl/layer/layer.hpp"

namespace deepctl {

enum class WeightSet { Real, Binary, Ternary };

// "real", "binary", "ternary"; InputError otherwise.
WeightSet parse_weight_set(const std::string& text);

template <class S>
class Dense final : public Layer<S> {
 public:
  Dense(Index in, Index out, Activation activation, WeightSet weights = WeightSet::Real);

  std::string kind() const override { return "dense"; }
  std::string describe() const override;
  Shape input_shape() const override { return {in_, 1, 1}; }
  Shape output_shape() const override { return {out_, 1, 1}; }
  Index num_params() const override { return out_ * in_ + out_; }
  const Activation& activation() const { return activation_; }
  WeightSet weights() const { return weights_; }
  Index inputs() const { return in_; }
  Index outputs() const { return out_; }
  Capabilities capabilities() const override { return {.meanfield = weights_ == WeightSet::Real}; }

  std::unique_ptr<LayerData> make_data(Index batch) const override;
  void forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const override;
  void vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
           VecRef<S> g) const override;
  void jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx, CVecRef<S> dtheta,
           MatRef<S> dy) const override;
  void init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const override;
  // Real weights only (P = 1, the patch is x); discrete ones are not factored.
  KroneckerShape kronecker_shape() const override;
  void kronecker_rows(LayerData& data, CMatRef<S> x, Mat<S>& patches,
                      Mat<S>& deltas) const override;

 private:
  Index in_, out_;
  Activation activation_;
  WeightSet weights_;
  double scale_;  // c
};

}  // namespace deepctl
