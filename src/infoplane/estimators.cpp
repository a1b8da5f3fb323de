#include "deepctl/infoplane/estimators.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "deepctl/core/error.hpp"

namespace deepctl::infoplane {
namespace {

constexpr double kLn2 = 0.6931471805599453;

// −(1/N) Σ_i ln[(1/N) Σ_j exp(−‖h_i − h_j‖² / scale)] over the rows in `rows`, in nats.
double pairwise_entropy(CMatRef<double> H, const std::vector<Index>& rows, double scale) {
  const Index n = static_cast<Index>(rows.size());
  if (n == 0) return 0.0;
  Mat<double> sub(n, H.cols());
  for (Index i = 0; i < n; ++i) sub.row(i) = H.row(rows[i]);
  const Vec<double> norms = sub.rowwise().squaredNorm();
  Mat<double> distances = -2.0 * sub * sub.transpose();
  distances.colwise() += norms;
  distances.rowwise() += norms.transpose();
  double total = 0;
  for (Index i = 0; i < n; ++i) {
    // log-sum-exp of −d_ij/scale; d_ii = 0 is the largest term.
    double sum = 0;
    for (Index j = 0; j < n; ++j) sum += std::exp(-std::max(distances(i, j), 0.0) / scale);
    total -= std::log(sum / static_cast<double>(n));
  }
  return total / static_cast<double>(n);
}

double digamma(double x) {
  double result = 0;
  while (x < 6) {
    result -= 1 / x;
    x += 1;
  }
  const double f = 1 / (x * x);
  return result + std::log(x) - 0.5 / x -
         f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
}

}  // namespace

KdeBounds kde_information(CMatRef<double> H, const std::vector<int>& labels,
                          double noise_variance) {
  if (!(noise_variance > 0))
    throw InputError("KDE estimator: noise variance must be > 0, got " +
                     std::to_string(noise_variance));
  if (!labels.empty() && Index(labels.size()) != H.rows())
    throw InputError("KDE estimator: " + std::to_string(labels.size()) + " labels for " +
                     std::to_string(H.rows()) + " rows");
  std::vector<Index> all(H.rows());
  for (Index i = 0; i < H.rows(); ++i) all[i] = i;
  KdeBounds bounds;
  const double upper = pairwise_entropy(H, all, 2 * noise_variance);
  bounds.i_xt_upper = upper / kLn2;
  bounds.i_xt_lower = pairwise_entropy(H, all, 8 * noise_variance) / kLn2;
  if (!labels.empty()) {
    std::map<int, std::vector<Index>> by_label;
    for (Index i = 0; i < H.rows(); ++i) by_label[labels[i]].push_back(i);
    double conditional = 0;
    for (const auto& [label, rows] : by_label)
      conditional +=
          double(rows.size()) / double(H.rows()) * pairwise_entropy(H, rows, 2 * noise_variance);
    bounds.i_ty = (upper - conditional) / kLn2;
  }
  return bounds;
}

double knn_information(CMatRef<double> X, CMatRef<double> T, int k) {
  const Index n = X.rows();
  if (T.rows() != n)
    throw InputError("kNN estimator: X has " + std::to_string(n) + " rows, T " +
                     std::to_string(T.rows()));
  if (k < 1 || k >= n)
    throw InputError("kNN estimator: k must be in 1.." + std::to_string(n - 1) + ", got " +
                     std::to_string(k));
  auto max_norm = [](const auto& a, const auto& b) { return (a - b).cwiseAbs().maxCoeff(); };
  double sum = 0;
  std::vector<double> joint(n);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < n; ++j)
      joint[j] = j == i ? std::numeric_limits<double>::infinity()
                        : std::max(max_norm(X.row(i), X.row(j)), max_norm(T.row(i), T.row(j)));
    std::nth_element(joint.begin(), joint.begin() + (k - 1), joint.end());
    const double eps = joint[k - 1];
    Index nx = 0, nt = 0;
    for (Index j = 0; j < n; ++j) {
      if (j == i) continue;
      nx += max_norm(X.row(i), X.row(j)) < eps;
      nt += max_norm(T.row(i), T.row(j)) < eps;
    }
    sum += digamma(double(nx + 1)) + digamma(double(nt + 1));
  }
  return (digamma(k) + digamma(double(n)) - sum / double(n)) / kLn2;
}

}  // namespace deepctl::infoplane
