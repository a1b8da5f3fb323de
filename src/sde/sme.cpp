#include "deepctl/sde/sme.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "deepctl/core/error.hpp"

namespace deepctl::sde {
namespace {

double effective_curvature(const QuadraticSgd& q, int order) {
  if (order != 1 && order != 2)
    throw InputError("SME order must be 1 or 2, got " + std::to_string(order));
  return order == 1 ? q.curvature : q.curvature * (1 + 0.5 * q.lr * q.curvature);
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
  std::vector<WeakErrorRow> rows;
  for (double lr : lrs) {
    const double steps = horizon / lr;
    if (!(lr > 0) || std::abs(steps - std::round(steps)) > 1e-9 * steps)
      throw InputError("weak errors: T / lr must be a whole number of steps, got T = " +
                       std::to_string(horizon) + ", lr = " + std::to_string(lr));
    base.lr = lr;
    WeakErrorRow row{lr, base.sgd_second_moment(static_cast<Index>(std::round(steps))),
                     base.sme_second_moment(horizon, order), 0,
                     std::numeric_limits<double>::quiet_NaN()};
    row.error = std::abs(row.sgd - row.sme);
    if (!rows.empty()) row.order = std::log2(rows.back().error / row.error);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace deepctl::sde
