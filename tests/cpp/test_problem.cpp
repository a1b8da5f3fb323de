// The Problem's costate pass against finite differences of J (REFERENCE F1 checks), on a mixed
// network of every layer kind, with the L2 running cost on.
#include <gtest/gtest.h>

#include "deepctl/core/error.hpp"
#include "deepctl/layer/dense.hpp"
#include "deepctl/problem/hamiltonian.hpp"
#include "deepctl/problem/layer_statistics.hpp"
#include "deepctl/problem/network_spec.hpp"
#include "deepctl/problem/parallel_gradient.hpp"

namespace deepctl {
namespace {

NetworkSpec mixed_network(const std::string& loss) {
  NetworkSpec spec;
  spec.input = {2, 6, 6};
  spec.loss = loss;
  spec.l2 = 0.01;
  spec.layers = {
      {.type = "conv2d", .channels = 3, .kernel = 3, .padding = 1, .activation = "tanh"},
      {.type = "maxpool", .kernel = 2},
      {.type = "conv2d", .channels = 2, .kernel = 2, .activation = "softplus"},
      {.type = "avgpool", .kernel = 2},
      {.type = "flatten"},
      {.type = "dense", .width = 5, .activation = "gelu"},
      {.type = "residual", .step = 0.5, .activation = "tanh"},
      {.type = "dense", .width = 4},
  };
  return spec;
}

struct Fixture {
  explicit Fixture(const std::string& loss) : problem(build_problem<double>(mixed_network(loss))) {
    Rng rng(3);
    theta = problem.init_params(rng, {InitKind::Gaussian, 1.8, 0.05});
    X.resize(5, problem.input_shape().size());
    Y = Mat<double>::Zero(5, 4);
    for (Index i = 0; i < X.size(); ++i) X.data()[i] = rng.normal();
    for (Index s = 0; s < 5; ++s) {
      if (loss == "cross_entropy")
        Y(s, s % 4) = 1.0;
      else
        for (Index k = 0; k < 4; ++k) Y(s, k) = rng.normal();
    }
  }
  double objective(const Params<double>& th, const Mat<double>& x) {
    Workspace<double> ws = problem.make_workspace(x.rows());
    return problem.rollout(ws, x, Y, th);
  }
  Problem<double> problem;
  Params<double> theta;
  Mat<double> X, Y;
};

class ProblemGradient : public ::testing::TestWithParam<std::string> {};

TEST_P(ProblemGradient, CostatePassMatchesFiniteDifferencesOfJ) {
  Fixture f(GetParam());
  Workspace<double> ws = f.problem.make_workspace(5);
  f.problem.rollout(ws, f.X, f.Y, f.theta);
  Params<double> grad;
  f.problem.adjoint(ws, f.Y, f.theta, grad, /*input_costate=*/true);
  for (std::size_t t = 0; t < f.theta.size(); ++t) {
    for (Index i = 0; i < f.theta[t].size(); ++i) {
      Params<double> plus = f.theta, minus = f.theta;
      const double h = 1e-6 * (1 + std::abs(f.theta[t][i]));
      plus[t][i] += h;
      minus[t][i] -= h;
      const double fd = (f.objective(plus, f.X) - f.objective(minus, f.X)) / (2 * h);
      EXPECT_NEAR(grad[t][i], fd, 1e-6 * std::max(1.0, std::abs(fd)))
          << "layer " << t << " " << f.problem.layer(t).describe() << " param " << i;
    }
  }
  // p_0^s = −∂J/∂x_0^s (C5).
  for (Index s = 0; s < 5; ++s)
    for (Index j = 0; j < f.X.cols(); j += 7) {
      Mat<double> plus = f.X, minus = f.X;
      plus(s, j) += 1e-6;
      minus(s, j) -= 1e-6;
      const double fd = (f.objective(f.theta, plus) - f.objective(f.theta, minus)) / 2e-6;
      EXPECT_NEAR(ws.costates[0](s, j), -fd, 1e-7);
    }
}

INSTANTIATE_TEST_SUITE_P(Losses, ProblemGradient,
                         ::testing::Values("cross_entropy", "squared_error"));

TEST(Problem, TimeSmoothnessRunningCostAndItsGradient) {
  // (α/h) Σ ‖θ_{t+1} − θ_t‖² over adjacent residual or hamiltonian layers of one size (h the
  // first one's step): residual(h 0.5) → residual(h 0.5) → residual(h 0.25) → hamiltonian(h 0.2)
  // → hamiltonian(h 0.2) has the pairs (0, 1), (1, 2) and (3, 4). The costate gradient matches
  // finite differences of J, and the PMP stationarity residual is ‖∇_{θ_t} J‖ with the coupling.
  NetworkSpec spec{{4, 1, 1},
                   {{.type = "residual", .step = 0.5, .activation = "tanh"},
                    {.type = "residual", .step = 0.5, .activation = "tanh"},
                    {.type = "residual", .step = 0.25, .activation = "tanh"},
                    {.type = "hamiltonian", .step = 0.2, .activation = "tanh"},
                    {.type = "hamiltonian", .step = 0.2, .activation = "tanh"}},
                   "squared_error",
                   0.1,
                   0.7};
  const Problem<double> problem = build_problem<double>(spec);
  Rng rng(9);
  const Params<double> theta = problem.init_params(rng, {InitKind::Gaussian, 1.0, 0.1});
  double expected = 0;
  for (const auto& th : theta) expected += 0.05 * th.squaredNorm();
  expected += 0.7 / 0.5 * (theta[1] - theta[0]).squaredNorm() +
              0.7 / 0.5 * (theta[2] - theta[1]).squaredNorm() +
              0.7 / 0.2 * (theta[4] - theta[3]).squaredNorm();
  EXPECT_NEAR(problem.running_cost(theta), expected, 1e-12);
  Mat<double> X(3, 4), Y(3, 4);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = rng.normal(), Y.data()[i] = rng.normal();
  Workspace<double> ws = problem.make_workspace(3);
  problem.rollout(ws, X, Y, theta);
  Params<double> grad;
  problem.adjoint(ws, Y, theta, grad);
  auto objective = [&](const Params<double>& th) {
    Workspace<double> w = problem.make_workspace(3);
    return problem.rollout(w, X, Y, th);
  };
  for (std::size_t t = 0; t < theta.size(); ++t)
    for (Index i = 0; i < theta[t].size(); i += 3) {
      Params<double> plus = theta, minus = theta;
      plus[t][i] += 1e-6;
      minus[t][i] -= 1e-6;
      EXPECT_NEAR(grad[t][i], (objective(plus) - objective(minus)) / 2e-6, 1e-7) << t << " " << i;
    }
  const PmpResiduals r = pmp_residuals(problem, ws, theta);
  for (std::size_t t = 0; t < theta.size(); ++t)
    EXPECT_NEAR(r.stationarity[t], grad[t].norm(), 1e-12) << t;
  EXPECT_THROW(Problem<double>({std::make_shared<Dense<double>>(2, 2, Activation())},
                               make_loss<double>("squared_error"), 0.0, -1.0),
               InputError);
}

TEST(Problem, GradientAscentOnHamiltonianIsAnSgdStep) {
  // θ + η∇_θH with ∇_θH = −∇_θJ: the SGD step, and J decreases for small η.
  Fixture f("cross_entropy");
  Workspace<double> ws = f.problem.make_workspace(5);
  const double j0 = f.problem.rollout(ws, f.X, f.Y, f.theta);
  Params<double> grad;
  f.problem.adjoint(ws, f.Y, f.theta, grad);
  Params<double> next = f.theta;
  double sq = 0;
  for (std::size_t t = 0; t < next.size(); ++t) {
    next[t] -= 1e-3 * grad[t];
    sq += grad[t].squaredNorm();
  }
  const double j1 = f.objective(next, f.X);
  EXPECT_LT(j1, j0);
  EXPECT_NEAR(j1 - j0, -1e-3 * sq, 1e-3 * 1e-3 * sq * 50);
}

TEST(ParallelGradient, ShardedObjectiveAndGradientEqualOnePass) {
  // 100 rows over 3 shards of 33, 33, 34: Σ_k (b_k/B) J_k and Σ_k (b_k/B) ∇J_k (L2 included).
  Fixture f("cross_entropy");
  Rng rng(8);
  Mat<double> X(100, f.X.cols()), Y = Mat<double>::Zero(100, 4);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = rng.normal();
  for (Index s = 0; s < 100; ++s) Y(s, Index(rng.uniform_int(4))) = 1.0;
  ParallelGradient<double> one(f.problem, 100, 1), sharded(f.problem, 100, 3);
  ASSERT_EQ(one.shards(), 1);
  ASSERT_EQ(sharded.shards(), 3);
  Params<double> g1, g3;
  const double j1 = one.evaluate(X, Y, f.theta, g1), j3 = sharded.evaluate(X, Y, f.theta, g3);
  EXPECT_NEAR(j3, j1, 1e-13 * std::abs(j1));
  for (std::size_t t = 0; t < g1.size(); ++t)
    EXPECT_LE((g3[t] - g1[t]).norm(), 1e-12 * g1[t].norm()) << "layer " << t;
  // Shards never go below kMinShardRows rows.
  EXPECT_EQ(ParallelGradient<double>(f.problem, 40, 4).shards(), 1);
  EXPECT_THROW(sharded.evaluate(X.topRows(50), Y.topRows(50), f.theta, g3), InputError);
}

TEST(LayerStatistics, MatchTheTrajectoryAndTheTerminalCostate) {
  // Squared error: p_T = −(1/B)(z − y), so the last layer's costate_rms is rms(z − y).
  Fixture f("squared_error");
  const auto stats = layer_statistics<double>(f.problem, f.theta, f.X, f.Y);
  Workspace<double> ws = f.problem.make_workspace(5);
  f.problem.rollout(ws, f.X, f.Y, f.theta);
  Params<double> grad;
  f.problem.adjoint(ws, f.Y, f.theta, grad);
  ASSERT_EQ(stats.size(), f.theta.size());
  for (std::size_t t = 0; t < stats.size(); ++t) {
    const auto& x = ws.states[t + 1];
    const double n = double(x.size()), mean = x.sum() / n;
    EXPECT_NEAR(stats[t].activation_mean, mean, 1e-12);
    EXPECT_NEAR(stats[t].activation_std, std::sqrt((x.array() - mean).square().sum() / n), 1e-12);
    if (f.theta[t].size() > 0) {
      EXPECT_NEAR(stats[t].weight_rms, f.theta[t].norm() / std::sqrt(double(f.theta[t].size())),
                  1e-12);
      EXPECT_NEAR(stats[t].grad_rms, grad[t].norm() / std::sqrt(double(grad[t].size())), 1e-12);
    }
  }
  const Mat<double> residual = ws.output() - f.Y;
  EXPECT_NEAR(stats.back().costate_rms, residual.norm() / std::sqrt(double(residual.size())),
              1e-12);
}

TEST(Hamiltonian, GradientValueAndPmpResiduals) {
  Fixture f("cross_entropy");
  Workspace<double> ws = f.problem.make_workspace(5);
  f.problem.rollout(ws, f.X, f.Y, f.theta);
  Params<double> grad;
  f.problem.adjoint(ws, f.Y, f.theta, grad, /*input_costate=*/true);
  const PmpResiduals own = pmp_residuals(f.problem, ws, f.theta);
  Rng rng(12);
  for (Index t = 0; t < f.problem.num_layers(); ++t) {
    // On θ's own trajectory the state and costate equations hold; ∇_θ H_t = −∇_{θ_t} J.
    EXPECT_LT(own.state[t], 1e-14) << t;
    EXPECT_LT(own.costate[t], 1e-13) << t;
    Vec<double> gH;
    const double H = layer_hamiltonian<double>(f.problem, ws, t, f.theta[t], &gH);
    EXPECT_DOUBLE_EQ(H, own.hamiltonian[t]);
    EXPECT_LE((gH + grad[t]).norm(), 1e-12 * std::max(1.0, grad[t].norm())) << t;
    EXPECT_NEAR(own.stationarity[t], grad[t].norm(), 1e-12 * std::max(1.0, grad[t].norm()));
    if (f.theta[t].size() == 0) continue;
    // dH/dε along a random direction equals ∇_θ H · v.
    Vec<double> v(f.theta[t].size());
    for (Index i = 0; i < v.size(); ++i) v[i] = rng.normal();
    const double eps = 1e-6;
    const double dH =
        (layer_hamiltonian<double>(f.problem, ws, t, Vec<double>(f.theta[t] + eps * v)) -
         layer_hamiltonian<double>(f.problem, ws, t, Vec<double>(f.theta[t] - eps * v))) /
        (2 * eps);
    EXPECT_NEAR(dH, gH.dot(v), 1e-7 * std::max(1.0, std::abs(dH))) << t;
  }
  // After an update θ → φ on the old trajectory, layer 0's state residual is the rms change of
  // its map: √((1/B) Σ_s ‖f_0(x_0^s, φ_0) − f_0(x_0^s, θ_0)‖²) (the MSA error-estimate term).
  Params<double> phi = f.theta;
  for (std::size_t t = 0; t < phi.size(); ++t) phi[t] -= 0.1 * grad[t];
  const PmpResiduals moved = pmp_residuals(f.problem, ws, phi);
  Workspace<double> ws_phi = f.problem.make_workspace(5);
  f.problem.rollout(ws_phi, f.X, f.Y, phi);
  const double expected = std::sqrt((ws_phi.states[1] - ws.states[1]).squaredNorm() / 5.0);
  EXPECT_NEAR(moved.state[0], expected, 1e-12);
  EXPECT_GT(moved.costate[0], 0.0);
  EXPECT_THROW(layer_hamiltonian<double>(f.problem, ws, 99, f.theta[0]), InputError);
}

TEST(Problem, RejectsIncompatibleShapesAndParameters) {
  NetworkSpec spec = mixed_network("squared_error");
  spec.layers.back().width = 3;
  Problem<double> p = build_problem<double>(spec);
  Workspace<double> ws = p.make_workspace(2);
  Mat<double> X = Mat<double>::Zero(2, p.input_shape().size()), Y = Mat<double>::Zero(2, 4);
  EXPECT_THROW(p.rollout(ws, X, Y, p.zero_params()), InputError);
  Params<double> bad = p.zero_params();
  bad.pop_back();
  EXPECT_THROW(p.check_params(bad), InputError);
  spec.layers[0].kernel = 9;  // larger than the padded 6x6 input
  EXPECT_THROW(build_problem<double>(spec), InputError);
  const NetworkSpec even{{2, 4, 4}, {{.type = "residual", .kernel = 2}}, "squared_error", 0};
  EXPECT_THROW(build_problem<double>(even), InputError);  // no same padding for an even kernel
}

TEST(Loss, GradientAndGaussNewtonMatchFiniteDifferences) {
  for (const std::string name : {"cross_entropy", "squared_error"}) {
    auto loss = make_loss<double>(name);
    Rng rng(5);
    Mat<double> z(1, 4), y(1, 4);
    for (Index k = 0; k < 4; ++k) z(0, k) = rng.normal(), y(0, k) = rng.uniform();
    y /= y.sum();
    Mat<double> g(1, 4);
    loss->gradient(z, y, g);
    Mat<double> G(4, 4);
    loss->gauss_newton(z.row(0).transpose(), y.row(0).transpose(), G);
    for (Index k = 0; k < 4; ++k) {
      Mat<double> zp = z, zm = z;
      zp(0, k) += 1e-6;
      zm(0, k) -= 1e-6;
      Vec<double> fp(1), fm(1);
      loss->value(zp, y, fp);
      loss->value(zm, y, fm);
      EXPECT_NEAR(g(0, k), (fp[0] - fm[0]) / 2e-6, 1e-8) << name;
      Mat<double> gp(1, 4), gm(1, 4);
      loss->gradient(zp, y, gp);
      loss->gradient(zm, y, gm);
      for (Index l = 0; l < 4; ++l)
        EXPECT_NEAR(G(l, k), (gp(0, l) - gm(0, l)) / 2e-6, 1e-8) << name;
    }
  }
}

TEST(Loss, CrossEntropyClosedFormAndStability) {
  SoftmaxCrossEntropy<double> ce;
  Mat<double> z(2, 3), y = Mat<double>::Zero(2, 3);
  z << 0, 0, 0, 1000, 0, -1000;
  y(0, 1) = 1;
  y(1, 0) = 1;
  Vec<double> phi(2);
  ce.value(z, y, phi);
  EXPECT_NEAR(phi[0], std::log(3.0), 1e-15);
  EXPECT_NEAR(phi[1], 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(accuracy<double>(z, y), 0.5);
}

}  // namespace
}  // namespace deepctl
