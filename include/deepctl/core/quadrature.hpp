// Gauss–Legendre quadrature: the n-point rule on [−1, 1] (exact for polynomials of degree
// 2n − 1), and the composite rule in log x that integrates densities spanning many decades
// (∫_a^b f(x) dx = ∫ f(e^s) e^s ds over equal panels in s).
#pragma once

#include <vector>

namespace deepctl {

struct QuadratureRule {
  std::vector<double> x, w;  // nodes and weights: ∫ f ≈ Σ_i w_i f(x_i)
};

// Nodes ascending; Newton's method on P_n from Chebyshev-like guesses, P_n and P_n′ by the
// three-term recurrence (nodes and weights to rounding). InputError for n < 1.
QuadratureRule gauss_legendre(int n);

// `panels` equal panels in log x over [a, b], 0 < a < b, n nodes each; the weights include
// the Jacobian x. InputError otherwise.
QuadratureRule log_panels(double a, double b, int panels, int n);

}  // namespace deepctl
