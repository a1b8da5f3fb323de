// L-BFGS against problems with known minima.
#include <gtest/gtest.h>

#include "deepctl/core/lbfgs.hpp"

namespace deepctl {
namespace {

TEST(Lbfgs, RosenbrockValley) {
  auto fg = [](const Vec<double>& x, Vec<double>& g) {
    const double a = 1 - x[0], b = x[1] - x[0] * x[0];
    g.resize(2);
    g[0] = -2 * a - 400 * x[0] * b;
    g[1] = 200 * b;
    return a * a + 100 * b * b;
  };
  Vec<double> x(2);
  x << -1.2, 1.0;
  const LbfgsResult r =
      lbfgs_minimize(fg, x, {.max_iterations = 200, .memory = 10, .gradient_tolerance = 1e-9});
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(x[0], 1.0, 1e-7);
  EXPECT_NEAR(x[1], 1.0, 1e-7);
}

TEST(Lbfgs, QuadraticInFewIterations) {
  // f = ½ xᵀAx − bᵀx with SPD A in 20 dimensions: the minimiser solves Ax = b.
  const int n = 20;
  Eigen::MatrixXd M = Eigen::MatrixXd::Random(n, n);
  const Eigen::MatrixXd A = M * M.transpose() + n * Eigen::MatrixXd::Identity(n, n);
  const Vec<double> b = Vec<double>::LinSpaced(n, -1, 1);
  auto fg = [&](const Vec<double>& x, Vec<double>& g) {
    g = A * x - b;
    return 0.5 * x.dot(A * x) - b.dot(x);
  };
  Vec<double> x = Vec<double>::Zero(n);
  const LbfgsResult r =
      lbfgs_minimize(fg, x, {.max_iterations = 60, .memory = 20, .gradient_tolerance = 1e-7});
  EXPECT_TRUE(r.converged);
  EXPECT_LT(r.iterations, 40);
  EXPECT_LE((A * x - b).norm(), 1e-7);
}

}  // namespace
}  // namespace deepctl
