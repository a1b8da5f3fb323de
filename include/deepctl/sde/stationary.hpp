// Near a minimum: SGD as an Ornstein–Uhlenbeck process, its stationary Gaussian and, under
// anisotropic noise, its probability current (REFERENCE F17, F19).
//
// Linear SDE  dX = −A X dt + G dW  (additive noise). For symmetric positive-definite A the
// stationary law is N(0, Σ) with the Lyapunov equation
//     A Σ + Σ A = G Gᵀ,
// solved in A's eigenbasis A = QΛQᵀ: Σ̃_ij = (QᵀGGᵀQ)_ij / (λ_i + λ_j), Σ = QΣ̃Qᵀ.
//
// SGD near θ* with L ≈ ½θᵀAθ and per-example gradient covariance C (Mandt, Hoffman & Blei):
//     continuous   A Σ + Σ A = (η/B) C
//     exact discrete (constant-step SGD θ ← θ − η(Aθ + ξ), Cov ξ = C/B)
//                  A Σ + Σ A − η A Σ A = (η/B) C,   Σ̃_ij = (η/B) C̃_ij / (λ_i + λ_j − ηλ_iλ_j)
// (stable for 0 < ηλ < 2; in one dimension ηΣ/(a(2 − ηa)), sde/sme.hpp).
//
// Non-equilibrium (Chaudhari & Soatto): dx = −Ax dt + √(2β⁻¹D) dW with A symmetric has
//     A Σ + Σ A = 2β⁻¹ D,   Φ = xᵀΣ⁻¹x/(2β),   j(x) = (−A + β⁻¹ D Σ⁻¹) x =: J x,
// and j ≡ 0 iff AD = DA. The current circulates: in two dimensions the stationary rate
//     E[x₁ dx₂ − x₂ dx₁] / dt = (AΣ)₁₂ − (AΣ)₂₁ = (JΣ)₂₁ − (JΣ)₁₂   (β⁻¹D is symmetric).
#pragma once

#include "deepctl/sde/integrators.hpp"

namespace deepctl::sde {

class OrnsteinUhlenbeck final : public Sde {
 public:
  // dX = −A X dt + G dW; InputError unless A is d × d and G has d rows.
  OrnsteinUhlenbeck(Mat<double> A, Mat<double> G);
  // One dimension: dX = −θX dt + σ dW.
  OrnsteinUhlenbeck(double theta, double sigma);

  Index dim() const override { return A_.rows(); }
  Index noise_dim() const override { return G_.cols(); }
  NoiseKind noise() const override { return NoiseKind::Additive; }
  void drift(double t, CVecRef<double> x, VecRef<double> b) const override;
  void diffusion(double t, CVecRef<double> x, MatRef<double> G) const override;

  // E X_T² from X_0 = x0 in one dimension: x0² e^{−2θT} + σ²(1 − e^{−2θT})/(2θ).
  double second_moment(double x0, double T) const;
  // Σ of the stationary law; A must be symmetric positive definite (InputError otherwise).
  Mat<double> stationary_covariance() const;

 private:
  Mat<double> A_, G_;
};

// Σ with A Σ + Σ A − discrete·η A Σ A = (η/B) C for symmetric positive-definite A (the
// Hessian at the minimum) and the per-example gradient covariance C; `discrete` selects the
// exact constant-step SGD equation, else the continuous (SDE) one. InputError on sizes, on an
// A that is not symmetric positive definite, or (discrete) on ηλ_max ≥ 2.
Mat<double> sgd_stationary_covariance(CMatRef<double> A, CMatRef<double> C, double lr, Index batch,
                                      bool discrete);

// J of the probability current j(x) = J x of dx = −Ax dt + √(2β⁻¹D) dW at stationarity, with
// temperature = β⁻¹ (η/(2B) for SGD). A symmetric positive definite, D symmetric.
Mat<double> probability_current(CMatRef<double> A, CMatRef<double> D, double temperature);

}  // namespace deepctl::sde
