// Stochastic modified equations of SGD (Li, Tai & E 2017; REFERENCE F15).
//
// SGD x_{k+1} = x_k − η ∇f_{γ_k}(x_k) on f = (1/n) Σ_i f_i with minibatches of B samples and
// per-sample noise covariance Σ(x) is approximated in the weak sense, at t = kη, by
//   order 1:  dX = −∇f(X) dt + √(ηΣ(X)/B) dW
//   order 2:  dX = −∇[f + (η/4)‖∇f‖²](X) dt + √(ηΣ(X)/B) dW,   ∇(‖∇f‖²/4) = ½ H ∇f
// with  max_{k ≤ T/η} |E g(x_k) − E g(X_{kη})| ≤ C(T, g) η^order.
//
// The quadratic oracle: f = ½ a x² in one dimension with gradient noise of constant variance Σ
// (REFERENCE F15's check is n = 2, f_{1,2} = ½(x ∓ 1)², so a = 1, Σ = 1, B = 1). Exactly:
//   SGD    E x²_{k+1} = (1 − ηa)² E x²_k + η²Σ,            stationary ηΣ / (a(2 − ηa))
//   SME    E X_t² = x0² e^{−2a′t} + (ηΣ/(2a′))(1 − e^{−2a′t}),   stationary ηΣ/(2a′),
//          a′ = a (order 1) or a(1 + ηa/2) (order 2: the drift −(a + ηa²/2)x).
//
// A network whose per-sample gradients are affine in θ, g_i(θ) = A_iθ − c_i (a linear network
// with squared error, i.e. linear regression), has closed moment equations for SGD and for both
// SMEs, with state-dependent noise Σ(θ) = (1/n)Σ_i (δA_iθ − δc_i)(δA_iθ − δc_i)ᵀ
// (δA_i = A_i − Ā, δc_i = c_i − c̄). With m = E θ, S = E θθᵀ and batch 1 drawn uniformly:
//   SGD   m ← (I − ηĀ)m + ηc̄,
//         S ← E_i[M_i S M_iᵀ + η(M_i m c_iᵀ + c_i mᵀM_iᵀ) + η² c_i c_iᵀ],   M_i = I − ηA_i
//   SME   ṁ = −(A′m − c′),   Ṡ = −A′S − SA′ᵀ + c′mᵀ + mc′ᵀ + η E Σ(X),
//         E Σ(X) = (1/n)Σ_i [δA_i S δA_iᵀ − δA_i m δc_iᵀ − δc_i mᵀδA_iᵀ + δc_i δc_iᵀ],
//         A′ = Ā, c′ = c̄ (order 1);  A′ = (I + ηĀ/2)Ā, c′ = (I + ηĀ/2)c̄ (order 2),
// and E J = ½ tr(Ā S) − c̄ᵀm + ½ (1/n)Σ y_i². So the weak errors are exact (the SME's linear
// ODE by RK4 with 4000 steps per unit time), with no Monte-Carlo error: the small-network
// experiment of F15 whose orders are unambiguous.
#pragma once

#include <vector>

#include "deepctl/problem/problem.hpp"
#include "deepctl/sde/orders.hpp"

namespace deepctl::sde {

struct QuadraticSgd {
  double curvature = 1.0;       // a
  double noise_variance = 1.0;  // Σ of one sample's gradient noise (B = 1)
  double lr = 0.1;              // η
  double x0 = 1.0;

  // E x_k² of SGD after k steps.
  double sgd_second_moment(Index k) const;
  // E X_t² of the SME of the given order (1 or 2).
  double sme_second_moment(double t, int order) const;
  double sgd_stationary_variance() const;
  double sme_stationary_variance(int order) const;
  // The SME as an Sde (one-dimensional Ornstein–Uhlenbeck, additive noise).
  OrnsteinUhlenbeck sme(int order) const;
};

struct WeakErrorRow {
  double lr;
  double sgd;    // E g(x_K), K = T/η, exactly
  double sme;    // E g(X_T), exactly
  double error;  // |sgd − sme|
  double order;  // log2(error at the previous η / error) when η halves; NaN first
};

// The weak-error table of F15 for g = x² at horizon T, for each η in `lrs` (halving).
// InputError unless order is 1 or 2 and every T/η is a whole number of steps.
std::vector<WeakErrorRow> quadratic_weak_errors(QuadraticSgd base, const std::vector<double>& lrs,
                                                double horizon, int order);

// SGD with batch 1 on a Problem whose per-sample gradients are affine in θ, read off the
// Problem's costate pass (per-sample gradients at 0 and at the unit vectors) and checked at a
// random point (InputError if not affine, e.g. a nonlinear layer).
// The SMEs of minibatch SGD on any float64 Problem and dataset (X, Y), as an Sde on the
// flattened θ (general noise, so Euler–Maruyama):
//   b(θ) = −∇J(θ)  (order 1),   −∇J − (η/2) H∇J  (order 2; H∇J a Hessian-vector product,
//          spectrum/hessian.hpp's central difference of the costate gradient)
//   G(θ) = √(η/(B n)) G_cᵀ,  G_c the n × d centred per-sample gradients, so GGᵀ = ηΣ(θ)/B,
// with noise_dim = n. Each evaluation runs the costate pass n times: for small networks.
class ProblemSme final : public Sde {
 public:
  // InputError unless order is 1 or 2, lr > 0 and 1 ≤ batch.
  ProblemSme(const Problem<double>& problem, Mat<double> X, Mat<double> Y, double lr, Index batch,
             int order);
  Index dim() const override { return problem_->num_params(); }
  Index noise_dim() const override { return X_.rows(); }
  NoiseKind noise() const override { return NoiseKind::General; }
  void drift(double t, CVecRef<double> x, VecRef<double> b) const override;
  void diffusion(double t, CVecRef<double> x, MatRef<double> G) const override;

 private:
  Vec<double> gradient(CVecRef<double> theta) const;
  const Problem<double>* problem_;
  Mat<double> X_, Y_;
  double lr_;
  Index batch_;
  int order_;
};

// The small network of the weak-order experiment (deepctl sde --table network): dense(2 -> 1)
// linear, squared error, 8 samples x ~ N(0, I), y = x₁ − x₂ + 0.5·N(0, 1) (seed 5), started at
// θ0 = (1, 1, 1).
struct LinearNetworkExample {
  Problem<double> problem;
  Mat<double> X, Y;
  Vec<double> theta0;
};
LinearNetworkExample linear_network_example();

class AffineGradientSgd {
 public:
  AffineGradientSgd(const Problem<double>& problem, const Mat<double>& X, const Mat<double>& Y);
  Index dim() const { return abar_.rows(); }
  // E J(θ_K) after K SGD steps of size η from θ0, exactly.
  double sgd_expected_loss(CVecRef<double> theta0, double lr, Index steps) const;
  // E J(X_T) of the SME of the given order (1 or 2), from θ0.
  double sme_expected_loss(CVecRef<double> theta0, double lr, double horizon, int order) const;
  // The weak-error table over `lrs` at horizon T (WeakErrorRow's sgd/sme hold E J).
  std::vector<WeakErrorRow> weak_errors(CVecRef<double> theta0, const std::vector<double>& lrs,
                                        double horizon, int order) const;

 private:
  double expected_loss(const Vec<double>& m, const Mat<double>& S) const;
  std::vector<Mat<double>> a_;  // A_i
  std::vector<Vec<double>> c_;  // c_i
  Mat<double> abar_;
  Vec<double> cbar_;
  double half_mean_y2_ = 0;
};

}  // namespace deepctl::sde
