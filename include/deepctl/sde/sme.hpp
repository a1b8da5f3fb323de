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
#pragma once

#include <vector>

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

}  // namespace deepctl::sde
