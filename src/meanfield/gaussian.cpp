#include "deepctl/meanfield/gaussian.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <tuple>
#include <utility>

#include "deepctl/core/quadrature.hpp"

namespace deepctl::meanfield {
namespace {

constexpr int kNodes = 10;       // Gauss–Legendre nodes per panel
constexpr double kZMax = 10.0;   // integration range in z (mass outside: 1.5e-23)
constexpr double kPanel = 0.5;   // base panel width in z
constexpr double kFine = 0.5;    // fine panel width in u around features
constexpr int kFinePanels = 32;  // fine panels on each side of a feature (±16 in u)

const QuadratureRule& legendre() {
  static const QuadratureRule rule = gauss_legendre(kNodes);
  return rule;
}

// Nodes and Gaussian-weighted weights of the composite rule over consecutive edges.
std::pair<std::vector<double>, std::vector<double>> panel_rule(const std::vector<double>& edges) {
  const QuadratureRule& gl = legendre();
  const double inv_sqrt_2pi = 1 / std::sqrt(2 * std::numbers::pi);
  std::vector<double> z, w;
  z.reserve((edges.size() - 1) * kNodes);
  w.reserve(z.capacity());
  for (std::size_t p = 0; p + 1 < edges.size(); ++p) {
    const double mid = (edges[p] + edges[p + 1]) / 2, half = (edges[p + 1] - edges[p]) / 2;
    for (int i = 0; i < kNodes; ++i) {
      const double x = mid + half * gl.x[i];
      z.push_back(x);
      w.push_back(half * gl.w[i] * inv_sqrt_2pi * std::exp(-x * x / 2));
    }
  }
  return {z, w};
}

}  // namespace

GaussianRule::GaussianRule(const std::vector<Feature>& features) {
  std::vector<double> edges;
  for (double z = -kZMax; z <= kZMax + 1e-12; z += kPanel) edges.push_back(z);
  for (const Feature& f : features) {
    if (!(std::abs(f.z) < kZMax)) continue;
    edges.push_back(f.z);                   // a kink is always a panel edge
    if (!(f.scale < kPanel / 2)) continue;  // 10 nodes per base panel resolve it
    for (int k = -kFinePanels; k <= kFinePanels; ++k) {
      const double e = f.z + k * f.scale;
      if (std::abs(e) < kZMax) edges.push_back(e);
    }
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end(),
                          [](double x, double y) { return std::abs(x - y) < 1e-14; }),
              edges.end());
  // Most rules are the base panels themselves (features on base edges, no refinement): reuse
  // the nodes and weights computed once.
  static const std::vector<double> base_edges = [] {
    std::vector<double> e;
    for (double z = -kZMax; z <= kZMax + 1e-12; z += kPanel) e.push_back(z);
    return e;
  }();
  static const std::pair<std::vector<double>, std::vector<double>> base = panel_rule(base_edges);
  if (edges.size() == base_edges.size() &&
      std::equal(edges.begin(), edges.end(), base_edges.begin(),
                 [](double x, double y) { return std::abs(x - y) < 1e-14; })) {
    z_ = base.first;
    w_ = base.second;
    return;
  }
  std::tie(z_, w_) = panel_rule(edges);
}

GaussianRule GaussianRule::for_argument(double a, double b, const std::vector<double>& u_features) {
  if (a == 0) {
    GaussianRule one;
    one.z_ = {0.0};
    one.w_ = {1.0};
    return one;
  }
  std::vector<Feature> features;
  for (double u : u_features) features.push_back({(u - b) / a, kFine / std::abs(a)});
  return GaussianRule(features);
}

std::vector<double> GaussianRule::arguments(double a, double b) const {
  std::vector<double> u(z_.size());
  for (std::size_t i = 0; i < z_.size(); ++i) u[i] = a * z_[i] + b;
  return u;
}

double GaussianRule::sum(const std::vector<double>& values) const {
  double s = 0;
  for (std::size_t i = 0; i < w_.size(); ++i) s += w_[i] * values[i];
  return s;
}

}  // namespace deepctl::meanfield
