#include "deepctl/sde/relaxation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "deepctl/core/error.hpp"

namespace deepctl::sde {
namespace {

void check(double t, double beta) {
  if (!(t > 0) || !(beta > 0))
    throw InputError("Hamilton-Jacobi: need t > 0 and beta > 0, got t = " + std::to_string(t) +
                     ", beta = " + std::to_string(beta));
}

// log ∫ w(y) e^{e(y)} dy and ∫ y w e^{e} / ∫ w e^{e} by the trapezoid rule around x, with
// exponent e(y) = −βf(y) − β(x − y)²/(2t).
struct Quadrature {
  double log_integral = 0;
  double mean = 0;
};

Quadrature integrate_gibbs(const ScalarFunction& f, double x, double t, double beta, int points) {
  check(t, beta);
  if (points < 3) throw InputError("Hamilton-Jacobi: quadrature needs at least 3 points");
  const double half = 12 * std::sqrt(t / beta);
  const double h = 2 * half / (points - 1);
  std::vector<double> exponent(points);
  double largest = -std::numeric_limits<double>::infinity();
  for (int k = 0; k < points; ++k) {
    const double y = x - half + k * h;
    exponent[k] = -beta * f(y) - beta * (x - y) * (x - y) / (2 * t);
    largest = std::max(largest, exponent[k]);
  }
  double sum = 0, first = 0;
  for (int k = 0; k < points; ++k) {
    const double w = (k == 0 || k == points - 1 ? 0.5 : 1.0) * std::exp(exponent[k] - largest);
    sum += w;
    first += w * (x - half + k * h);
  }
  return {largest + std::log(sum * h), first / sum};
}

}  // namespace

double cole_hopf(const ScalarFunction& f, double x, double t, double beta, int points) {
  // (G_{t/β} * e^{−βf})(x) = (2πt/β)^{−1/2} ∫ e^{−βf(y) − β(x−y)²/(2t)} dy.
  const Quadrature q = integrate_gibbs(f, x, t, beta, points);
  return -(q.log_integral - 0.5 * std::log(2 * M_PI * t / beta)) / beta;
}

double cole_hopf_gradient(const ScalarFunction& f, double x, double t, double beta, int points) {
  return (x - integrate_gibbs(f, x, t, beta, points).mean) / t;
}

double hopf_lax(const ScalarFunction& f, double x, double t, double lo, double hi, int points) {
  if (!(t > 0) || !(hi > lo) || points < 2)
    throw InputError("Hopf-Lax: need t > 0, hi > lo and at least 2 points");
  double best = std::numeric_limits<double>::infinity();
  for (int k = 0; k < points; ++k) {
    const double y = lo + (hi - lo) * k / (points - 1);
    best = std::min(best, f(y) + (x - y) * (x - y) / (2 * t));
  }
  return best;
}

std::vector<double> viscous_hj_finite_differences(const ScalarFunction& f, double lo, double hi,
                                                  int n, double t, double beta) {
  check(t, beta);
  if (n < 3 || !(hi > lo)) throw InputError("Hamilton-Jacobi: need n >= 3 nodes and hi > lo");
  const double dx = (hi - lo) / (n - 1);
  const int steps = static_cast<int>(std::ceil(t / (beta * dx * dx / 4)));
  const double dt = t / steps;
  std::vector<double> u(n), next(n);
  for (int j = 0; j < n; ++j) u[j] = f(lo + j * dx);
  for (int s = 1; s <= steps; ++s) {
    for (int j = 1; j + 1 < n; ++j) {
      const double gradient = (u[j + 1] - u[j - 1]) / (2 * dx);
      const double laplacian = (u[j + 1] - 2 * u[j] + u[j - 1]) / (dx * dx);
      next[j] = u[j] + dt * (-0.5 * gradient * gradient + 0.5 / beta * laplacian);
    }
    next[0] = cole_hopf(f, lo, s * dt, beta);
    next[n - 1] = cole_hopf(f, hi, s * dt, beta);
    std::swap(u, next);
  }
  return u;
}

}  // namespace deepctl::sde
