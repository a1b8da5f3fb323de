#include "deepctl/sde/sme.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "deepctl/core/error.hpp"
#include "deepctl/core/rng.hpp"
#include "deepctl/problem/network_spec.hpp"
#include "deepctl/sde/gradient_noise.hpp"
#include "deepctl/spectrum/hessian.hpp"

namespace deepctl::sde {
namespace {

double effective_curvature(const QuadraticSgd& q, int order) {
  if (order != 1 && order != 2)
    throw InputError("SME order must be 1 or 2, got " + std::to_string(order));
  return order == 1 ? q.curvature : q.curvature * (1 + 0.5 * q.lr * q.curvature);
}

// Rows of |E g(SGD after T/η steps) − E g(SME at T)| over the rates, each order measured
// against the previous row; expectations(lr, steps) returns (SGD's, the SME's).
template <class Expectations>
std::vector<WeakErrorRow> weak_error_table(const std::vector<double>& lrs, double horizon,
                                           Expectations expectations) {
  std::vector<WeakErrorRow> rows;
  for (double lr : lrs) {
    const double steps = horizon / lr;
    if (!(lr > 0) || std::abs(steps - std::round(steps)) > 1e-9 * steps)
      throw InputError("weak errors: T / lr must be a whole number of steps, got T = " +
                       std::to_string(horizon) + ", lr = " + std::to_string(lr));
    const auto [sgd, sme] = expectations(lr, static_cast<Index>(std::round(steps)));
    WeakErrorRow row{lr, sgd, sme, std::abs(sgd - sme), std::numeric_limits<double>::quiet_NaN()};
    if (!rows.empty()) row.order = std::log2(rows.back().error / row.error);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

double QuadraticSgd::sgd_second_moment(Index k) const {
  const double contraction = (1 - lr * curvature) * (1 - lr * curvature);
  double m = x0 * x0;
  for (Index j = 0; j < k; ++j) m = contraction * m + lr * lr * noise_variance;
  return m;
}

double QuadraticSgd::sme_second_moment(double t, int order) const {
  const double a = effective_curvature(*this, order);
  const double decay = std::exp(-2 * a * t);
  return x0 * x0 * decay + lr * noise_variance / (2 * a) * (1 - decay);
}

double QuadraticSgd::sgd_stationary_variance() const {
  return lr * noise_variance / (curvature * (2 - lr * curvature));
}

double QuadraticSgd::sme_stationary_variance(int order) const {
  return lr * noise_variance / (2 * effective_curvature(*this, order));
}

OrnsteinUhlenbeck QuadraticSgd::sme(int order) const {
  return OrnsteinUhlenbeck(effective_curvature(*this, order), std::sqrt(lr * noise_variance));
}

std::vector<WeakErrorRow> quadratic_weak_errors(QuadraticSgd base, const std::vector<double>& lrs,
                                                double horizon, int order) {
  effective_curvature(base, order);
  return weak_error_table(lrs, horizon, [&](double lr, Index steps) {
    base.lr = lr;
    return std::pair{base.sgd_second_moment(steps), base.sme_second_moment(horizon, order)};
  });
}

ProblemSme::ProblemSme(const Problem<double>& problem, Mat<double> X, Mat<double> Y, double lr,
                       Index batch, int order)
    : problem_(&problem),
      X_(std::move(X)),
      Y_(std::move(Y)),
      lr_(lr),
      batch_(batch),
      order_(order) {
  if (order != 1 && order != 2)
    throw InputError("SME order must be 1 or 2, got " + std::to_string(order));
  if (!(lr > 0) || batch < 1 || X_.rows() != Y_.rows() || X_.rows() < 2)
    throw InputError("SME of a Problem: need lr > 0, batch >= 1 and at least 2 matching rows");
}

Vec<double> ProblemSme::gradient(CVecRef<double> theta) const {
  Params<double> params = problem_->zero_params(), grad;
  unflatten<double>(theta, params);
  Workspace<double> ws = problem_->make_workspace(X_.rows());
  problem_->rollout(ws, X_, Y_, params);
  problem_->adjoint(ws, Y_, params, grad);
  return flatten(grad);
}

void ProblemSme::drift(double, CVecRef<double> x, VecRef<double> b) const {
  const Vec<double> g = gradient(x);
  b = -g;
  if (order_ == 2 && g.norm() > 0) {
    // ½ H∇J by a central difference of the gradient along ∇J.
    const double eps = spectrum::difference_step(x.norm(), g.norm());
    b -= 0.5 * lr_ * (gradient(x + eps * g) - gradient(x - eps * g)) / (2 * eps);
  }
}

void ProblemSme::diffusion(double, CVecRef<double> x, MatRef<double> G) const {
  Params<double> params = problem_->zero_params();
  unflatten<double>(x, params);
  Mat<double> centred = per_sample_gradients<double>(*problem_, params, X_, Y_, 1);
  centred.rowwise() -= centred.colwise().mean();
  G = std::sqrt(lr_ / (static_cast<double>(batch_) * static_cast<double>(X_.rows()))) *
      centred.transpose();
}

LinearNetworkExample linear_network_example() {
  LinearNetworkExample e{
      build_problem<double>(
          {{2, 1, 1}, {{.type = "dense", .width = 1, .activation = "linear"}}, "squared_error", 0}),
      Mat<double>(8, 2), Mat<double>(8, 1), Vec<double>::Ones(3)};
  Rng rng(5);
  for (Index i = 0; i < 8; ++i) {
    e.X.row(i) << rng.normal(), rng.normal();
    e.Y(i, 0) = e.X(i, 0) - e.X(i, 1) + 0.5 * rng.normal();
  }
  return e;
}

AffineGradientSgd::AffineGradientSgd(const Problem<double>& problem, const Mat<double>& X,
                                     const Mat<double>& Y) {
  if (problem.has_running_cost())
    throw InputError(
        "affine-gradient SGD: the problem's l2 and time_smoothness must be 0 (per-sample losses "
        "only)");
  const Index n = X.rows(), d = problem.num_params();
  Params<double> theta = problem.zero_params();
  auto gradients = [&](const Vec<double>& flat) {
    unflatten<double>(flat, theta);
    return per_sample_gradients<double>(problem, theta, X, Y, 1);
  };
  const Mat<double> at_zero = gradients(Vec<double>::Zero(d));  // −c_i
  a_.assign(n, Mat<double>(d, d));
  for (Index j = 0; j < d; ++j) {
    const Mat<double> column = gradients(Vec<double>::Unit(d, j)) - at_zero;  // A_i e_j
    for (Index i = 0; i < n; ++i) a_[i].col(j) = column.row(i).transpose();
  }
  abar_ = Mat<double>::Zero(d, d);
  cbar_ = Vec<double>::Zero(d);
  for (Index i = 0; i < n; ++i) {
    c_.push_back(-at_zero.row(i).transpose());
    abar_ += a_[i] / double(n);
    cbar_ += c_[i] / double(n);
  }
  // Affinity check at a random point.
  Rng rng(1);
  Vec<double> probe(d);
  for (Index j = 0; j < d; ++j) probe[j] = rng.normal();
  const Mat<double> actual = gradients(probe);
  double worst = 0;
  for (Index i = 0; i < n; ++i)
    worst = std::max(worst, (actual.row(i).transpose() - (a_[i] * probe - c_[i])).norm() /
                                (1 + actual.row(i).norm()));
  if (worst > 1e-8)
    throw InputError(
        "affine-gradient SGD: the per-sample gradients are not affine in theta "
        "(relative deviation " +
        std::to_string(worst) +
        "); use a linear network "
        "with squared error");
  Workspace<double> ws = problem.make_workspace(n);
  Params<double> zero = problem.zero_params();
  half_mean_y2_ = problem.rollout(ws, X, Y, zero);  // J(0) = ½ mean y² for squared error
}

double AffineGradientSgd::expected_loss(const Vec<double>& m, const Mat<double>& S) const {
  return 0.5 * (abar_.cwiseProduct(S)).sum() - cbar_.dot(m) + half_mean_y2_;
}

double AffineGradientSgd::sgd_expected_loss(CVecRef<double> theta0, double lr, Index steps) const {
  const Index d = dim(), n = Index(a_.size());
  const Mat<double> I = Mat<double>::Identity(d, d);
  Vec<double> m = theta0;
  Mat<double> S = m * m.transpose();
  for (Index k = 0; k < steps; ++k) {
    Mat<double> next = Mat<double>::Zero(d, d);
    for (Index i = 0; i < n; ++i) {
      const Mat<double> M = I - lr * a_[i];
      const Vec<double> Mm = M * m;
      next += (M * S * M.transpose() + lr * (Mm * c_[i].transpose() + c_[i] * Mm.transpose()) +
               lr * lr * c_[i] * c_[i].transpose()) /
              double(n);
    }
    S = next;
    m = (I - lr * abar_) * m + lr * cbar_;
  }
  return expected_loss(m, S);
}

double AffineGradientSgd::sme_expected_loss(CVecRef<double> theta0, double lr, double horizon,
                                            int order) const {
  if (order != 1 && order != 2)
    throw InputError("SME order must be 1 or 2, got " + std::to_string(order));
  const Index d = dim(), n = Index(a_.size());
  const Mat<double> correction =
      Mat<double>::Identity(d, d) + (order == 2 ? 0.5 * lr : 0.0) * abar_;
  const Mat<double> A = correction * abar_;
  const Vec<double> c = correction * cbar_;
  auto rates = [&](const Vec<double>& m, const Mat<double>& S, Vec<double>& dm, Mat<double>& dS) {
    dm = -(A * m - c);
    Mat<double> noise = Mat<double>::Zero(d, d);
    for (Index i = 0; i < n; ++i) {
      const Mat<double> da = a_[i] - abar_;
      const Vec<double> dc = c_[i] - cbar_;
      const Vec<double> dam = da * m;
      noise += (da * S * da.transpose() - dam * dc.transpose() - dc * dam.transpose() +
                dc * dc.transpose()) /
               double(n);
    }
    dS = -A * S - S * A.transpose() + c * m.transpose() + m * c.transpose() + lr * noise;
  };
  const Index steps = std::max<Index>(1, static_cast<Index>(std::ceil(4000 * horizon)));
  const double h = horizon / double(steps);
  Vec<double> m = theta0, k1m, k2m, k3m, k4m;
  Mat<double> S = m * m.transpose(), k1S, k2S, k3S, k4S;
  for (Index k = 0; k < steps; ++k) {
    rates(m, S, k1m, k1S);
    rates(m + 0.5 * h * k1m, S + 0.5 * h * k1S, k2m, k2S);
    rates(m + 0.5 * h * k2m, S + 0.5 * h * k2S, k3m, k3S);
    rates(m + h * k3m, S + h * k3S, k4m, k4S);
    m += h / 6 * (k1m + 2 * k2m + 2 * k3m + k4m);
    S += h / 6 * (k1S + 2 * k2S + 2 * k3S + k4S);
  }
  return expected_loss(m, S);
}

std::vector<WeakErrorRow> AffineGradientSgd::weak_errors(CVecRef<double> theta0,
                                                         const std::vector<double>& lrs,
                                                         double horizon, int order) const {
  return weak_error_table(lrs, horizon, [&](double lr, Index steps) {
    return std::pair{sgd_expected_loss(theta0, lr, steps),
                     sme_expected_loss(theta0, lr, horizon, order)};
  });
}

}  // namespace deepctl::sde
