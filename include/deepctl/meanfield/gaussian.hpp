// Gaussian expectations E[f(a z + b)], z ~ N(0, 1), by composite Gauss–Legendre quadrature
// (REFERENCE F2 (c) and Known pitfalls: no fixed-order Gauss–Hermite, whose accuracy collapses
// for tanh at large q because tanh(√q z) has poles at distance π/(2√q) from the real axis).
//
// The rule covers z ∈ [−10, 10] (the Gaussian mass outside is 1.5e-23) with panels of width 0.5;
// around each feature u_f of the integrand (a kink, or the centre of a transition of unit width
// in u such as tanh's at 0) it puts a panel edge at z_f = (u_f − b)/a and, when |a| > 2, adds
// panels of width 0.5/|a| over ±16/|a| around z_f = (u_f − b)/a, so that sharp integrands at large
// |a| stay resolved; kinks are panel edges, so piecewise-smooth integrands converge at the smooth
// rate. Each panel has 10 nodes. tests/cpp/test_meanfield.cpp measures the rule against closed
// forms to 1e-13 for q up to 1e4.
#pragma once

#include <vector>

namespace deepctl::meanfield {

// A place where the integrand g(z) has a kink or a transition: an edge at z, and panels of
// width `scale` over ±32 scales around it when scale is below half the base panel
// width (coarser features are resolved by the base panels' 10 nodes).
struct Feature {
  double z;
  double scale;
};

class GaussianRule {
 public:
  // Nodes z_i and weights w_i = (Legendre weight) × ϕ(z_i) for E[g(z)], refined at features.
  explicit GaussianRule(const std::vector<Feature>& features);
  // The rule for E[f(a z + b)] where f has features (kinks, unit-width transitions) at the
  // arguments u_f; a = 0 gives the one node z = 0.
  static GaussianRule for_argument(double a, double b, const std::vector<double>& u_features);

  const std::vector<double>& z() const { return z_; }
  const std::vector<double>& weights() const { return w_; }
  // a z_i + b.
  std::vector<double> arguments(double a, double b) const;
  // Σ_i w_i v_i.
  double sum(const std::vector<double>& values) const;

 private:
  GaussianRule() = default;
  std::vector<double> z_, w_;
};

}  // namespace deepctl::meanfield
