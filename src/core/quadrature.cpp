#include "deepctl/core/quadrature.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "deepctl/core/error.hpp"

namespace deepctl {

QuadratureRule gauss_legendre(int n) {
  if (n < 1) throw InputError("Gauss-Legendre: need at least 1 node, got " + std::to_string(n));
  QuadratureRule rule{std::vector<double>(n), std::vector<double>(n)};
  for (int i = 0; i < n; ++i) {
    double t = std::cos(std::numbers::pi * (i + 0.75) / (n + 0.5)), dp = 0;
    for (int it = 0; it < 100; ++it) {
      double p0 = 1, p1 = t;
      for (int k = 2; k <= n; ++k) {
        const double p2 = ((2 * k - 1) * t * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = n * (t * p1 - p0) / (t * t - 1);
      const double step = p1 / dp;
      t -= step;
      if (std::abs(step) < 1e-16) break;
    }
    rule.x[n - 1 - i] = t;  // the guesses descend
    rule.w[n - 1 - i] = 2 / ((1 - t * t) * dp * dp);
  }
  return rule;
}

QuadratureRule log_panels(double a, double b, int panels, int n) {
  if (!(a > 0 && b > a && std::isfinite(b)) || panels < 1)
    throw InputError(
        "log-panel quadrature: need 0 < a < b and panels >= 1, got a = " + std::to_string(a) +
        ", b = " + std::to_string(b) + ", panels = " + std::to_string(panels));
  const QuadratureRule gl = gauss_legendre(n);
  const double h = std::log(b / a) / panels;
  QuadratureRule rule;
  for (int p = 0; p < panels; ++p)
    for (int i = 0; i < n; ++i) {
      const double x = std::exp(std::log(a) + h * (p + 0.5 * (gl.x[i] + 1)));
      rule.x.push_back(x);
      rule.w.push_back(0.5 * h * gl.w[i] * x);
    }
  return rule;
}

}  // namespace deepctl
