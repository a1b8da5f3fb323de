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

// A teacher–student regression (4 inputs, 100 samples) and a 4-16-1 tanh student; run(o, k)
// takes k MSA steps from the same start and returns the objectives before each step.
struct Regression {
  Problem<double> problem = build_problem<double>(
      {{4, 1, 1},
       {{.type = "dense", .width = 16, .activation = "tanh"}, {.type = "dense", .width = 1}},
       "squared_error",
       0});
  Mat<double> X, Y;
  Regression() {
    Rng rng(9);
    const Dataset data = teacher_student(100, 4, 8, 0.05, rng);
    X = data.inputs.cast<double>();
    Y = data.targets.cast<double>();
  }
  std::vector<double> run(const MsaOptions& o, int steps) const {
    Params<double> theta = problem.init_params(Rng(1), {});
    std::vector<double> J;
    for (int k = 0; k < steps; ++k) J.push_back(msa_step<double>(problem, X, Y, theta, o));
    return J;
  }
};

TEST(Msa, EmsaDescendsOnARegression) {
  const auto J = Regression().run({.rho = 0.1, .inner_steps = 10, .inner_lr = 0.05}, 61);
  EXPECT_LT(J.back(), 0.3 * J.front());
}

TEST(Msa, EmsaWithLbfgsDescendsFasterPerIteration) {
  // The authors' inner solver: 10 L-BFGS iterations on −H̃_t per layer.
  const Regression r;
  const double lbfgs = r.run({.rho = 0.1, .inner_steps = 10, .inner = MsaInner::Lbfgs}, 20).back();
  const double ascent = r.run({.rho = 0.1, .inner_steps = 10, .inner_lr = 0.05}, 20).back();
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
