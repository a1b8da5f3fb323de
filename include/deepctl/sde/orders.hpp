// Measuring the orders the schemes of sde/integrators.hpp declare, on SDEs with closed forms.
//
//   geometric Brownian motion  dX = μX dt + σX dW (diagonal noise, g(x) = σx, ∂g = σ)
//       X_T = x0 exp((μ − σ²/2)T + σW_T),   E X_T = x0 e^{μT},   E X_T² = x0² e^{(2μ + σ²)T}
//   Ornstein–Uhlenbeck         dX = −θX dt + σ dW (additive noise; sde/stationary.hpp)
//
// Strong error: E|X_T^Δ − X_T| over P paths, the exact X_T from the same Brownian path's W_T.
// Weak error: |E g(X_T^Δ) − E g(X_T)| with E g(X_T^Δ) computed *exactly* for the three-point
// increments (P(±√(3Δ)) = 1/6, P(0) = 2/3) by summing over all 3^{mN} increment paths, so weak
// orders are measured without Monte-Carlo error. The measured order between Δ and Δ/2 is
// log2(error(Δ) / error(Δ/2)).
#pragma once

#include <functional>
#include <vector>

#include "deepctl/sde/stationary.hpp"

namespace deepctl::sde {

class GeometricBrownianMotion final : public Sde {
 public:
  GeometricBrownianMotion(double mu, double sigma) : mu_(mu), sigma_(sigma) {}
  Index dim() const override { return 1; }
  Index noise_dim() const override { return 1; }
  NoiseKind noise() const override { return NoiseKind::Diagonal; }
  void drift(double t, CVecRef<double> x, VecRef<double> b) const override;
  void diffusion(double t, CVecRef<double> x, MatRef<double> G) const override;
  void diffusion_derivative(double t, CVecRef<double> x, VecRef<double> dg) const override;
  double solution(double x0, double T, double w_T) const;
  double second_moment(double x0, double T) const;

 private:
  double mu_, sigma_;
};

// E g(X^Δ(t1)) over every three-point increment path; InputError if noise_dim · steps > 14.
double three_point_expectation(const Sde& sde, Scheme scheme, CVecRef<double> x0, double t0,
                               double t1, Index steps,
                               const std::function<double(CVecRef<double>)>& g);

// E|X^Δ(T) − X(T)| on geometric Brownian motion over `paths` Brownian paths (seeds seed + p).
double gbm_strong_error(const GeometricBrownianMotion& gbm, Scheme scheme, double x0, double T,
                        Index steps, Index paths, std::uint64_t seed);

struct OrderRow {
  Index steps;  // N, Δ = T/N
  double error;
  double order;  // log2(previous error / error); NaN on the first row
};

// Weak errors of E X_T² on GBM (μ = −1, σ = 0.5, x0 = 1, T = 1) for N = 1, 2, 4, 8.
std::vector<OrderRow> gbm_weak_orders(Scheme scheme);
// Strong errors on GBM (μ = −1, σ = 1, x0 = 1, T = 1) for N = 8 … 128 over `paths` paths.
std::vector<OrderRow> gbm_strong_orders(Scheme scheme, Index paths, std::uint64_t seed);

}  // namespace deepctl::sde
