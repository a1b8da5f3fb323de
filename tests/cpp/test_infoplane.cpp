// The binning estimator of the information plane (REFERENCE F21) against closed forms: the
// 12-bit set's H(X) = 12 and H(Y) = 0.99916 bits, and the published one-neuron entropies.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "deepctl/core/error.hpp"
#include "deepctl/core/linspace.hpp"
#include "deepctl/core/rng.hpp"
#include "deepctl/data/readers.hpp"
#include "deepctl/infoplane/binning.hpp"
#include "deepctl/infoplane/estimators.hpp"

namespace deepctl::infoplane {
namespace {

TEST(Binning, TwelveBitSetIdentityAndConstantLayers) {
  const Dataset d = load_ib12bit();
  const Mat<double> X = d.inputs.cast<double>();
  std::vector<int> y(d.size());
  for (Index s = 0; s < d.size(); ++s) y[s] = d.targets(s, 1) == 1 ? 1 : 0;
  // A layer that keeps every bit: I(X;T) = H(X) = 12 bits, I(T;Y) = H(Y).
  const PlanePoint id = binning_information(X, y, {0.5});
  EXPECT_NEAR(id.i_xt, 12.0, 1e-12);
  const double p1 = 2118.0 / 4096;
  const double hy = -(p1 * std::log2(p1) + (1 - p1) * std::log2(1 - p1));
  EXPECT_NEAR(id.i_ty, hy, 1e-12);
  EXPECT_NEAR(hy, 0.99916, 1e-5);
  // A constant layer carries nothing.
  const PlanePoint flat = binning_information(Mat<double>::Zero(4096, 3), y, linspace(-1, 1, 30));
  EXPECT_NEAR(flat.i_xt, 0.0, 1e-12);
  EXPECT_NEAR(flat.i_ty, 0.0, 1e-12);
  EXPECT_THROW(binning_information(X, std::vector<int>(3), {0.5}), InputError);
}

TEST(Binning, OneNeuronTanhMatchesThePublishedEntropies) {
  // X ~ N(0, 1), T = tanh(wX), 30 equal cells on [−1, 1]: H(T) = 2.6445, 4.8771, 2.0442 bits
  // for w = 0.1, 1, 10 (REFERENCE F21 (e)); 400 000 samples estimate them to ~0.01.
  Rng rng(7);
  const Index n = 400000;
  Vec<double> z(n);
  for (Index i = 0; i < n; ++i) z[i] = rng.normal();
  // The 29 interior edges: 30 cells covering [−1, 1] closed, so saturated values ±1 (tanh(10x)
  // rounds to ±1 for |x| > 1.9) stay in the end cells, as in the exact computation.
  auto edges = linspace(-1, 1, 31);
  edges = std::vector<double>(edges.begin() + 1, edges.end() - 1);
  for (auto [w, published] : {std::pair{0.1, 2.6445}, {1.0, 4.8771}, {10.0, 2.0442}}) {
    const Mat<double> T = (w * z).array().tanh().matrix();
    EXPECT_NEAR(binned_entropy(T, edges), published, 0.01) << "w " << w;
  }
}

// I(X;T) of the Gaussian channel T = h(X) + N(0, σ²) in one dimension, X uniform over the
// points h: the mixture entropy by a fine trapezoid rule minus ½ log2(2πeσ²).
double gaussian_channel_bits(const std::vector<double>& h, double variance) {
  const double sigma = std::sqrt(variance);
  const double lo = *std::min_element(h.begin(), h.end()) - 12 * sigma;
  const double hi = *std::max_element(h.begin(), h.end()) + 12 * sigma;
  const int steps = 200000;
  const double dt = (hi - lo) / steps;
  double entropy = 0;
  for (int k = 0; k <= steps; ++k) {
    const double t = lo + k * dt;
    double p = 0;
    for (double c : h) p += std::exp(-(t - c) * (t - c) / (2 * variance));
    p /= h.size() * std::sqrt(2 * M_PI * variance);
    if (p > 0) entropy -= (k == 0 || k == steps ? 0.5 : 1.0) * p * std::log2(p) * dt;
  }
  return entropy - 0.5 * std::log2(2 * M_PI * M_E * variance);
}

TEST(Kde, BoundsBracketTheGaussianChannelAndHitTheLimits) {
  for (double spacing : {0.02, 0.05, 0.1, 0.3}) {
    const std::vector<double> h = {0.0, spacing, 2.5 * spacing, 3 * spacing};
    Mat<double> H(4, 1);
    for (int i = 0; i < 4; ++i) H(i, 0) = h[i];
    const KdeBounds b = kde_information(H, {}, 1e-3);
    const double exact = gaussian_channel_bits(h, 1e-3);
    EXPECT_LE(b.i_xt_lower, exact + 1e-9) << spacing;
    EXPECT_GE(b.i_xt_upper, exact - 1e-9) << spacing;
  }
  // Identical points carry nothing; well-separated ones log2 N bits; labels split I(T;Y).
  EXPECT_NEAR(kde_information(Mat<double>::Zero(8, 2), {}, 1e-3).i_xt_upper, 0.0, 1e-12);
  Mat<double> far(8, 2);
  for (int i = 0; i < 8; ++i) far.row(i) << 10.0 * i, -3.0 * i;
  const KdeBounds separated = kde_information(far, {0, 0, 0, 0, 1, 1, 1, 1}, 1e-3);
  EXPECT_NEAR(separated.i_xt_upper, 3.0, 1e-9);
  EXPECT_NEAR(separated.i_xt_lower, 3.0, 1e-9);
  EXPECT_NEAR(separated.i_ty, 1.0, 1e-9);
  EXPECT_THROW(kde_information(far, {}, 0.0), InputError);
}

TEST(Knn, KraskovEstimateOfCorrelatedGaussians) {
  // (X, T) jointly Gaussian with correlation ρ: I = −½ log2(1 − ρ²).
  Rng rng(31);
  const Index n = 1500;
  for (double rho : {0.0, 0.6, 0.9}) {
    Mat<double> X(n, 1), T(n, 1);
    for (Index i = 0; i < n; ++i) {
      const double a = rng.normal(), b = rng.normal();
      X(i, 0) = a;
      T(i, 0) = rho * a + std::sqrt(1 - rho * rho) * b;
    }
    EXPECT_NEAR(knn_information(X, T, 3), -0.5 * std::log2(1 - rho * rho), 0.05) << rho;
  }
  EXPECT_THROW(knn_information(Mat<double>::Zero(5, 1), Mat<double>::Zero(5, 1), 5), InputError);
}

}  // namespace
}  // namespace deepctl::infoplane
