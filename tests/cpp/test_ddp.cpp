// The DDP trainer (REFERENCE F11, solver/ddp.hpp): with the feedback off it is SGD (identity
// curvature) and RMSprop (diagonal) step for step, to rounding; its batched feedback pass equals
// the DDP formula δu_t = k_t + Σ_i K_t^(i) δx^(i) with K_t^(i) = −c_i M⁻¹ q_u^(i) ẑ_t^(i)ᵀ formed
// sample by sample; it trains DIGITS and resumes from a checkpoint exactly.
#include <gtest/gtest.h>
#include <omp.h>

#include <Eigen/LU>
#include <filesystem>
#include <unsupported/Eigen/KroneckerProduct>

#include "deepctl/config/run_config.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/io/checkpoint.hpp"
#include "deepctl/problem/network_spec.hpp"
#include "deepctl/sde/gradient_noise.hpp"
#include "deepctl/solver/ddp.hpp"
#include "deepctl/solver/gradient_trainer.hpp"
#include "deepctl/solver/vanilla_ddp.hpp"

namespace deepctl {
namespace {

struct Digits {
  TrainTest data = [] {
    DataConfig d;
    d.name = "digits";
    return load_data(d);
  }();
  NetworkSpec spec{{64, 1, 1},
                   {{.type = "dense", .width = 24, .activation = "tanh"},
                    {.type = "dense", .width = 16, .activation = "tanh"},
                    {.type = "dense", .width = 10}},
                   "cross_entropy",
                   1e-4};
  TrainerOptions options(double lr) const {
    TrainerOptions o;
    o.epochs = 2;
    o.batch_size = 32;
    o.seed = 5;
    o.schedule.base = lr;
    return o;
  }
};

TEST(Ddp, WithoutFeedbackIsSgdOrRmsprop) {
  Digits d;
  const Problem<double> problem = build_problem<double>(d.spec);
  const Params<double> init = problem.init_params(Rng(3), {});
  // Identity curvature: SGD (to rounding: the gradient trainer's minibatch pass runs its matrix
  // products single-threaded inside its shard, the DDP pass with Eigen's threads).
  TrainerOptions o = d.options(0.1);
  o.update.kind = UpdateKind::SGD;
  GradientTrainer<double> sgd(problem, d.data.train, nullptr, o);
  DdpTrainer<double> open_loop(problem, d.data.train, nullptr, o,
                               {DdpCurvature::Identity, false, 0.99, 1e-8});
  sgd.init(init);
  open_loop.init(init);
  sgd.solve();
  open_loop.solve();
  for (std::size_t t = 0; t < init.size(); ++t)
    EXPECT_LT((open_loop.params()[t] - sgd.params()[t]).norm(), 1e-12 * sgd.params()[t].norm());
  // Diagonal curvature: RMSprop, i.e. psgld at temperature 0 with the same α and λ (one
  // division against a multiplication by the reciprocal: equal to rounding).
  o = d.options(3e-3);
  o.update.kind = UpdateKind::PSGLD;
  o.update.temperature = 0;
  o.update.psgld_alpha = 0.95;
  o.update.psgld_lambda = 1e-6;
  GradientTrainer<double> rmsprop(problem, d.data.train, nullptr, o);
  DdpTrainer<double> diagonal(problem, d.data.train, nullptr, o,
                              {DdpCurvature::Diagonal, false, 0.95, 1e-6});
  rmsprop.init(init);
  diagonal.init(init);
  rmsprop.solve();
  diagonal.solve();
  for (std::size_t t = 0; t < init.size(); ++t)
    EXPECT_LT((diagonal.params()[t] - rmsprop.params()[t]).norm(),
              1e-10 * rmsprop.params()[t].norm());
}

TEST(Ddp, BatchedFeedbackEqualsThePerSampleGains) {
  // One step on 6 samples, against DDP written out sample by sample (identity curvature,
  // M = I/η): the nominal pass; ẑ and c per sample; the backward pass per sample, p_t^(i) =
  // f_xᵀ p_{t+1}^(i) and, with the value update, p_t^(i) −= c_i (ẑ_{t+1}^(i) · f_u^(i) k_t)
  // ẑ_t^(i), Q_u,t = −Σ_i f_u^(i)ᵀ p_{t+1}^(i) + the running cost's gradient, k_t = −η Q_u,t; then
  // layer by layer δu_t = k_t − η Σ_i c_i q_u^(i) (ẑ_t^(i) · δx^(i)) with q_u^(i) the parameter vjp
  // of ẑ_{t+1}^(i) on sample i alone.
  Digits d;
  const Problem<double> problem = build_problem<double>(d.spec);
  const Params<double> init = problem.init_params(Rng(4), {});
  const Index B = 6, T = problem.num_layers(), k = 10;
  Mat<double> X = d.data.train.inputs.topRows(B).cast<double>(),
              Y = d.data.train.targets.topRows(B).cast<double>();
  const double lr = 0.5;
  Workspace<double> ws = problem.make_workspace(B);
  problem.rollout(ws, X, Y, init);
  Params<double> grad, running = problem.zero_params();
  problem.adjoint(ws, Y, init, grad);
  problem.add_running_cost_gradient(init, running);
  // ẑ_T, c and the ẑ_t by one sample's costate recursion each; one-sample records.
  std::vector<Mat<double>> z(T + 1);
  for (Index t = 0; t < T; ++t) z[t].resize(B, problem.layer(t).input_size());
  z[T].resize(B, k);
  Vec<double> c(B);
  Mat<double> G(k, k);
  std::vector<Workspace<double>> one(B);
  for (Index i = 0; i < B; ++i) {
    const Vec<double> g = ws.loss_gradient.row(i).transpose();
    z[T].row(i) = g.transpose() / g.norm();
    problem.loss().gauss_newton(ws.output().row(i).transpose(), Y.row(i).transpose(), G);
    c[i] = (z[T].row(i) * G * z[T].row(i).transpose())(0, 0) / double(B);
    one[i] = problem.make_workspace(1);
    problem.rollout(one[i], X.row(i), Y.row(i), init);
  }
  std::vector<std::vector<Vec<double>>> q_u(T, std::vector<Vec<double>>(B));
  for (Index i = 0; i < B; ++i) {
    Mat<double> next = z[T].row(i);
    for (Index t = T - 1; t >= 0; --t) {
      Mat<double> p(1, problem.layer(t).input_size());
      Vec<double> gt(problem.layer(t).num_params());
      problem.layer(t).vjp(*one[i].layer_data[t], one[i].states[t], init[t], next, p, gt);
      q_u[t][i] = gt;
      z[t].row(i) = p.row(0);
      next = p;
    }
  }
  for (bool value_update : {false, true}) {
    DdpOptions options{DdpCurvature::Identity, true, 0.99, 1e-8};
    options.value_update = value_update;
    DdpTrainer<double> ddp(problem, d.data.train, nullptr, d.options(lr), options);
    ddp.init(init);
    ddp.step(X, Y);

    Params<double> Q_u = running;
    std::vector<Mat<double>> p(B);
    for (Index i = 0; i < B; ++i) p[i] = -ws.loss_gradient.row(i) / double(B);
    for (Index t = T - 1; t >= 0; --t) {
      const Layer<double>& layer = problem.layer(t);
      for (Index i = 0; i < B; ++i) {
        Mat<double> p_t(1, layer.input_size());
        Vec<double> gt(layer.num_params());
        layer.vjp(*one[i].layer_data[t], one[i].states[t], init[t], p[i], p_t, gt);
        Q_u[t] -= gt;
        p[i] = p_t;
      }
      if (!value_update || t == 0) continue;
      for (Index i = 0; i < B; ++i) {
        Mat<double> moved(1, layer.output_size());
        layer.jvp(*one[i].layer_data[t], one[i].states[t], init[t],
                  Mat<double>::Zero(1, layer.input_size()), -lr * Q_u[t], moved);
        p[i] -= c[i] * moved.row(0).dot(z[t + 1].row(i)) * z[t].row(i);
      }
    }
    if (!value_update) {
      for (Index t = 0; t < T; ++t) {
        ASSERT_LT((Q_u[t] - grad[t]).norm(), 1e-12 * grad[t].norm());
      }
    }
    Params<double> theta = init;
    Mat<double> x_hat = X;
    for (Index t = 0; t < T; ++t) {
      Vec<double> du = -lr * Q_u[t];
      for (Index i = 0; i < B; ++i)
        du -= lr * c[i] * z[t].row(i).dot(x_hat.row(i) - ws.states[t].row(i)) * q_u[t][i];
      theta[t] += du;
      auto data = problem.layer(t).make_data(B);
      Mat<double> next(B, problem.layer(t).output_size());
      problem.layer(t).forward(*data, x_hat, theta[t], next);
      x_hat = next;
    }
    for (Index t = 0; t < T; ++t)
      EXPECT_LT((ddp.params()[t] - theta[t]).norm(), 1e-12 * theta[t].norm())
          << t << " " << value_update;
    // The feedback changed something downstream of layer 0; the value update Q_u below the top.
    EXPECT_GT((ddp.params()[1] - (init[1] - lr * grad[1])).norm(), 1e-8);
    if (value_update) {
      EXPECT_GT((Q_u[0] - grad[0]).norm(), 1e-6 * grad[0].norm());
    }
  }
}

// One open-loop KFAC step (α 0.9, γ = kDamping, η = kRate) from θ_0 on the first 40 DIGITS
// samples, and the costate pass at θ_0 that the checks build their factors from.
constexpr double kRate = 0.05, kDamping = 1e-2;
struct OneKfacStep {
  Mat<double> X, Y;
  Params<double> taken;  // θ_0 − θ_1
  Workspace<double> ws;  // the nominal pass and its costates at θ_0
  Params<double> grad;   // ∇J(θ_0)
};

OneKfacStep one_kfac_step(const Digits& d, const Problem<double>& problem,
                          const Params<double>& init) {
  const Index B = 40;
  OneKfacStep r{d.data.train.inputs.topRows(B).cast<double>(),
                d.data.train.targets.topRows(B).cast<double>(),
                init,
                problem.make_workspace(B),
                {}};
  DdpOptions kfac{DdpCurvature::Kfac, false, 0.9, 1e-8};
  kfac.damping = kDamping;
  DdpTrainer<double> ddp(problem, d.data.train, nullptr, d.options(kRate), kfac);
  ddp.init(init);
  ddp.step(r.X, r.Y);
  for (std::size_t t = 0; t < init.size(); ++t) r.taken[t] -= ddp.params()[t];
  problem.rollout(r.ws, r.X, r.Y, init);
  problem.adjoint(r.ws, r.Y, init, r.grad);
  return r;
}

// A layer's step taken against η ((G + γ_G I) ⊗ (A + γ_A I))⁻¹ g, solved densely, with γ split by
// π = √((tr A/(n+1))/(tr G/m)), in the layout [W | b] row by row (θ holds [W row-major, b]).
void expect_damped_kronecker_step(const Mat<double>& A, const Mat<double>& G,
                                  const Vec<double>& grad, const Vec<double>& taken) {
  const Index n = A.rows() - 1, m = G.rows();
  const double pi = std::sqrt((A.trace() / double(n + 1)) / (G.trace() / double(m)));
  const Mat<double> F =
      Eigen::kroneckerProduct(G + std::sqrt(kDamping) / pi * Mat<double>::Identity(m, m),
                              A + pi * std::sqrt(kDamping) * Mat<double>::Identity(n + 1, n + 1))
          .eval();
  Vec<double> v(m * (n + 1)), step(m * (n + 1));
  for (Index i = 0; i < m; ++i) {
    v.segment(i * (n + 1), n) = grad.segment(i * n, n);
    v[i * (n + 1) + n] = grad[m * n + i];
    step.segment(i * (n + 1), n) = taken.segment(i * n, n);
    step[i * (n + 1) + n] = taken[m * n + i];
  }
  const Vec<double> expected = kRate * F.lu().solve(v);
  EXPECT_LT((step - expected).norm(), 1e-9 * expected.norm());
}

TEST(Ddp, KroneckerCurvatureIsTheDampedKroneckerInverse) {
  // Dense layers: the factors come from the inputs x̄ = [x; 1] and the per-sample gradients'
  // bias blocks (δ̃_i = B δ_i, so G = (1/B) Σ δ̃ δ̃ᵀ).
  Digits d;
  const NetworkSpec spec{
      {64, 1, 1},
      {{.type = "dense", .width = 12, .activation = "tanh"}, {.type = "dense", .width = 10}},
      "cross_entropy",
      0};
  const Problem<double> problem = build_problem<double>(spec);
  const Params<double> init = problem.init_params(Rng(8), {});
  const OneKfacStep r = one_kfac_step(d, problem, init);
  const Index B = r.X.rows();
  const Mat<double> per_sample = sde::per_sample_gradients(problem, init, r.X, r.Y);
  ASSERT_LT((per_sample.colwise().mean().transpose() - flatten(r.grad)).norm(),
            1e-12 * flatten(r.grad).norm());  // g_i = ∇Φ_i, averaging to ∇J
  Index offset = 0;
  for (Index t = 0; t < problem.num_layers(); ++t) {
    SCOPED_TRACE(t);
    const Index n = problem.layer(t).input_size(), m = problem.layer(t).output_size();
    Mat<double> x_bar(B, n + 1);
    x_bar << r.ws.states[t], Mat<double>::Ones(B, 1);
    const Mat<double> delta = per_sample.middleCols(offset + m * n, m);
    expect_damped_kronecker_step(x_bar.transpose() * x_bar / double(B),
                                 delta.transpose() * delta / double(B), r.grad[t], r.taken[t]);
    offset += problem.layer(t).num_params();
  }
}

TEST(Ddp, KroneckerStatisticsAreCollectedEveryStatsEveryUpdates) {
  // With stats_every = 3 the factors after updates 1–3 are those of update 1 alone, and update 4
  // collects again; each step still moves θ.
  Digits d;
  const Problem<double> problem = build_problem<double>(d.spec);
  const Params<double> init = problem.init_params(Rng(3), {});
  auto factor_a = [&](int stats_every, int steps) {
    DdpOptions kfac{DdpCurvature::Kfac, true, 0.9, 1e-8};
    kfac.damping = 1e-2;
    kfac.stats_every = stats_every;
    DdpTrainer<double> ddp(problem, d.data.train, nullptr, d.options(0.01), kfac);
    ddp.init(init);
    for (int k = 0; k < steps; ++k) {
      const Params<double> before = ddp.params();
      ddp.step(d.data.train.inputs.middleRows(32 * k, 32).cast<double>(),
               d.data.train.targets.middleRows(32 * k, 32).cast<double>());
      EXPECT_GT((flatten(ddp.params()) - flatten(before)).norm(), 0.0);
    }
    for (const auto& [name, state] : ddp.controller_state())
      if (name == "ddp_kfac_a") return flatten(*state);
    return Vec<double>();
  };
  const Vec<double> first = factor_a(1, 1);
  ASSERT_GT(first.norm(), 0.0);
  EXPECT_EQ(factor_a(3, 3), first);
  EXPECT_NE(factor_a(3, 4), first);
  EXPECT_NE(factor_a(1, 3), first);
}

TEST(Ddp, KroneckerFactorsOfAConvolutionCountItsPatchesAsSamples) {
  // KFC (Grosse & Martens 2016) for a 3 × 3 convolution (1 → 3 channels, padding 1):
  // A = (1/(BP)) Σ x̄x̄ᵀ over the B·P = 40·64 patches x̄ = [x̃; 1] cut out of the images here, and
  // G = B Σ δδᵀ with δ = φ′(a) ⊙ p_1 per patch from the costate pass (a recomputed here).
  Digits d;
  const NetworkSpec spec{
      {1, 8, 8},
      {{.type = "conv2d", .channels = 3, .kernel = 3, .padding = 1, .activation = "tanh"},
       {.type = "flatten"},
       {.type = "dense", .width = 10}},
      "cross_entropy",
      0};
  const Problem<double> problem = build_problem<double>(spec);
  const Params<double> init = problem.init_params(Rng(9), {});
  const OneKfacStep r = one_kfac_step(d, problem, init);
  const Index B = r.X.rows(), P = 64, n = 9, m = 3;
  const Eigen::Map<const Mat<double>> K(init[0].data(), m, n);
  const Vec<double> b = init[0].tail(m);
  Mat<double> A = Mat<double>::Zero(n + 1, n + 1), G = Mat<double>::Zero(m, m);
  Vec<double> x_bar(n + 1), delta(m);
  for (Index s = 0; s < B; ++s)
    for (Index y = 0; y < 8; ++y)
      for (Index x = 0; x < 8; ++x) {
        for (Index i = 0; i < 3; ++i)
          for (Index j = 0; j < 3; ++j) {
            const Index row = y + i - 1, col = x + j - 1;
            const bool inside = row >= 0 && row < 8 && col >= 0 && col < 8;
            x_bar[i * 3 + j] = inside ? r.X(s, row * 8 + col) : 0.0;
          }
        x_bar[n] = 1;
        A += x_bar * x_bar.transpose() / double(B * P);
        for (Index c = 0; c < m; ++c) {
          const double a = K.row(c).dot(x_bar.head(n)) + b[c];
          delta[c] = (1 - std::tanh(a) * std::tanh(a)) * r.ws.costates[1](s, c * P + y * 8 + x);
        }
        G += double(B) * delta * delta.transpose();
      }
  expect_damped_kronecker_step(A, G, r.grad[0], r.taken[0]);
}

TEST(Ddp, ShardsOverThreadsGiveTheOneShardSteps) {
  // Two threads cut a minibatch of 96 into 2 shards (B/32 = 3, capped by the threads):
  // the sharded passes (forward, vjps, jvps, Kronecker statistics) equal one shard to rounding,
  // with every option that touches them on: a convolution under KFC, feedback, the value update
  // and LM damping on every update.
  Digits d;
  const NetworkSpec spec{
      {1, 8, 8},
      {{.type = "conv2d", .channels = 4, .kernel = 3, .padding = 1, .activation = "tanh"},
       {.type = "flatten"},
       {.type = "dense", .width = 16, .activation = "tanh"},
       {.type = "dense", .width = 10}},
      "cross_entropy",
      1e-4};
  const Problem<double> problem = build_problem<double>(spec);
  const Params<double> init = problem.init_params(Rng(10), {});
  DdpOptions options{DdpCurvature::Kfac, true, 0.9, 1e-8};
  options.damping = 1e-2;
  options.value_update = true;
  options.adaptive_damping = true;
  options.inverse_every = 1;
  TrainerOptions o = d.options(0.02);
  o.batch_size = 96;
  std::vector<Params<double>> after;
  for (const int threads : {1, 2}) {
    omp_set_num_threads(threads);
    DdpTrainer<double> ddp(problem, d.data.train, nullptr, o, options);
    ddp.init(init);
    for (int k = 0; k < 4; ++k)
      ddp.step(d.data.train.inputs.middleRows(96 * k, 96).cast<double>(),
               d.data.train.targets.middleRows(96 * k, 96).cast<double>());
    after.push_back(ddp.params());
  }
  omp_set_num_threads(1);
  for (std::size_t t = 0; t < init.size(); ++t) {
    if (init[t].size() == 0) continue;  // flatten
    EXPECT_LT((after[1][t] - after[0][t]).norm(), 1e-11 * after[0][t].norm()) << t;
    EXPECT_GT((after[0][t] - init[t]).norm(), 1e-3 * init[t].norm()) << t;  // it moved
  }
}

TEST(Ddp, LevenbergMarquardtRatioIsActualOverExpectedChange) {
  // Adaptation on every update (inverse_every = 1), diagonal curvature, one step from θ_0 on 40
  // samples. There v = (1−α) g⊙g, so M⁻¹g = η g/(√(1−α)|g| + λ) and ΔV = −½ gᵀM⁻¹g are known in
  // closed form; ρ = (J(θ_1) − J(θ_0))/ΔV with J(θ_1) from a fresh forward pass. Without
  // feedback θ_0 − θ_1 is M⁻¹g itself.
  Digits d;
  const Problem<double> problem = build_problem<double>(d.spec);
  const Params<double> init = problem.init_params(Rng(4), {});
  const Index B = 40;
  const Mat<double> X = d.data.train.inputs.topRows(B).cast<double>(),
                    Y = d.data.train.targets.topRows(B).cast<double>();
  Workspace<double> ws = problem.make_workspace(B);
  const double cost_before = problem.rollout(ws, X, Y, init);
  Params<double> g;
  problem.adjoint(ws, Y, init, g);
  const double alpha = 0.9, lambda = 1e-6, omega = 19.0 / 20.0;
  for (const bool feedback : {false, true})
    for (const double lr : {1e-5, 1e-3, 3.0}) {
      DdpOptions options{DdpCurvature::Diagonal, feedback, alpha, lambda};
      options.inverse_every = 1;
      options.adaptive_damping = true;
      DdpTrainer<double> ddp(problem, d.data.train, nullptr, d.options(lr), options);
      ddp.init(init);
      EXPECT_TRUE(std::isnan(ddp.reduction_ratio()));
      ddp.step(X, Y);
      double expected_change = 0;
      for (std::size_t t = 0; t < init.size(); ++t) {
        const Vec<double> step =
            lr *
            g[t].cwiseQuotient((std::sqrt(1 - alpha) * g[t].cwiseAbs().array() + lambda).matrix());
        expected_change -= 0.5 * g[t].dot(step);
        if (!feedback) {
          EXPECT_LT((init[t] - ddp.params()[t] - step).norm(), 1e-12 * step.norm());
        }
      }
      const double ratio =
          (problem.rollout(ws, X, Y, ddp.params()) - cost_before) / expected_change;
      EXPECT_NEAR(ddp.reduction_ratio(), ratio, 1e-9 * std::abs(ratio)) << feedback << lr;
      if (lr == 1e-5) {
        EXPECT_NEAR(ratio, 2.0, 0.01);  // small steps: twice the model's ΔV
      }
      if (lr == 3.0) {
        EXPECT_LT(ratio, 0.25);  // far past the model: J barely falls
      }
      // The configured λ is the floor: only a raise can show at the first adaptation.
      EXPECT_NEAR(ddp.damping(), ratio < 0.25 ? lambda / omega : lambda, 1e-12 * lambda);
    }
  // A raise, then a small step lowers μ back to the floor (η = 3, then 3/(1 + 10⁶)).
  TrainerOptions o = d.options(3.0);
  o.schedule.kind = ScheduleKind::InverseTime;
  o.schedule.decay = 1e6;
  DdpOptions options{DdpCurvature::Diagonal, true, alpha, lambda};
  options.inverse_every = 1;
  options.adaptive_damping = true;
  DdpTrainer<double> ddp(problem, d.data.train, nullptr, o, options);
  ddp.init(init);
  ddp.step(X, Y);
  EXPECT_LT(ddp.reduction_ratio(), 0.25);
  EXPECT_NEAR(ddp.damping(), lambda / omega, 1e-12 * lambda);
  ddp.step(X, Y);
  EXPECT_GT(ddp.reduction_ratio(), 0.75);
  EXPECT_NEAR(ddp.damping(), lambda, 1e-12 * lambda);
  o = d.options(0.1);
  DdpOptions identity{DdpCurvature::Identity, true, 0.99, 1e-8};
  identity.adaptive_damping = true;
  EXPECT_THROW(DdpTrainer<double>(problem, d.data.train, nullptr, o, identity), InputError);
}

TEST(Ddp, TrainsDigitsAndResumesExactly) {
  Digits d;
  const Problem<double> problem = build_problem<double>(d.spec);
  const Params<double> init = problem.init_params(Rng(6), {});
  // Diagonal and Kronecker curvature (its inverses refreshed every 7 updates, which the
  // checkpoint's epoch boundary splits: the inverses travel in the checkpoint), both with
  // feedback.
  DdpOptions kfac{DdpCurvature::Kfac, true, 0.95, 1e-8};
  kfac.inverse_every = 7;
  kfac.damping = 1e-2;
  // And KFAC with Levenberg–Marquardt damping at a rate high enough to raise γ, which then
  // travels in the checkpoint too.
  DdpOptions adaptive = kfac;
  adaptive.adaptive_damping = true;
  // And KFAC collecting its statistics every 3 updates, whose phase the checkpoint must keep.
  DdpOptions sparse = kfac;
  sparse.stats_every = 3;
  for (const auto& [options, lr, least_accuracy] :
       {std::tuple{DdpOptions{DdpCurvature::Diagonal, true, 0.99, 1e-8}, 3e-3, 0.95},
        std::tuple{kfac, 0.01, 0.95}, std::tuple{adaptive, 0.05, 0.92},
        std::tuple{sparse, 0.01, 0.95}}) {
    TrainerOptions o = d.options(lr);
    o.epochs = 10;
    DdpTrainer<double> straight(problem, d.data.train, nullptr, o, options);
    straight.init(init);
    EXPECT_EQ(straight.solve().status, TrainStatus::Completed);
    const double accuracy = evaluate(problem, straight.params(), d.data.test).accuracy;
    // Measured: 0.961 diagonal, 0.978 kfac, 0.933 adaptive, 0.975 sparse statistics.
    EXPECT_GE(accuracy, least_accuracy);
    const std::string path = (std::filesystem::temp_directory_path() / "deepctl_ddp.npz").string();
    {
      DdpTrainer<double> t(problem, d.data.train, nullptr, o, options);
      t.init(init);
      for (int e = 0; e < 4; ++e) t.run_epoch();
      if (options.adaptive_damping) {
        EXPECT_GT(t.damping(), kfac.damping);  // measured: 0.0143
      }
      save_checkpoint(path, t);
    }
    DdpTrainer<double> resumed(problem, d.data.train, nullptr, o, options);
    load_checkpoint(path, resumed);
    resumed.solve();
    for (std::size_t t = 0; t < init.size(); ++t)
      EXPECT_EQ(resumed.params()[t], straight.params()[t]);
    EXPECT_EQ(resumed.damping(), straight.damping());
  }
  TrainerOptions o = d.options(3e-3);
  EXPECT_THROW(DdpTrainer<double>(problem, d.data.train, nullptr, o,
                                  {DdpCurvature::Diagonal, true, 1.0, 1e-8}),
               InputError);
  EXPECT_THROW(DdpOptions::parse_curvature("fisher"), InputError);
}

TEST(VanillaDdp, TrainsATinyNetworkAndResumesExactly) {
  // One vanilla DDP iteration per minibatch of 8 (64-6-10 tanh on 160 DIGITS samples): the
  // training loss falls, μ stays at or above its floor, and a checkpoint (θ and μ) resumes bit
  // for bit; float32 configs are refused by name.
  DataConfig data;
  data.name = "digits";
  data.train_limit = 160;
  const TrainTest d = load_data(data);
  const NetworkSpec spec{
      {64, 1, 1},
      {{.type = "dense", .width = 6, .activation = "tanh"}, {.type = "dense", .width = 10}},
      "cross_entropy",
      1e-4};
  const Problem<double> problem = build_problem<double>(spec);
  const Params<double> init = problem.init_params(Rng(2), {});
  TrainerOptions o;
  o.epochs = 3;
  o.batch_size = 8;
  o.seed = 1;
  const double before = evaluate(problem, init, d.train).loss;
  VanillaDdpTrainer straight(problem, d.train, nullptr, o, 1.0);
  straight.init(init);
  EXPECT_EQ(straight.solve().status, TrainStatus::Completed);
  const double after = evaluate(problem, straight.params(), d.train).loss;
  EXPECT_LT(after, 0.5 * before) << before;
  EXPECT_GE(straight.controller_state()[0].second->at(0)[0], 1.0);
  const std::string path =
      (std::filesystem::temp_directory_path() / "deepctl_vanilla_ddp.npz").string();
  {
    VanillaDdpTrainer t(problem, d.train, nullptr, o, 1.0);
    t.init(init);
    t.run_epoch();
    save_checkpoint(path, t);
  }
  VanillaDdpTrainer resumed(problem, d.train, nullptr, o, 1.0);
  load_checkpoint(path, resumed);
  resumed.solve();
  for (std::size_t t = 0; t < init.size(); ++t)
    EXPECT_EQ(resumed.params()[t], straight.params()[t]);
  EXPECT_THROW(VanillaDdpTrainer(problem, d.train, nullptr, o, -1.0), InputError);
}

}  // namespace
}  // namespace deepctl
