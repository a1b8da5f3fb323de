// Scalar root finding: Brent's method (inverse quadratic interpolation safeguarded by
// bisection) on a bracket [a, b] with f(a)·f(b) ≤ 0.
#pragma once

#include <functional>

namespace deepctl {

// A root of f in [a, b] to absolute tolerance xtol + 4·eps·|x|; throws std::invalid_argument
// if f(a) and f(b) have the same strict sign.
double brent_root(const std::function<double(double)>& f, double a, double b, double xtol = 0.0,
                  int max_iterations = 200);

}  // namespace deepctl
