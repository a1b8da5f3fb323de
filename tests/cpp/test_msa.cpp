// MSA and E-MSA (REFERENCE F9): the augmented Hamiltonian's closed-form gradient against finite
// differences, one inner step = one gradient step, and descent on a small regression.
#include <gtest/gtest.h>

#include <filesystem>

#include "deepctl/config/run_config.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/data/synthetic.hpp"
#include "deepctl/io/checkpoint.hpp"
#include "deepctl/problem/network_spec.hpp"
#include "deepctl/solver/discrete_msa.hpp"
#include "deepctl/solver/msa.hpp"

namespace deepctl {
namespace {

struct Toy {
  Problem<double> problem;
  Mat<double> X, Y;
  Params<double> theta;
  explicit Toy(const NetworkSpec& spec = {{3, 1, 1},
                                          {{.type = "dense", .width = 5, .activation = "tanh"},
                                           {.type = "residual", .step = 0.5, .activation = "gelu"},
                                           {.type = "dense", .width = 2, .activation = "softplus"}},
                                          "squared_error",
                                          0.01})
      : problem(build_problem<double>(spec)) {
    Rng rng(6);
    X.resize(7, spec.input.size());
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
  // Dense and residual-dense layers, a convolution and a residual convolution (tanh, so that φ″
  // enters).
  const NetworkSpec conv{
      {2, 4, 4},
      {{.type = "conv2d", .channels = 3, .kernel = 3, .padding = 1, .activation = "tanh"},
       {.type = "residual", .kernel = 3, .step = 0.5, .activation = "tanh"},
       {.type = "flatten"},
       {.type = "dense", .width = 2, .activation = "softplus"}},
      "squared_error",
      0.01};
  for (const Toy& toy : {Toy(), Toy(conv)}) {
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

TEST(Msa, StartPerturbationIsAUniformDrawOfTheStep) {
  // A vanishing inner step leaves the inner start θ_t + a·ξ: |ξ_i| ≤ 1 with mean 0 and
  // variance 1/3, the same for the same step, and another draw at another step.
  const Toy toy;
  const double a = 0.005;
  const MsaOptions o{.inner_steps = 1, .inner_lr = 1e-300, .perturbation = a, .noise_seed = 4};
  auto start = [&](std::uint64_t step) {
    Params<double> theta = toy.theta;
    msa_step<double>(toy.problem, toy.X, toy.Y, theta, o, nullptr, step);
    std::vector<double> xi;
    for (std::size_t t = 0; t < theta.size(); ++t)
      for (Index i = 0; i < theta[t].size(); ++i) xi.push_back((theta[t][i] - toy.theta[t][i]) / a);
    return xi;
  };
  const std::vector<double> xi = start(3);
  double mean = 0, square = 0, largest = 0;
  for (double v : xi) {
    mean += v / xi.size();
    square += v * v / xi.size();
    largest = std::max(largest, std::abs(v));
  }
  const double n = static_cast<double>(xi.size());  // 62 parameters
  EXPECT_LE(largest, 1.0 + 1e-9);
  EXPECT_GT(largest, 0.9);
  EXPECT_NEAR(mean, 0.0, 4 * std::sqrt(1.0 / 3 / n));
  EXPECT_NEAR(square, 1.0 / 3, 4 * std::sqrt(4.0 / 45 / n));  // Var ξ² = 1/5 − 1/9
  EXPECT_EQ(start(3), xi);
  EXPECT_NE(start(4), xi);
}

TEST(Msa, StartPerturbationLeavesTheSymmetricSubspaceOfTheZeroToy) {
  // The authors' toy in small: 5 copies of x, residual tanh layers from all-zero parameters,
  // the sum of the outputs. Every H̃_t is symmetric in the copies, so without the perturbation
  // the copies stay equal in every state; with a = 0.005 they part.
  const Problem<double> problem =
      build_problem<double>({{5, 1, 1},
                             {{.type = "residual", .step = 0.25, .activation = "tanh"},
                              {.type = "residual", .step = 0.25, .activation = "tanh"},
                              {.type = "residual", .step = 0.25, .activation = "tanh"},
                              {.type = "sum"}},
                             "squared_error",
                             5e-4});
  Mat<double> X(20, 5), Y(20, 1);
  for (Index s = 0; s < 20; ++s) {
    X.row(s).setConstant(-3.0 + 0.3 * s);
    Y(s, 0) = std::sin(X(s, 0));
  }
  auto spread = [&](double a) {
    Params<double> theta = problem.zero_params();
    const MsaOptions o{.rho = 0.5, .inner_steps = 10, .inner = MsaInner::Lbfgs, .perturbation = a};
    for (std::uint64_t k = 0; k < 5; ++k) msa_step<double>(problem, X, Y, theta, o, nullptr, k);
    Workspace<double> ws = problem.make_workspace(X.rows());
    problem.rollout(ws, X, Y, theta);
    const Mat<double>& hidden = ws.states[problem.num_layers() - 1];  // before the sum
    return (hidden.rowwise().maxCoeff() - hidden.rowwise().minCoeff()).maxCoeff();
  };
  EXPECT_LT(spread(0.0), 1e-12);
  EXPECT_GT(spread(0.005), 1e-4);  // measured: 3.0e-4
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
  const Problem<double> problem = build_problem<double>(
      {{4, 1, 1},
       {{.type = "hamiltonian", .step = 0.5, .activation = "tanh"}, {.type = "dense", .width = 2}},
       "squared_error",
       0});
  Params<double> theta = problem.init_params(Rng(1), {});
  const Mat<double> X = Mat<double>::Ones(2, 4), Y = Mat<double>::Zero(2, 2);
  try {
    msa_step<double>(problem, X, Y, theta, {});
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("layer 0 hamiltonian"), std::string::npos) << e.what();
  }
}

TEST(DiscreteMsa, TernaryClosedFormIsTheBruteForceArgmax) {
  // REFERENCE F9 (e): argmax_{w ∈ {−1,0,1}} m w − ρ_k (w − w_old)² − λ|w| for random (m, w_old).
  Rng rng(31);
  for (int trial = 0; trial < 20000; ++trial) {
    const double m = rng.normal(), rho = std::abs(rng.normal()), lambda = 0.3 * rng.uniform();
    const double w_old = double(rng.uniform_int(3)) - 1;
    double best = -1e300, argmax = 0;
    for (double w : {-1.0, 0.0, 1.0}) {
      const double value = m * w - rho * (w - w_old) * (w - w_old) - lambda * std::abs(w);
      if (value > best + 1e-15) best = value, argmax = w;
    }
    EXPECT_EQ(ternary_update(m, w_old, rho, lambda), argmax) << m << " " << w_old << " " << rho;
  }
}

TEST(DiscreteMsa, BinaryAndTernaryNetworksLearnDigits) {
  // 64 → 256 ReLU → 10, every W discrete (c = 1/√n), biases by Adam at 1e−3, ρ = 0.25, batch 32,
  // 30 epochs. Measured test accuracy 0.975 (binary), 0.981 (ternary, λ = 1e−7, 91 % of the
  // weights non-zero; λ = 3e−6: 0.978 with 63 %, λ = 1e−5: 0.747 with 5.9 %). The weights stay
  // in their sets, and a checkpoint (M and Adam's moments) resumes exactly.
  DataConfig data_config;
  data_config.name = "digits";
  const TrainTest data = load_data(data_config);
  for (const std::string weights : {"binary", "ternary"}) {
    const Problem<double> problem = build_problem<double>(
        {{64, 1, 1},
         {{.type = "dense", .width = 256, .activation = "relu", .weights = weights},
          {.type = "dense", .width = 10, .weights = weights}},
         "cross_entropy",
         0.0});
    TrainerOptions o;
    o.epochs = 30;
    o.batch_size = 32;
    o.schedule.base = 1e-3;
    const DiscreteMsaOptions msa{0.25, 1e-7, 0.999, 0.95};
    const Params<double> init = problem.init_params(Rng(8), {});
    DiscreteMsaTrainer<double> straight(problem, data.train, nullptr, o, msa);
    straight.init(init);
    ASSERT_EQ(straight.solve().status, TrainStatus::Completed);
    EXPECT_GE(evaluate(problem, straight.params(), data.test).accuracy, 0.96) << weights;
    for (Index t = 0; t < 2; ++t) {
      const Index n = t == 0 ? 64 * 256 : 256 * 10;
      for (Index i = 0; i < n; ++i) {
        const double w = straight.params()[t][i];
        EXPECT_TRUE(w == 1 || w == -1 || (weights == "ternary" && w == 0)) << t << " " << i;
      }
    }
    const double nonzero = discrete_nonzero_fraction(problem, straight.params());
    if (weights == "binary")
      EXPECT_EQ(nonzero, 1.0);
    else
      EXPECT_LT(nonzero, 0.99);
    o.epochs = 6;
    DiscreteMsaTrainer<double> six(problem, data.train, nullptr, o, msa);
    six.init(init);
    six.solve();
    const std::string path =
        (std::filesystem::temp_directory_path() / "deepctl_discrete_msa.npz").string();
    {
      DiscreteMsaTrainer<double> t(problem, data.train, nullptr, o, msa);
      t.init(init);
      for (int e = 0; e < 3; ++e) t.run_epoch();
      save_checkpoint(path, t);
    }
    DiscreteMsaTrainer<double> resumed(problem, data.train, nullptr, o, msa);
    load_checkpoint(path, resumed);
    resumed.solve();
    for (Index t = 0; t < 2; ++t) EXPECT_EQ(resumed.params()[t], six.params()[t]) << weights;
  }
  const Problem<double> real =
      build_problem<double>({{64, 1, 1}, {{.type = "dense", .width = 10}}, "cross_entropy", 0.0});
  EXPECT_THROW(DiscreteMsaTrainer<double>(real, data.train, nullptr, {}, {}), InputError);
}

}  // namespace
}  // namespace deepctl
