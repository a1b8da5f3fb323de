// Mean-field maps (REFERENCE F2, F3): quadrature against closed forms, Stein and Price
// identities against finite differences, the published critical points.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "deepctl/core/error.hpp"
#include "deepctl/core/quadrature.hpp"
#include "deepctl/meanfield/gaussian.hpp"
#include "deepctl/meanfield/meanfield.hpp"
#include "deepctl/meanfield/phase_diagram.hpp"

namespace deepctl::meanfield {
namespace {

using std::numbers::pi;

double rel(double a, double b) {
  return std::abs(a - b) / std::max(std::abs(b), 1e-300);
}

ActivationMoments moments(const std::string& name, bool closed = true) {
  return ActivationMoments(Activation::parse(name), closed);
}

TEST(Quadrature, GaussLegendreIsExactToDegreeTwoNMinusOne) {
  for (int n : {1, 5, 10, 16}) {
    const QuadratureRule rule = gauss_legendre(n);
    for (int k = 0; k < 2 * n; ++k) {
      double s = 0;
      for (int i = 0; i < n; ++i) s += rule.w[i] * std::pow(rule.x[i], k);
      EXPECT_NEAR(s, k % 2 ? 0.0 : 2.0 / (k + 1), 1e-14) << n << " " << k;
    }
    EXPECT_TRUE(std::is_sorted(rule.x.begin(), rule.x.end()));
  }
  // In log x, x^{-1/2} over twelve decades: 2(√b − √a).
  const QuadratureRule logs = log_panels(1e-10, 100, 40, 16);
  double s = 0;
  for (std::size_t i = 0; i < logs.x.size(); ++i) s += logs.w[i] / std::sqrt(logs.x[i]);
  EXPECT_NEAR(s, 2 * (10 - 1e-5), 1e-12);
  EXPECT_THROW(log_panels(0, 1, 4, 8), InputError);
  EXPECT_THROW(gauss_legendre(0), InputError);
}

TEST(GaussianRule, IntegratesGaussianMoments) {
  for (double a : {0.3, 1.0, 50.0}) {
    const auto rule = GaussianRule::for_argument(a, 0.2, {0.0});
    std::vector<double> one, z2, z4, cosz;
    for (double z : rule.z()) {
      one.push_back(1);
      z2.push_back(z * z);
      z4.push_back(z * z * z * z);
      cosz.push_back(std::cos(z));
    }
    EXPECT_NEAR(rule.sum(one), 1.0, 1e-14);
    EXPECT_NEAR(rule.sum(z2), 1.0, 1e-14);
    EXPECT_NEAR(rule.sum(z4), 3.0, 1e-13);
    EXPECT_NEAR(rule.sum(cosz), std::exp(-0.5), 1e-14);
  }
}

class ClosedForms : public ::testing::TestWithParam<std::string> {};

TEST_P(ClosedForms, MatchQuadratureFromSmallToLargeQ) {
  const auto exact = moments(GetParam()), numeric = moments(GetParam(), false);
  for (double q : {0.01, 0.3, 1.0, 7.0, 100.0, 1e4}) {
    EXPECT_LT(rel(numeric.second_moment(q), exact.second_moment(q)), 1e-12) << "q " << q;
    EXPECT_LT(rel(numeric.derivative_moment(q), exact.derivative_moment(q)), 1e-12) << "q " << q;
    if (GetParam() == "erf") {
      EXPECT_LT(rel(numeric.derivative_moment(q, 2), exact.derivative_moment(q, 2)), 1e-12);
      EXPECT_LT(rel(numeric.curvature_moment(q), exact.curvature_moment(q)), 1e-12);
    }
    if (GetParam() == "hard_tanh" || q > 100) continue;  // 2-D closed forms: erf, relu, linear
    const double q2 = 0.5 * q;
    // Relative to the Cauchy–Schwarz bound, since the covariance itself may vanish (c = 0).
    const double scale = std::sqrt(exact.second_moment(q) * exact.second_moment(q2));
    const double dscale = std::sqrt(exact.derivative_moment(q) * exact.derivative_moment(q2));
    for (double c : {-0.7, 0.0, 0.5, 0.99, 0.999999}) {
      EXPECT_NEAR(numeric.covariance(q, q2, c), exact.covariance(q, q2, c), 1e-10 * scale)
          << "q " << q << " c " << c;
      EXPECT_NEAR(numeric.derivative_covariance(q, q2, c), exact.derivative_covariance(q, q2, c),
                  1e-10 * dscale)
          << "q " << q << " c " << c;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(MeanField, ClosedForms,
                         ::testing::Values("erf", "relu", "hard_tanh", "linear"));

TEST(MeanField, SteinAndPriceIdentities) {
  // χ_q = Q′(q) and ∂/∂c E[φ(u1)φ(u2)] = q E[φ′(u1)φ′(u2)], by central differences.
  for (const std::string name : {"tanh", "sigmoid", "gelu", "softplus"}) {
    const auto m = moments(name);
    const double sw2 = 1.7, sb2 = 0.1, q = 1.3, h = 1e-5;
    const double dQ = (length_map(m, sw2, sb2, q + h) - length_map(m, sw2, sb2, q - h)) / (2 * h);
    EXPECT_LT(rel(dQ, sw2 * (m.derivative_moment(q) + m.curvature_moment(q))), 1e-8) << name;
    const double c = 0.3;
    const double dC = (m.covariance(q, q, c + h) - m.covariance(q, q, c - h)) / (2 * h);
    EXPECT_LT(rel(dC, q * m.derivative_covariance(q, q, c)), 1e-8) << name;
  }
}

TEST(MeanField, ReluIsCriticalAtHeInitialisation) {
  const auto relu = moments("relu");
  EXPECT_EQ(critical_point(relu, 0.0).sw2, 2.0);
  EXPECT_TRUE(std::isnan(critical_point(relu, 0.1).sw2));  // no critical point with a bias
  EXPECT_EQ(analyze(relu, 2.0, 0.0).phase, Phase::Critical);
  const Analysis a = analyze(relu, 1.5, 0.1);  // q* = σ_b²/(1 − σ_w²/2), c* = 1
  EXPECT_LT(rel(a.q_star, 0.4), 1e-13);
  EXPECT_EQ(a.c_star, 1.0);
  EXPECT_LT(rel(a.xi_c, -1 / std::log(0.75)), 1e-13);
  EXPECT_EQ(a.phase, Phase::Ordered);
  EXPECT_TRUE(std::isinf(analyze(relu, 2.5, 0.1).q_star));  // the length map diverges
}

TEST(MeanField, ErfIsCriticalAtPiOverFour) {
  const auto erf = moments("erf");
  EXPECT_LT(rel(critical_point(erf, 0.0).sw2, pi / 4), 1e-15);
  const Analysis below = analyze(erf, 0.7, 0.0);  // the origin attracts: q* = 0, c* undefined
  EXPECT_EQ(below.q_star, 0.0);
  EXPECT_TRUE(std::isnan(below.c_star));
  EXPECT_LT(rel(below.chi1, 0.7 * 4 / pi), 1e-15);
}

TEST(MeanField, TanhCriticalLineAtTheReviewsBias) {
  // The review's phase-diagram script marks σ_w² ≈ 1.76 at σ_b² = 0.05.
  const auto tanh = moments("tanh");
  const CriticalPoint cp = critical_point(tanh, 0.05);
  EXPECT_NEAR(cp.sw2, 1.76, 0.01);
  const Analysis a = analyze(tanh, cp.sw2, 0.05);
  EXPECT_NEAR(a.chi1, 1.0, 1e-10);
  EXPECT_LT(rel(a.q_star, cp.q_star), 1e-9);
  // ξ_c grows without bound towards the critical line while ξ_q stays O(1).
  const Analysis near = analyze(tanh, cp.sw2 * 1.001, 0.05),
                 far = analyze(tanh, cp.sw2 * 1.2, 0.05);
  EXPECT_GT(near.xi_c, 50 * far.xi_c);
  EXPECT_LT(near.xi_q, 10.0);
}

TEST(MeanField, ChaoticFixedPointOfTheCorrelationMap) {
  const auto tanh = moments("tanh");
  const Analysis a = analyze(tanh, 2.5, 0.05);
  EXPECT_EQ(a.phase, Phase::Chaotic);
  EXPECT_GT(a.c_star, 0.0);
  EXPECT_LT(a.c_star, 1.0);
  EXPECT_NEAR(correlation_map(tanh, 2.5, 0.05, a.q_star, a.c_star), a.c_star, 1e-13);
  EXPECT_LT(a.chi_c, 1.0);    // c* attracts
  EXPECT_LT(a.xi_grad, 0.0);  // gradients explode
  EXPECT_NEAR(length_map(tanh, 2.5, 0.05, a.q_star), a.q_star, 1e-13 * a.q_star);
  // Odd φ at σ_b² = 0 in the chaotic phase: c* = 0.
  EXPECT_EQ(analyze(tanh, 2.5, 0.0).c_star, 0.0);
}

TEST(MeanField, DropoutRemovesTheCriticalPoint) {
  // F3: with keep probability ρ < 1, c* < 1 everywhere and ξ_c stays bounded, even at the
  // dropout-free critical σ_w², where ξ_c grows as ρ → 1.
  const auto tanh = moments("tanh");
  const double sw2 = critical_point(tanh, 0.05).sw2;
  double previous = 0;
  for (double keep : {0.8, 0.95, 0.99}) {
    const Analysis a = analyze(tanh, sw2, 0.05, keep);
    EXPECT_LT(a.c_star, 1.0) << keep;
    EXPECT_NEAR(correlation_map(tanh, sw2, 0.05, a.q_star, a.c_star), a.c_star, 1e-12);
    EXPECT_TRUE(std::isfinite(a.xi_c)) << keep;
    EXPECT_GT(a.xi_c, previous) << keep;
    previous = a.xi_c;
  }
  // Dropout's length map: q* = (σ_w²/ρ) E[φ²](q*) + σ_b².
  const Analysis a = analyze(tanh, 1.5, 0.05, 0.9);
  EXPECT_NEAR(a.q_star, 1.5 / 0.9 * tanh.second_moment(a.q_star) + 0.05, 1e-12);
  EXPECT_THROW(analyze(tanh, 1.5, 0.05, 0.0), InputError);
  EXPECT_THROW(analyze(tanh, 1.5, 0.05, 1.2), InputError);
}

TEST(MeanField, BadVariancesAreInputErrors) {
  EXPECT_THROW(analyze(moments("tanh"), -1.0, 0.0), InputError);
  EXPECT_THROW(analyze(moments("tanh"), 1.0, -0.1), InputError);
  EXPECT_THROW(moments("tanh").covariance(1, 1, 1.5), InputError);
}

}  // namespace
}  // namespace deepctl::meanfield

namespace deepctl::meanfield {
namespace {

TEST(PhaseDiagram, GridAgreesWithThePointwiseAnalysis) {
  // The fast grid (Newton, Mehler series) against analyze() (bracketing, 2-D quadrature).
  // With dropout (keep 0.85, which keeps ReLU's σ_w²/keep off its marginal value 2) as well:
  // every point then has c* < 1.
  for (const double keep : {1.0, 0.85})
    for (const std::string name : {"tanh", "erf", "relu", "sigmoid"}) {
      const ActivationMoments m(Activation::parse(name));
      const PhaseGrid grid = phase_diagram(m, linspace(0.6, 3.0, 5), linspace(0.0, 0.25, 4), keep);
      for (std::size_t i = 0; i < grid.sb2.size(); ++i)
        for (std::size_t j = 0; j < grid.sw2.size(); ++j) {
          const Analysis& g = grid.at(i, j);
          const Analysis a = analyze(m, grid.sw2[j], grid.sb2[i], keep);
          const std::string where = name + " keep " + std::to_string(keep) + " sw2 " +
                                    std::to_string(grid.sw2[j]) + " sb2 " +
                                    std::to_string(grid.sb2[i]);
          if (keep < 1 && std::isfinite(a.c_star)) {
            EXPECT_LT(g.c_star, 1.0) << where;
          }
          EXPECT_EQ(g.phase, a.phase) << where;
          for (auto [x, y] : {std::pair{g.q_star, a.q_star},
                              {g.chi1, a.chi1},
                              {g.c_star, a.c_star},
                              {g.chi_c, a.chi_c},
                              {g.xi_c, a.xi_c}}) {
            if (std::isnan(y) || std::isinf(y)) {
              EXPECT_EQ(std::isnan(x), std::isnan(y)) << where;
              continue;
            }
            EXPECT_NEAR(x, y, 1e-9 * std::max(1.0, std::abs(y))) << where;
          }
        }
    }
}

}  // namespace
}  // namespace deepctl::meanfield

#include "deepctl/meanfield/propagation.hpp"
#include "deepctl/problem/network_spec.hpp"

namespace deepctl::meanfield {
namespace {

// Width-1000 random networks built from the layer list that trains, against the q and c maps:
// over 8 draws, the mean of each layer's measured q and c lies within 4 standard errors
// (plus the O(1/N) finite-width bias, 5e-3) of the theory.
void expect_theory_matches_monte_carlo(const std::vector<LayerSpec>& layers, double sw2,
                                       double sb2) {
  const Index width = 1000;
  const Problem<double> problem =
      build_problem<double>({{width, 1, 1}, layers, "squared_error", 0});
  const Initializer init{InitKind::Gaussian, sw2, sb2};
  Rng rng(5);
  Vec<double> x1(width), x2(width);
  for (Index i = 0; i < width; ++i) {  // q0 = 0.8, c0 = 0.6 as in the review's code
    const double a = rng.normal(), b = rng.normal();
    x1[i] = std::sqrt(0.8) * a;
    x2[i] = std::sqrt(0.8) * (0.6 * a + 0.8 * b);
  }
  const auto theory = predict_pair(problem, init, x1, x2);
  const int draws = 8;
  std::vector<double> q_sum(theory.size()), q_sq(theory.size()), c_sum(theory.size()),
      c_sq(theory.size());
  for (int d = 0; d < draws; ++d) {
    const auto measured = measure_pair(problem, problem.init_params(Rng(100 + d), init), x1, x2);
    for (std::size_t t = 0; t < measured.size(); ++t) {
      q_sum[t] += measured[t].q11, q_sq[t] += measured[t].q11 * measured[t].q11;
      c_sum[t] += measured[t].c, c_sq[t] += measured[t].c * measured[t].c;
    }
  }
  for (std::size_t t = 0; t < theory.size(); ++t) {
    const double q_mean = q_sum[t] / draws, c_mean = c_sum[t] / draws;
    const double q_se = std::sqrt(std::max(q_sq[t] / draws - q_mean * q_mean, 0.0) / draws);
    const double c_se = std::sqrt(std::max(c_sq[t] / draws - c_mean * c_mean, 0.0) / draws);
    EXPECT_NEAR(q_mean, theory[t].q11, 4 * q_se + 5e-3 * theory[t].q11) << "layer " << t;
    EXPECT_NEAR(c_mean, theory[t].c, 4 * c_se + 5e-3) << "layer " << t;
  }
}

TEST(MeanFieldPropagation, DenseTanhOrderedAndChaotic) {
  std::vector<LayerSpec> layers(6, LayerSpec{.type = "dense", .width = 1000, .activation = "tanh"});
  expect_theory_matches_monte_carlo(layers, 1.5, 0.05);  // ordered: c → 1
  expect_theory_matches_monte_carlo(layers, 2.5, 0.05);  // chaotic: c → c* < 1
}

TEST(MeanFieldPropagation, ResidualAndReluStacks) {
  std::vector<LayerSpec> layers{{.type = "dense", .width = 1000, .activation = "relu"}};
  for (int i = 0; i < 6; ++i)
    layers.push_back({.type = "residual", .step = 0.5, .activation = "relu"});
  expect_theory_matches_monte_carlo(layers, 2.0, 0.0);
}

TEST(MeanFieldPropagation, TheMapsSettleAtTheFixedPointAtTheDepthScale) {
  std::vector<LayerSpec> layers(40, LayerSpec{.type = "dense", .width = 3, .activation = "tanh"});
  const Problem<double> problem = build_problem<double>({{3, 1, 1}, layers, "squared_error", 0});
  Vec<double> x1(3), x2(3);
  x1 << 1.0, 0.5, -0.2;
  x2 << 0.3, -0.9, 0.4;
  const auto theory = predict_pair(problem, {InitKind::Gaussian, 2.5, 0.05}, x1, x2);
  const Analysis a = analyze(ActivationMoments(Activation::parse("tanh")), 2.5, 0.05);
  EXPECT_NEAR(theory.back().q11, a.q_star, 1e-10);
  // |c^l − c*| ~ e^{−l/ξ_c}: successive ratios approach χ_c = e^{−1/ξ_c} (F3's two ways agree).
  // The ratio's distance to χ_c is the map's curvature times |c^l − c*|, so it shrinks with l.
  auto ratio = [&](std::size_t l) {
    return (theory[l + 1].c - a.c_star) / (theory[l].c - a.c_star);
  };
  for (std::size_t l = 30; l + 1 < theory.size(); ++l)
    EXPECT_NEAR(ratio(l), a.chi_c, 4e-3) << "layer " << l;
  EXPECT_LT(std::abs(ratio(theory.size() - 2) - a.chi_c), 0.5 * std::abs(ratio(20) - a.chi_c));
}

TEST(MeanFieldPropagation, LayersWithoutAKernelMapAreNamed) {
  NetworkSpec spec{{1, 4, 4},
                   {{.type = "conv2d", .channels = 2, .kernel = 3, .activation = "tanh"},
                    {.type = "flatten"},
                    {.type = "dense", .width = 2}},
                   "squared_error",
                   0};
  const Problem<double> problem = build_problem<double>(spec);
  const Vec<double> x = Vec<double>::Ones(16);
  try {
    predict_pair(problem, {}, x, x);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("layer 0 conv2d"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no mean-field kernel map"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace deepctl::meanfield
