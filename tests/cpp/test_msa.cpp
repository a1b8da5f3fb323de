// MSA and E-MSA (REFERENCE F9): the augmented Hamiltonian's closed-form gradient against finite
// differences, one inner step = one gradient step, and descent on a small regression.
#include <gtest/gtest.h>

#include "deepctl/core/error.hpp"
#include "deepctl/data/synthetic.hpp"
#include "deepctl/problem/network_spec.hpp"
#include "deepctl/solver/msa.hpp"

namespace deepctl {
namespace {

struct Toy {
  Problem<double> problem =
      build_problem<double>({{3, 1, 1},
                             {{.type = "dense", .width = 5, .activation = "tanh"},
                              {.type = "residual", .step = 0.5, .activation = "gelu"},
                              {.type = "dense", .width = 2, .activation = "softplus"}},
                             "squared_error",
                             0.01});
  Mat<double> X, Y;
  Params<double> theta;
  Toy() {
    Rng rng(6);
    X.resize(7, 3);
    Y.resize(7, 2);
    for (Index i = 0; i < X.size(); ++i) X.data()[i] = rng.normal();
    for (Index i = 0; i < Y.size(); ++i) Y.data()[i] = rng.normal();
    theta = problem.init_params(Rng(2), {InitKind::Gaussian, 1.5, 0.1});
  }
  Workspace<double> trajectory() const {
    Workspace<double> ws = problem.make_workspace(X.rows());
    problem.rollout(ws, X, Y, theta);
    Params<double> g;
    problem.adjoint(ws, Y, theta, g, true);
    return ws;
  }
};

TEST(Msa, AugmentedHamiltonianGradientMatchesFiniteDifferences) {
  const Toy toy;
  const Workspace<double> ws = toy.trajectory();
  Rng rng(3);
  for (Index t = 0; t < toy.problem.num_layers(); ++t) {
    // Away from θ_t, so that the state and costate penalties are active.
    Vec<double> th = toy.theta[t];
    for (Index i = 0; i < th.size(); ++i) th[i] += 0.2 * rng.normal();
    for (double rho : {0.0, 0.7}) {
      Vec<double> g;
      augmented_hamiltonian<double>(toy.problem, ws, t, th, rho, &g);
      for (Index i = 0; i < th.size(); ++i) {
        const double h = 1e-6;
        Vec<double> plus = th, minus = th;
        plus[i] += h;
        minus[i] -= h;
        const double fd = (augmented_hamiltonian<double>(toy.problem, ws, t, plus, rho) -
                           augmented_hamiltonian<double>(toy.problem, ws, t, minus, rho)) /
                          (2 * h);
        EXPECT_NEAR(g[i], fd, 1e-7 * std::max(1.0, std::abs(fd)))
            << "layer " << t << " rho " << rho << " i " << i;
      }
    }
  }
}

TEST(Msa, OneInnerStepIsAGradientStep) {
  const Toy toy;
  Workspace<double> ws = toy.problem.make_workspace(toy.X.rows());
  toy.problem.rollout(ws, toy.X, toy.Y, toy.theta);
  Params<double> grad;
  toy.problem.adjoint(ws, toy.Y, toy.theta, grad);
  Params<double> theta = toy.theta;
  const double eta = 0.05;
  msa_step<double>(toy.problem, toy.X, toy.Y, theta,
                   {.rho = 0.9, .inner_steps = 1, .inner_lr = eta});
  for (std::size_t t = 0; t < theta.size(); ++t)
    EXPECT_LE((theta[t] - (toy.theta[t] - eta * grad[t])).norm(), 1e-13) << t;
}

TEST(Msa, EmsaDescendsOnARegression) {
  Rng rng(9);
  const Dataset data = teacher_student(100, 4, 8, 0.05, rng);
  const Problem<double> problem = build_problem<double>(
      {{4, 1, 1},
       {{.type = "dense", .width = 16, .activation = "tanh"}, {.type = "dense", .width = 1}},
       "squared_error",
       0});
  Params<double> theta = problem.init_params(Rng(1), {});
  const Mat<double> X = data.inputs.cast<double>(), Y = data.targets.cast<double>();
  const double first =
      msa_step<double>(problem, X, Y, theta, {.rho = 0.1, .inner_steps = 10, .inner_lr = 0.05});
  double last = first;
  for (int k = 0; k < 60; ++k)
    last =
        msa_step<double>(problem, X, Y, theta, {.rho = 0.1, .inner_steps = 10, .inner_lr = 0.05});
  EXPECT_LT(last, 0.3 * first);
}

TEST(Msa, EmsaWithLbfgsDescendsFasterPerIteration) {
  // The authors' inner solver: 10 L-BFGS iterations on −H̃_t per layer.
  Rng rng(9);
  const Dataset data = teacher_student(100, 4, 8, 0.05, rng);
  const Problem<double> problem = build_problem<double>(
      {{4, 1, 1},
       {{.type = "dense", .width = 16, .activation = "tanh"}, {.type = "dense", .width = 1}},
       "squared_error",
       0});
  const Mat<double> X = data.inputs.cast<double>(), Y = data.targets.cast<double>();
  auto run = [&](MsaOptions o) {
    Params<double> theta = problem.init_params(Rng(1), {});
    double J = 0;
    for (int k = 0; k < 20; ++k) J = msa_step<double>(problem, X, Y, theta, o);
    return J;
  };
  const double lbfgs = run({.rho = 0.1, .inner_steps = 10, .inner = MsaInner::Lbfgs});
  const double ascent = run({.rho = 0.1, .inner_steps = 10, .inner_lr = 0.05});
  EXPECT_LT(lbfgs, ascent);
  EXPECT_THROW(MsaOptions::parse_inner("adam"), InputError);
}

TEST(Msa, LayersWithoutAClosedFormAreNamed) {
  const Problem<double> problem =
      build_problem<double>({{1, 4, 4},
                             {{.type = "conv2d", .channels = 2, .kernel = 3},
                              {.type = "flatten"},
                              {.type = "dense", .width = 2}},
                             "squared_error",
                             0});
  Params<double> theta = problem.init_params(Rng(1), {});
  const Mat<double> X = Mat<double>::Ones(2, 16), Y = Mat<double>::Zero(2, 2);
  try {
    msa_step<double>(problem, X, Y, theta, {});
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("layer 0 conv2d"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace deepctl
