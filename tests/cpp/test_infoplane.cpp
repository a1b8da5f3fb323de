// The binning estimator of the information plane (REFERENCE F21) against closed forms: the
// 12-bit set's H(X) = 12 and H(Y) = 0.99916 bits, and the published one-neuron entropies.
#include <gtest/gtest.h>

#include <cmath>

#include "deepctl/core/error.hpp"
#include "deepctl/core/linspace.hpp"
#include "deepctl/core/rng.hpp"
#include "deepctl/data/readers.hpp"
#include "deepctl/infoplane/binning.hpp"

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

}  // namespace
}  // namespace deepctl::infoplane
