// Curvature of the training objective J(θ) on a fixed batch (REFERENCE F14, F18; issue #6).
//
//   Hessian-vector product  H v ≈ [∇J(θ + εv) − ∇J(θ − εv)] / (2ε)
//       central difference of the exact costate-pass gradient, ε = ∛u (1 + ‖θ‖)/‖v‖ with u the
//       double rounding unit: truncation O(ε²) and rounding O(u/ε) errors balance near 1e−10
//       relative (checked against closed forms in tests/cpp/test_spectrum.cpp).
//       Works for every layer kind, since it needs only the costate pass.
//   Gauss–Newton-vector product, exact:
//       G v = (1/B) Σ_s J_sᵀ ∇²Φ(x_T^s) J_s v + λ v,   J_s = ∂x_T^s/∂θ
//       J_s v by the forward tangent dx_{t+1} = f_x dx_t + f_θ v_t (the layers' jvp, dx_0 = 0),
//       q_s = ∇²Φ dx_T^s (Loss::gauss_newton), then the costate recursion from p_T = −(1/B) q.
//       G is positive semi-definite for the convex losses here and equals H when the network
//       output is linear in θ (e.g. linear least squares).
// Both act on θ flattened layer after layer (problem.hpp flatten/unflatten); the operators plug
// into spectrum/lanczos.hpp for top eigenvalues, the spectral density and the trace.
#pragma once

#include "deepctl/problem/parallel_gradient.hpp"
#include "deepctl/spectrum/lanczos.hpp"

namespace deepctl::spectrum {

// ε = ∛u (1 + ‖θ‖)/‖v‖ of the central difference along v at θ (u the double rounding unit).
double difference_step(double point_norm, double direction_norm);

class Curvature {
 public:
  // Copies θ and the batch; `threads` splits the gradient evaluations (problem/parallel_gradient).
  // InputError on mismatched sizes.
  Curvature(const Problem<double>& problem, const Params<double>& theta, const Mat<double>& X,
            const Mat<double>& Y, int threads = 1);

  Index dim() const { return dim_; }
  double objective() const { return objective_; }
  const Vec<double>& gradient() const { return gradient_; }

  void hessian_vector(CVecRef<double> v, VecRef<double> out);
  void gauss_newton_vector(CVecRef<double> v, VecRef<double> out);
  SymmetricOperator hessian_operator();
  SymmetricOperator gauss_newton_operator();
  // The dense matrix of an operator, column by column (small networks only: dim² doubles).
  static Mat<double> dense(const SymmetricOperator& A, Index dim);

 private:
  const Problem<double>* problem_;
  Params<double> theta_;
  Mat<double> X_, Y_;
  Index dim_ = 0;
  ParallelGradient<double> gradients_;
  Workspace<double> workspace_;        // rolled out at θ once: the jvp records for G v
  std::vector<Mat<double>> tangents_;  // dx_0 .. dx_T
  double objective_ = 0;
  Vec<double> gradient_;
  Params<double> shifted_, grad_plus_, grad_minus_, direction_;
};

}  // namespace deepctl::spectrum
