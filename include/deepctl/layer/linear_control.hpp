// Linear control layer: f(x, θ) = A x + B θ with A (n × n) and B (n × m) fixed and θ ∈ Rᵐ the
// control, shared by every sample (an open-loop control). A stack of these with the squared-
// error loss and the L2 running cost is the LQR problem of REFERENCE F11's test: terminal cost
// ½‖x_T − y‖², running cost (λ/2)‖θ_t‖², whose optimum the Riccati recursion gives.
//   costate  p = Aᵀ p_next;   ∇_θ H = Bᵀ Σ_s p_next^s;   jvp  dy = A dx + B dθ
#pragma once

#include "deepctl/layer/layer.hpp"

namespace deepctl {

template <class S>
class LinearControl final : public Layer<S> {
 public:
  // A must be square and B must have as many rows as A; InputError otherwise.
  LinearControl(Mat<S> A, Mat<S> B);

  std::string kind() const override { return "linear_control"; }
  std::string describe() const override;
  Shape input_shape() const override { return {A_.rows(), 1, 1}; }
  Shape output_shape() const override { return {A_.rows(), 1, 1}; }
  Index num_params() const override { return B_.cols(); }
  const Mat<S>& A() const { return A_; }
  const Mat<S>& B() const { return B_; }

  std::unique_ptr<LayerData> make_data(Index batch) const override;
  void forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const override;
  void vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
           VecRef<S> g) const override;
  void jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx, CVecRef<S> dtheta,
           MatRef<S> dy) const override;
  // Controls start at zero.
  void init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const override;

 private:
  Mat<S> A_, B_;
};

}  // namespace deepctl
