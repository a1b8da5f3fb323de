#include "deepctl/data/synthetic.hpp"

#include <cmath>

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

void require_positive(const char* what, Index v) {
  if (v <= 0) throw InputError(std::string(what) + " must be positive, got " + std::to_string(v));
}

}  // namespace

Dataset two_spirals(Index n, double noise, Rng& rng) {
  require_positive("two_spirals: n", n);
  Dataset d{"spirals", {2, 1, 1}, Mat<float>(n, 2), Mat<float>::Zero(n, 2), 2};
  for (Index i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % 2);
    const double theta = 4 * M_PI * rng.uniform();
    const double r = theta / (4 * M_PI);
    const double sign = c == 0 ? 1.0 : -1.0;
    d.inputs(i, 0) = static_cast<float>(sign * r * std::cos(theta) + noise * rng.normal());
    d.inputs(i, 1) = static_cast<float>(sign * r * std::sin(theta) + noise * rng.normal());
    d.targets(i, c) = 1.0f;
  }
  return d;
}

Dataset gaussian_mixture(Index n, Index classes, Index dim, double separation, Rng& rng) {
  require_positive("gaussian_mixture: n", n);
  require_positive("gaussian_mixture: classes", classes);
  require_positive("gaussian_mixture: dim", dim);
  Eigen::MatrixXd means(classes, dim);
  for (Index i = 0; i < means.size(); ++i) means.data()[i] = separation * rng.normal();
  Dataset d{
      "gaussian-mixture", {dim, 1, 1}, Mat<float>(n, dim), Mat<float>::Zero(n, classes), classes};
  for (Index i = 0; i < n; ++i) {
    const Index c = i % classes;
    for (Index j = 0; j < dim; ++j) d.inputs(i, j) = static_cast<float>(means(c, j) + rng.normal());
    d.targets(i, c) = 1.0f;
  }
  return d;
}

Dataset teacher_student(Index n, Index dim, Index hidden, double noise, Rng& rng) {
  require_positive("teacher_student: n", n);
  require_positive("teacher_student: dim", dim);
  require_positive("teacher_student: hidden", hidden);
  Eigen::MatrixXd W(hidden, dim);
  Eigen::VectorXd v(hidden);
  for (Index i = 0; i < W.size(); ++i) W.data()[i] = rng.normal() / std::sqrt(double(dim));
  for (Index i = 0; i < hidden; ++i) v[i] = rng.normal();
  Dataset d{"teacher-student", {dim, 1, 1}, Mat<float>(n, dim), Mat<float>(n, 1), 0};
  Eigen::VectorXd x(dim);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < dim; ++j) x[j] = rng.normal();
    d.inputs.row(i) = x.cast<float>().transpose();
    const double y = v.dot((W * x).array().tanh().matrix()) / std::sqrt(double(hidden));
    d.targets(i, 0) = static_cast<float>(y + noise * rng.normal());
  }
  return d;
}

Dataset sine(Index n, Index dim, double noise, Rng& rng) {
  require_positive("sine: n", n);
  require_positive("sine: dim", dim);
  Dataset d{"sine", {dim, 1, 1}, Mat<float>(n, dim), Mat<float>(n, 1), 0};
  for (Index i = 0; i < n; ++i) {
    const double x = M_PI * (2 * rng.uniform() - 1);
    d.inputs.row(i).setConstant(static_cast<float>(x));
    d.targets(i, 0) = static_cast<float>(std::sin(x) + noise * rng.normal());
  }
  return d;
}

}  // namespace deepctl
