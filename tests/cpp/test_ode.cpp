// ODE blocks (REFERENCE F6, F7): each solver's measured order on a linear ODE with a closed-form
// solution, the step count as NFE, and an ODE block trained inside a network.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>

#include "deepctl/core/error.hpp"
#include "deepctl/layer/antisymmetric.hpp"
#include "deepctl/layer/dense.hpp"
#include "deepctl/layer/hamiltonian.hpp"
#include "deepctl/layer/ode_block.hpp"
#include "deepctl/layer/residual.hpp"
#include "deepctl/ode/spiral.hpp"
#include "deepctl/problem/network_spec.hpp"
#include "deepctl/spectrum/stability.hpp"

namespace deepctl {
namespace {

// dx/dt = A x with A = [[0, 1], [−1, 0]]: x(T) = rotation by −T of x(0).
double error_after(OdeSolver solver, Index steps) {
  auto g = std::make_shared<Dense<double>>(2, 2, Activation(ActivationKind::Linear));
  const OdeBlock<double> block(g, 2.0, steps, solver);
  Vec<double> theta(6);
  theta << 0, 1, -1, 0, 0, 0;  // W = A (row-major), b = 0
  Mat<double> x(1, 2), y(1, 2);
  x << 1.0, 0.5;
  auto data = block.make_data(1);
  block.forward(*data, x, theta, y);
  const double T = 2.0;
  Mat<double> exact(1, 2);
  exact << std::cos(T) * 1.0 + std::sin(T) * 0.5, -std::sin(T) * 1.0 + std::cos(T) * 0.5;
  return (y - exact).norm();
}

TEST(OdeBlock, MeasuredOrdersOfTheSolvers) {
  for (OdeSolver solver :
       {OdeSolver::Euler, OdeSolver::Midpoint, OdeSolver::RK4, OdeSolver::BS3, OdeSolver::DOPRI5}) {
    const int order = ButcherTableau::of(solver).order;
    const Index n = solver == OdeSolver::Euler ? 200 : solver == OdeSolver::DOPRI5 ? 8 : 20;
    const double measured = std::log2(error_after(solver, n) / error_after(solver, 2 * n));
    EXPECT_NEAR(measured, order, 0.1) << ButcherTableau::name(solver);
  }
}

// A tanh field 3 → 3 with random θ, two inputs x and costates p_next drawn from Rng(seed).
struct TanhField {
  std::shared_ptr<Dense<double>> g =
      std::make_shared<Dense<double>>(3, 3, Activation(ActivationKind::Tanh));
  Vec<double> theta = Vec<double>(12);
  Mat<double> x = Mat<double>(2, 3), p_next = Mat<double>(2, 3);
  explicit TanhField(std::uint64_t seed) {
    Rng rng(seed);
    g->init_params(rng, {InitKind::Gaussian, 2.0, 0.1}, theta);
    for (Index i = 0; i < 6; ++i) x.data()[i] = rng.normal(), p_next.data()[i] = rng.normal();
  }
  // (x(T), [p; ∇_θ H]) of a block with this field: forward, then vjp of p_next.
  std::pair<Mat<double>, Vec<double>> pass(const OdeBlock<double>& block) const {
    auto data = block.make_data(2);
    Mat<double> y(2, 3), p(2, 3);
    Vec<double> gt(12), all(18);
    block.forward(*data, x, theta, y);
    block.vjp(*data, x, theta, p_next, p, gt);
    all << Eigen::Map<const Vec<double>>(p.data(), 6), gt;
    return {y, all};
  }
};

// ‖adjoint gradient − discrete gradient‖ / ‖discrete gradient‖ (θ and input costate together)
// of a tanh vector field with N steps.
double adjoint_gap(OdeSolver solver, Index steps) {
  const TanhField f(4);
  const OdeBlock<double> discrete(f.g, 1.5, steps, solver),
      adjoint(f.g, 1.5, steps, solver, OdeGradient::Adjoint);
  const Vec<double> a = f.pass(adjoint).second, d = f.pass(discrete).second;
  return (a - d).norm() / d.norm();
}

TEST(OdeBlock, ContinuousAdjointApproachesTheDiscreteGradientAtTheSolversOrder) {
  // The continuous adjoint reconstructs x(t) backwards and integrates (x, p, ∇θH) with the same
  // scheme: its distance to the exact discrete gradient shrinks like h^order.
  for (OdeSolver solver : {OdeSolver::Euler, OdeSolver::RK4}) {
    const int order = ButcherTableau::of(solver).order;
    const Index n = solver == OdeSolver::Euler ? 64 : 4;
    const double g1 = adjoint_gap(solver, n), g2 = adjoint_gap(solver, 2 * n);
    EXPECT_NEAR(std::log2(g1 / g2), order, 0.35)
        << ButcherTableau::name(solver) << " gaps " << g1 << " " << g2;
    EXPECT_LT(g2, solver == OdeSolver::Euler ? 0.05 : 1e-4);
  }
}

TEST(OdeBlock, AntisymmetricFieldsHaveImaginaryJacobianEigenvalues) {
  // Linear φ, γ = 0: the field's Jacobian K = W − Wᵀ is antisymmetric, eigenvalues ±iω; with γ
  // they move to −γ ± iω. The ODE then conserves (γ = 0) or contracts ‖x‖.
  const Antisymmetric<double> field(5, Activation(ActivationKind::Linear), 0.0);
  Vec<double> theta(30);
  Rng rng(2);
  field.init_params(rng, {}, theta);
  const Eigen::VectorXcd ev =
      Eigen::EigenSolver<Eigen::MatrixXd>(field.matrix(theta)).eigenvalues();
  for (Index i = 0; i < ev.size(); ++i) EXPECT_NEAR(ev[i].real(), 0.0, 1e-12) << i;
  const Antisymmetric<double> damped(5, Activation(ActivationKind::Linear), 0.3);
  const Eigen::VectorXcd evd =
      Eigen::EigenSolver<Eigen::MatrixXd>(damped.matrix(theta)).eigenvalues();
  for (Index i = 0; i < evd.size(); ++i) EXPECT_NEAR(evd[i].real(), -0.3, 1e-12) << i;
  // RK4 on x' = Kx with K antisymmetric keeps ‖x‖ to its truncation error.
  theta.tail(5).setZero();
  const OdeBlock<double> block(std::make_shared<Antisymmetric<double>>(field), 3.0, 60,
                               OdeSolver::RK4);
  Mat<double> x(1, 5), y(1, 5);
  x << 1, -2, 0.5, 0.3, 1.1;
  auto data = block.make_data(1);
  block.forward(*data, x, theta, y);
  EXPECT_NEAR(y.norm(), x.norm(), 1e-4 * x.norm());
}

TEST(HamiltonianBlock, VerletStepIsReversibleAndVolumePreserving) {
  // REFERENCE F6: a forward pass through 20 Verlet steps, then the inverse steps in reverse
  // order, recovers the input to round-off; each step's Jacobian (columns by jvp) has
  // determinant 1 for any σ, since both half steps are shears.
  Rng rng(6);
  const Index n = 8, L = 20;
  for (const char* act : {"tanh", "relu", "sigmoid"}) {
    const Hamiltonian<double> step(n, Activation::parse(act), 0.3);
    std::vector<Vec<double>> thetas(L, Vec<double>(step.num_params()));
    for (auto& th : thetas) step.init_params(rng, {InitKind::Gaussian, 2.0, 0.1}, th);
    Mat<double> x(3, n), y(3, n);
    for (Index i = 0; i < x.size(); ++i) x.data()[i] = rng.normal();
    auto data = step.make_data(3);
    Mat<double> state = x;
    for (Index l = 0; l < L; ++l) {
      step.forward(*data, state, thetas[l], y);
      state = y;
    }
    EXPECT_GT((state - x).norm(), 1.0) << act;  // it moved
    for (Index l = L - 1; l >= 0; --l) {
      step.inverse(state, thetas[l], y);
      state = y;
    }
    EXPECT_LT((state - x).norm(), 1e-12 * x.norm()) << act;
    // det f_x at one sample.
    auto one = step.make_data(1);
    Mat<double> x1 = x.topRows(1), y1(1, n), column(1, n), J(n, n);
    step.forward(*one, x1, thetas[0], y1);
    for (Index j = 0; j < n; ++j) {
      Mat<double> e = Mat<double>::Zero(1, n);
      e(0, j) = 1;
      step.jvp(*one, x1, thetas[0], e, Vec<double>::Zero(step.num_params()), column);
      J.col(j) = column.row(0).transpose();
    }
    EXPECT_NEAR(J.determinant(), 1.0, 1e-12) << act;
  }
  EXPECT_THROW(Hamiltonian<double>(5, Activation(), 0.1), InputError);
}

TEST(Stability, StabilityFunctionsOfTheTableaux) {
  // R(z) = Σ_{k≤p} z^k/k! for the explicit schemes with p = s ≤ 4; dopri5 agrees with e^z to
  // O(z⁶) (its R has a z⁶ term of its own).
  using spectrum::stability_function;
  const std::complex<double> z(-0.3, 0.7);
  auto taylor = [&](int p) {
    std::complex<double> sum = 0, term = 1;
    for (int k = 0; k <= p; ++k, term *= z / double(k)) sum += term;
    return sum;
  };
  EXPECT_LT(std::abs(stability_function(ButcherTableau::of(OdeSolver::Euler), z) - taylor(1)),
            1e-15);
  EXPECT_LT(std::abs(stability_function(ButcherTableau::of(OdeSolver::Midpoint), z) - taylor(2)),
            1e-15);
  EXPECT_LT(std::abs(stability_function(ButcherTableau::of(OdeSolver::BS3), z) - taylor(3)), 1e-15);
  EXPECT_LT(std::abs(stability_function(ButcherTableau::of(OdeSolver::RK4), z) - taylor(4)), 1e-15);
  const double e5 = std::abs(stability_function(ButcherTableau::of(OdeSolver::DOPRI5), z) -
                             std::exp(z)),
               e5_half =
                   std::abs(stability_function(ButcherTableau::of(OdeSolver::DOPRI5), z / 2.0) -
                            std::exp(z / 2.0));
  EXPECT_NEAR(std::log2(e5 / e5_half), 6.0, 0.3);
}

TEST(Stability, LayerDiagnosticsOfStableArchitectures) {
  // A linear antisymmetric field has purely imaginary eigenvalues: as a residual (Euler) step it
  // amplifies (|1 + hiω| > 1), damped by γ = 0.5 with h = 0.1 it does not; inside an RK4 ODE
  // block with a small step it is stable. A Hamiltonian step has |det f_x| = 1.
  Rng rng(12);
  auto field = [&](double gamma) {
    return std::make_shared<Antisymmetric<double>>(4, Activation(ActivationKind::Linear), gamma);
  };
  const Problem<double> problem(
      {std::make_shared<Residual<double>>(field(0.0), 0.1),
       std::make_shared<Residual<double>>(field(0.5), 0.1),
       std::make_shared<OdeBlock<double>>(field(0.0), 1.0, 10, OdeSolver::RK4),
       std::make_shared<Hamiltonian<double>>(4, Activation(ActivationKind::Tanh), 0.3)},
      make_loss<double>("squared_error"));
  const Params<double> theta = problem.init_params(rng, {InitKind::Gaussian, 1.0, 0.1});
  Mat<double> X(3, 4);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = rng.normal();
  const auto s = spectrum::layer_stability(problem, theta, X);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_NEAR(s[0].max_real, 0.0, 1e-10);
  EXPECT_GT(s[0].max_amplification, 1.0);
  EXPECT_NEAR(s[0].max_amplification, s[0].spectral_radius, 1e-10);  // f_x = I + hK
  EXPECT_NEAR(s[1].max_real, -0.5, 1e-10);
  EXPECT_LT(s[1].max_amplification, 1.0);
  EXPECT_TRUE(s[2].is_step);
  EXPECT_NEAR(s[2].step, 0.1, 1e-15);
  EXPECT_NEAR(s[2].max_real, 0.0, 1e-10);
  EXPECT_LE(s[2].max_amplification, 1.0);
  EXPECT_FALSE(s[3].is_step);
  EXPECT_NEAR(s[3].abs_determinant, 1.0, 1e-12);
}

TEST(OdeBlock, NfeAndValidation) {
  auto g = std::make_shared<Dense<double>>(3, 3, Activation(ActivationKind::Tanh));
  EXPECT_EQ(OdeBlock<double>(g, 1.0, 7, OdeSolver::RK4).nfe(), 28);
  EXPECT_EQ(OdeBlock<double>(g, 1.0, 7, OdeSolver::Euler).nfe(), 7);
  EXPECT_THROW(OdeBlock<double>(g, 0.0, 7, OdeSolver::RK4), InputError);
  EXPECT_THROW(OdeBlock<double>(g, 1.0, 0, OdeSolver::RK4), InputError);
  EXPECT_THROW(ButcherTableau::parse("dopri8"), InputError);
  EXPECT_EQ(OdeBlock<double>(g, 1.0, 7, OdeSolver::DOPRI5).nfe(), 42);  // the FSAL stage unused
  EXPECT_THROW(OdeBlock<double>(g, 1.0, 7, OdeSolver::RK4, OdeGradient::Discrete, {1e-3, 1e-3}),
               InputError);  // no embedded pair
  EXPECT_THROW(OdeBlock<double>(g, 1.0, 7, OdeSolver::BS3, OdeGradient::Discrete, {1e-3, 0.0}),
               InputError);  // atol = 0
  // A stiff field (x' = −50x over T = 10) under 20 attempted steps: NaN, the divergence status.
  auto linear = std::make_shared<Dense<double>>(2, 2, Activation(ActivationKind::Linear));
  const OdeBlock<double> stiff(linear, 10.0, 1, OdeSolver::DOPRI5, OdeGradient::Discrete,
                               {1e-9, 1e-9, 20});
  Vec<double> theta(6);
  theta << -50, 0, 0, -50, 0, 0;
  Mat<double> x = Mat<double>::Ones(1, 2), y(1, 2);
  auto data = stiff.make_data(1);
  stiff.forward(*data, x, theta, y);
  EXPECT_TRUE(y.array().isNaN().all());
  auto widening = std::make_shared<Dense<double>>(3, 4, Activation(ActivationKind::Tanh));
  EXPECT_THROW(OdeBlock<double>(widening, 1.0, 2, OdeSolver::Euler), InputError);
}

// The rotation x' = Ax of error_after with adaptive steps: (global error, NFE, steps, rejected).
struct AdaptiveRun {
  double error;
  long nfe, steps, rejected;
};
AdaptiveRun adaptive_rotation(OdeSolver solver, double tol) {
  auto g = std::make_shared<Dense<double>>(2, 2, Activation(ActivationKind::Linear));
  const OdeBlock<double> block(g, 2.0, 1, solver, OdeGradient::Discrete, {tol, tol});
  Vec<double> theta(6);
  theta << 0, 1, -1, 0, 0, 0;
  Mat<double> x(1, 2), y(1, 2), exact(1, 2);
  x << 1.0, 0.5;
  exact << std::cos(2.0) + std::sin(2.0) * 0.5, -std::sin(2.0) + std::cos(2.0) * 0.5;
  auto data = block.make_data(1);
  block.forward(*data, x, theta, y);
  const OdeCounts c = block.counts();
  return {(y - exact).norm(), c.forward_evaluations, OdeBlock<double>::steps_taken(*data),
          c.rejected_steps};
}

TEST(OdeBlock, AdaptiveStepsMeetTheirTolerance) {
  // Local error control per step: the global error at T = 2 stays within a small multiple of
  // the tolerance, and the work grows as the tolerance falls (like tol^(−1/(p+1))). With FSAL
  // every attempted step costs s − 1 evaluations after the 2 of the initial-step estimate.
  for (OdeSolver solver : {OdeSolver::BS3, OdeSolver::DOPRI5}) {
    long previous = 0;
    const long per_step = long(ButcherTableau::of(solver).b.size()) - 1;
    for (double tol : {1e-3, 1e-5, 1e-7, 1e-9}) {
      const AdaptiveRun r = adaptive_rotation(solver, tol);
      EXPECT_LT(r.error, 10 * tol) << ButcherTableau::name(solver) << " " << tol;
      EXPECT_GT(r.nfe, previous) << ButcherTableau::name(solver) << " " << tol;
      EXPECT_EQ(r.nfe, 2 + per_step * (r.steps + r.rejected));
      previous = r.nfe;
    }
  }
  // dopri5 at 1e-7 needs far fewer steps than bs3.
  EXPECT_LT(adaptive_rotation(OdeSolver::DOPRI5, 1e-7).steps,
            adaptive_rotation(OdeSolver::BS3, 1e-7).steps / 4);
}

TEST(OdeBlock, CheckpointedGradientEqualsStoreAll) {
  // Recomputing each step's stages from its stored start repeats the same arithmetic: the
  // gradient is bit-identical to store-all, fixed or adaptive, at twice the evaluations.
  const TanhField f(21);
  for (const OdeTolerance tol : {OdeTolerance{}, OdeTolerance{1e-6, 1e-6}}) {
    const OdeSolver solver = tol.adaptive() ? OdeSolver::DOPRI5 : OdeSolver::RK4;
    const OdeBlock<double> all(f.g, 1.5, 7, solver, OdeGradient::Discrete, tol),
        checkpointed(f.g, 1.5, 7, solver, OdeGradient::Checkpointed, tol);
    EXPECT_EQ(f.pass(all), f.pass(checkpointed));
    EXPECT_EQ(checkpointed.counts().backward_evaluations, 2 * all.counts().backward_evaluations);
  }
}

TEST(OdeBlock, AdaptiveGradientsDiscreteAndAdjoint) {
  // Discrete: the exact derivative of the computed solution with the step sizes held fixed,
  // against central differences of the adaptive forward itself: at a tight tolerance the step
  // sizes' own dependence on θ is below the differences' error. Adjoint: its own error control
  // on (x, p), within 100 tolerances of that gradient (loose tolerances let the backward pass
  // take long steps: 67 tolerances at 1e-4, 4–5 at 1e-6 and 1e-8).
  const TanhField f(8);
  const auto& [theta, x, p_next] = std::tie(f.theta, f.x, f.p_next);
  const OdeBlock<double> tight(f.g, 1.5, 1, OdeSolver::DOPRI5, OdeGradient::Discrete,
                               {1e-10, 1e-10});
  const Vec<double> exact = f.pass(tight).second;
  // Finite differences of p_next · x(T) in θ.
  auto objective = [&](const Vec<double>& th) {
    auto data = tight.make_data(2);
    Mat<double> y(2, 3);
    tight.forward(*data, x, th, y);
    return (p_next.array() * y.array()).sum();
  };
  for (Index k = 0; k < 12; ++k) {
    Vec<double> e = Vec<double>::Zero(12);
    e[k] = 1e-5;
    const double fd = (objective(theta + e) - objective(theta - e)) / 2e-5;
    EXPECT_NEAR(exact[6 + k], fd, 1e-6 * std::max(1.0, std::abs(fd))) << k;
  }
  for (double tol : {1e-4, 1e-6, 1e-8}) {
    const OdeBlock<double> adjoint(f.g, 1.5, 1, OdeSolver::DOPRI5, OdeGradient::Adjoint,
                                   {tol, tol});
    const double gap = (f.pass(adjoint).second - exact).norm() / exact.norm();
    EXPECT_LT(gap, 100 * tol) << tol;  // measured 6.7e-3, 3.6e-6, 5.1e-8
  }
}

TEST(Spiral, ObservedTrajectorySolvesTheCubicOde) {
  // Central differences of the samples against A y³: their error is O(Δt²), so halving Δt
  // divides the worst one by 4. The same trajectory sampled 10× coarser agrees point for point
  // (dopri5 at 1e−10).
  Eigen::Matrix2d A;
  A << -0.1, 2.0, -2.0, -0.1;
  auto worst_difference = [&](Index points) {
    const Mat<double> y = spiral_trajectory(points, 25.0);
    const double dt = 25.0 / double(points - 1);
    double worst = 0;
    for (Index i = 1; i + 1 < points; ++i) {
      const Eigen::Vector2d slope = (y.row(i + 1) - y.row(i - 1)).transpose() / (2 * dt);
      const Eigen::Vector2d field = A * y.row(i).transpose().array().cube().matrix();
      worst = std::max(worst, (slope - field).norm() / std::max(1.0, field.norm()));
    }
    return worst;
  };
  const double w1 = worst_difference(1001), w2 = worst_difference(2001);
  EXPECT_NEAR(w1 / w2, 4.0, 0.3) << w1 << " " << w2;  // measured 2.0e−2 and 5.1e−3
  const Mat<double> y = spiral_trajectory(1001, 25.0), coarse = spiral_trajectory(101, 25.0);
  for (Index i = 0; i < 101; ++i) EXPECT_LT((coarse.row(i) - y.row(10 * i)).norm(), 1e-7) << i;
  EXPECT_DOUBLE_EQ(y(0, 0), 2.0);
}

TEST(Spiral, NeuralOdeLearnsTheTrajectory) {
  // The demo's settings, 2000 Adam iterations: the learned field, integrated from y(0) over
  // the 25 time units, stays near the observed trajectory (mean |ŷ − y| measured 0.090, 0.156,
  // 0.068 for seeds 0, 1, 2; at initialisation 0.8). RK4 at Δt = 0.025 makes the continuous
  // adjoint's gradient nearly the discrete one (gap measured 4.6e−5). Each seed is a pure
  // function of its options.
  std::vector<double> errors;
  for (std::uint64_t seed : {0, 1, 2}) {
    SpiralOptions o;
    o.seed = seed;
    o.test_every = 1000;
    const SpiralResult r = fit_spiral(o);
    ASSERT_TRUE(r.finite);
    ASSERT_EQ(r.history.size(), 2u);
    errors.push_back(r.history.back().test_loss);
    EXPECT_LT(r.history.back().gradient_gap, 1e-3);
    EXPECT_EQ(r.counts.forward_evaluations, 2000L * 9 * 4);  // 9 blocks × 4 RK4 stages
    EXPECT_EQ(r.parameters, 252);
  }
  std::sort(errors.begin(), errors.end());
  EXPECT_LT(errors[1], 0.2);  // the median
  SpiralOptions o;
  o.iterations = 50;
  const SpiralResult a = fit_spiral(o), b = fit_spiral(o);
  EXPECT_EQ(a.history.back().test_loss, b.history.back().test_loss);
  o.batch_time = 1000;
  EXPECT_THROW(fit_spiral(o), InputError);
}

}  // namespace
}  // namespace deepctl
