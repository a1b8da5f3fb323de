// The LQR test problem (REFERENCE F11's reference): T linear-control layers x_{t+1} = A x_t + B
// θ_t, terminal cost ½‖x_T − y‖², running cost (λ/2)‖θ_t‖². The Riccati recursion and a stacked
// least-squares solve give the same optimal controls; the gradient-adjoint trainer converges
// to them.
#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "deepctl/layer/linear_control.hpp"
#include "deepctl/config/run_config.hpp"
#include "deepctl/problem/network_spec.hpp"
#include "deepctl/solver/gradient_trainer.hpp"
#include "deepctl/solver/vanilla_ddp.hpp"

namespace deepctl {
namespace {

struct Lqr {
  static constexpr int T = 5;
  Eigen::Matrix3d A;
  Eigen::Matrix<double, 3, 2> B;
  Eigen::Vector3d x0{1.0, -0.5, 0.25}, y{0.3, 0.2, -0.4};
  double lambda = 0.1;
  Lqr() {
    A << 0.9, 0.2, 0.0, -0.1, 1.1, 0.3, 0.0, 0.4, 0.8;
    B << 1.0, 0.0, 0.5, -1.0, 0.0, 2.0;
  }
  Problem<double> problem() const {
    std::vector<std::shared_ptr<const Layer<double>>> layers;
    for (int t = 0; t < T; ++t) layers.push_back(std::make_shared<LinearControl<double>>(A, B));
    return Problem<double>(std::move(layers), make_loss<double>("squared_error"), lambda);
  }
  // Backward Riccati for V_t(x) = ½xᵀP_t x + q_tᵀx, then the feedback law forward from x0.
  std::vector<Eigen::Vector2d> riccati() const {
    std::vector<Eigen::Matrix3d> P(T + 1);
    std::vector<Eigen::Vector3d> q(T + 1);
    std::vector<Eigen::Matrix<double, 2, 3>> K(T);
    std::vector<Eigen::Vector2d> k(T);
    P[T] = Eigen::Matrix3d::Identity();
    q[T] = -y;
    for (int t = T - 1; t >= 0; --t) {
      const Eigen::Matrix2d M = lambda * Eigen::Matrix2d::Identity() + B.transpose() * P[t + 1] * B;
      K[t] = M.ldlt().solve(B.transpose() * P[t + 1] * A);
      k[t] = M.ldlt().solve(B.transpose() * q[t + 1]);
      P[t] = A.transpose() * P[t + 1] * (A - B * K[t]);
      q[t] = (A - B * K[t]).transpose() * q[t + 1];
    }
    std::vector<Eigen::Vector2d> theta(T);
    Eigen::Vector3d x = x0;
    for (int t = 0; t < T; ++t) {
      theta[t] = -K[t] * x - k[t];
      x = A * x + B * theta[t];
    }
    return theta;
  }
  // x_T = A^T x0 + Σ_t A^{T−1−t} B θ_t: minimise ½‖Gθ + c − y‖² + (λ/2)‖θ‖² in closed form.
  Eigen::VectorXd least_squares() const {
    Eigen::MatrixXd G(3, 2 * T);
    Eigen::Matrix3d power = Eigen::Matrix3d::Identity();
    for (int t = T - 1; t >= 0; --t) {
      G.middleCols(2 * t, 2) = power * B;
      power = power * A;
    }
    const Eigen::Vector3d c = power * x0;
    return (G.transpose() * G + lambda * Eigen::MatrixXd::Identity(2 * T, 2 * T))
        .ldlt()
        .solve(G.transpose() * (y - c));
  }
};

TEST(Lqr, RiccatiEqualsLeastSquares) {
  const Lqr lqr;
  const auto riccati = lqr.riccati();
  const Eigen::VectorXd ls = lqr.least_squares();
  for (int t = 0; t < Lqr::T; ++t)
    EXPECT_LE((riccati[t] - ls.segment(2 * t, 2)).norm(), 1e-12) << t;
}

TEST(Lqr, GradientAdjointTrainerConvergesToTheRiccatiControls) {
  const Lqr lqr;
  const Problem<double> problem = lqr.problem();
  Dataset one{
      "lqr", {3, 1, 1}, lqr.x0.transpose().cast<float>(), lqr.y.transpose().cast<float>(), 0};
  // x0 and y are exactly representable enough: rebuild them from the float dataset for the
  // reference.
  Lqr reference = lqr;
  reference.x0 = one.inputs.row(0).transpose().cast<double>();
  reference.y = one.targets.row(0).transpose().cast<double>();
  const auto riccati = reference.riccati();
  TrainerOptions o;
  o.epochs = 3000;
  o.batch_size = 1;
  o.update.kind = UpdateKind::Momentum;
  o.schedule.base = 0.05;
  GradientTrainer<double> trainer(problem, one, nullptr, o);
  trainer.init(problem.init_params(Rng(0), {}));
  ASSERT_EQ(trainer.solve().status, TrainStatus::Completed);
  for (int t = 0; t < Lqr::T; ++t)
    EXPECT_LE((trainer.params()[t] - riccati[t]).norm(), 1e-8) << "layer " << t;
}

TEST(Lqr, OneExactDdpIterationReachesTheRiccatiControls) {
  // REFERENCE F11 (e): θ enters linearly and the costs are quadratic, so the second-order
  // expansion is exact and one DDP iteration with μ = 0 (α = 1) lands on the optimum, from any
  // start; a second iteration finds nothing left to decrease.
  const Lqr lqr;
  const Problem<double> problem = lqr.problem();
  const auto riccati = lqr.riccati();
  Mat<double> X = lqr.x0.transpose(), Y = lqr.y.transpose();
  Params<double> theta = problem.init_params(Rng(7), {InitKind::Gaussian, 1.0, 0.0});
  for (auto& th : theta) th.setConstant(0.8);
  double mu = 0;
  const VanillaDdpResult r = vanilla_ddp_iteration(problem, X, Y, theta, mu);
  EXPECT_EQ(r.alpha, 1.0);
  EXPECT_NEAR(r.cost_before - r.cost_after, r.expected_decrease, 1e-12);  // exact model
  for (int t = 0; t < Lqr::T; ++t) EXPECT_LE((theta[t] - riccati[t]).norm(), 1e-12) << t;
  const Params<double> optimum = theta;
  const VanillaDdpResult again = vanilla_ddp_iteration(problem, X, Y, theta, mu);
  EXPECT_NEAR(again.expected_decrease, 0.0, 1e-20);
  for (int t = 0; t < Lqr::T; ++t) EXPECT_LE((theta[t] - optimum[t]).norm(), 1e-12) << t;
}

TEST(VanillaDdp, ConvergesOnATinyTanhNetwork) {
  // 8 DIGITS samples, 64 → 6 tanh → 10 cross-entropy, λ = 1e−3: Gauss–Newton DDP with the
  // Levenberg–Marquardt schedule and the line search accepts a step at every iteration, each
  // decreasing J by at least a tenth of the predicted amount (measured: from 2.3 to 0.041 in 30
  // iterations; α is mostly ½–⅛ once the Gauss–Newton model stops being exact).
  DataConfig config;
  config.name = "digits";
  const TrainTest data = load_data(config);
  const Problem<double> problem = build_problem<double>(
      {{64, 1, 1},
       {{.type = "dense", .width = 6, .activation = "tanh"}, {.type = "dense", .width = 10}},
       "cross_entropy",
       1e-3});
  const Mat<double> X = data.train.inputs.topRows(8).cast<double>(),
                    Y = data.train.targets.topRows(8).cast<double>();
  Params<double> theta = problem.init_params(Rng(2), {});
  double mu = 1e-3, first = 0, last = 0;
  for (int it = 0; it < 30; ++it) {
    const VanillaDdpResult r = vanilla_ddp_iteration(problem, X, Y, theta, mu, 1e-9);
    if (it == 0) first = r.cost_before;
    ASSERT_GT(r.alpha, 0) << it;
    EXPECT_GT(r.cost_before - r.cost_after, 0.1 * r.expected_decrease) << it;
    last = r.cost_after;
  }
  EXPECT_GT(first, 2.0);
  EXPECT_LT(last, 0.05);
}

}  // namespace
}  // namespace deepctl
