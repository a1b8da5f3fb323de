#include "deepctl/spectrum/lanczos.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <string>

#include "deepctl/core/error.hpp"

namespace deepctl::spectrum {
namespace {

Vec<double> rademacher(Index dim, Rng& rng) {
  Vec<double> z(dim);
  for (Index i = 0; i < dim; ++i) z[i] = rng.uniform() < 0.5 ? -1.0 : 1.0;
  return z;
}

void check_dim(Index dim, Index count, const char* what) {
  if (dim < 1) throw InputError("operator dimension must be >= 1, got " + std::to_string(dim));
  if (count < 1)
    throw InputError(std::string(what) + " must be >= 1, got " + std::to_string(count));
}

}  // namespace

LanczosResult lanczos(const SymmetricOperator& A, Index dim, Index steps, CVecRef<double> start) {
  check_dim(dim, steps, "Lanczos steps");
  if (start.size() != dim || !(start.norm() > 0))
    throw InputError("Lanczos start vector must be nonzero of size " + std::to_string(dim));
  const Index m = std::min(steps, dim);
  Mat<double> Q(m, dim);  // rows are the Lanczos vectors
  std::vector<double> alpha, beta;
  Q.row(0) = start.transpose() / start.norm();
  Vec<double> w(dim);
  double scale = 0;
  for (Index j = 0; j < m; ++j) {
    A(Q.row(j).transpose(), w);
    alpha.push_back(Q.row(j).dot(w));
    scale = std::max(scale, std::abs(alpha.back()));
    // Full reorthogonalisation (twice is enough: Parlett's "twice is enough").
    for (int pass = 0; pass < 2; ++pass) w -= Q.topRows(j + 1).transpose() * (Q.topRows(j + 1) * w);
    if (j + 1 == m) break;
    const double b = w.norm();
    if (b <= 1e-12 * std::max(scale, 1e-300)) break;
    beta.push_back(b);
    Q.row(j + 1) = w.transpose() / b;
  }
  LanczosResult result;
  const Index size = static_cast<Index>(alpha.size());
  result.alpha = Eigen::Map<Vec<double>>(alpha.data(), size);
  result.beta = Eigen::Map<Vec<double>>(beta.data(), size - 1);
  Mat<double> T = Mat<double>::Zero(size, size);
  T.diagonal() = result.alpha;
  T.diagonal(1) = result.beta;
  T.diagonal(-1) = result.beta;
  Eigen::SelfAdjointEigenSolver<Mat<double>> eig(T);
  result.ritz_values = eig.eigenvalues().reverse();
  result.weights = eig.eigenvectors().row(0).transpose().reverse().array().square();
  return result;
}

Vec<double> top_eigenvalues(const SymmetricOperator& A, Index dim, Index k, Index steps,
                            std::uint64_t seed) {
  check_dim(dim, k, "number of eigenvalues");
  Rng rng(seed);
  Vec<double> start(dim);
  for (Index i = 0; i < dim; ++i) start[i] = rng.normal();
  const LanczosResult result = lanczos(A, dim, std::max(steps, k), start);
  return result.ritz_values.head(std::min(k, result.ritz_values.size()));
}

Vec<double> SpectralDensity::smoothed(CVecRef<double> grid, double sigma) const {
  Vec<double> density = Vec<double>::Zero(grid.size());
  const double norm = 1.0 / (sigma * std::sqrt(2 * M_PI));
  for (Index g = 0; g < grid.size(); ++g)
    for (Index j = 0; j < nodes.size(); ++j) {
      const double z = (grid[g] - nodes[j]) / sigma;
      density[g] += weights[j] * norm * std::exp(-0.5 * z * z);
    }
  return density;
}

SpectralDensity spectral_density(const SymmetricOperator& A, Index dim, Index steps, Index probes,
                                 std::uint64_t seed) {
  check_dim(dim, probes, "probes");
  Rng rng(seed);
  std::vector<double> nodes, weights;
  for (Index p = 0; p < probes; ++p) {
    Rng draw = rng.split(static_cast<std::uint64_t>(p));
    const LanczosResult rule = lanczos(A, dim, steps, rademacher(dim, draw));
    for (Index j = 0; j < rule.ritz_values.size(); ++j) {
      nodes.push_back(rule.ritz_values[j]);
      weights.push_back(rule.weights[j] / static_cast<double>(probes));
    }
  }
  const Index size = static_cast<Index>(nodes.size());
  return {Eigen::Map<Vec<double>>(nodes.data(), size),
          Eigen::Map<Vec<double>>(weights.data(), size)};
}

TraceEstimate hutchinson_trace(const SymmetricOperator& A, Index dim, Index probes,
                               std::uint64_t seed) {
  check_dim(dim, probes, "probes");
  Rng rng(seed);
  Vec<double> Az(dim);
  double sum = 0, sum_squares = 0;
  for (Index p = 0; p < probes; ++p) {
    Rng draw = rng.split(static_cast<std::uint64_t>(p));
    const Vec<double> z = rademacher(dim, draw);
    A(z, Az);
    const double sample = z.dot(Az);
    sum += sample;
    sum_squares += sample * sample;
  }
  const double n = static_cast<double>(probes), mean = sum / n;
  const double variance = probes > 1 ? (sum_squares - n * mean * mean) / (n - 1) : 0.0;
  return {mean, std::sqrt(std::max(variance, 0.0) / n)};
}

}  // namespace deepctl::spectrum
