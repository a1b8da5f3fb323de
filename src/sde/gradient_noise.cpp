#include "deepctl/sde/gradient_noise.hpp"

#include <omp.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "deepctl/core/error.hpp"
#include "deepctl/data/dataset.hpp"
#include "deepctl/sde/tail_index.hpp"

namespace deepctl::sde {
namespace {

template <class S>
bool all_thread_safe(const Problem<S>& problem) {
  for (Index t = 0; t < problem.num_layers(); ++t)
    if (!problem.layer(t).capabilities().thread_safe) return false;
  return true;
}

// Runs the costate pass on each row i of (X, Y) alone and calls use(shard, i, g_i) with the
// gradient as Params; rows are split into `count` contiguous shards, one per thread, in order
// (shard k holds rows n·k/count .. n·(k+1)/count − 1), so what use() does per shard is fixed
// by the thread count. count is 1 when a layer is not thread-safe.
template <class S, class Use>
void for_each_sample_gradient(const Problem<S>& problem, const Params<S>& theta, CMatRef<S> X,
                              CMatRef<S> Y, int count, Use use) {
  problem.check_params(theta);
  if (X.rows() != Y.rows())
    throw InputError("per-sample gradients: X has " + std::to_string(X.rows()) +
                     " rows but Y has " + std::to_string(Y.rows()));
  const Index n = X.rows();
#pragma omp parallel num_threads(count)
  {
    const int shard = omp_get_thread_num();
    Workspace<S> ws = problem.make_workspace(1);
    Params<S> grad = problem.zero_params();
    for (Index i = n * shard / count; i < n * (shard + 1) / count; ++i) {
      problem.rollout(ws, X.row(i), Y.row(i), theta);
      problem.adjoint(ws, Y.row(i), theta, grad);
      use(shard, i, grad);
    }
  }
}

template <class S>
int thread_count(const Problem<S>& problem, int threads) {
  return all_thread_safe(problem) ? (threads > 0 ? threads : omp_get_max_threads()) : 1;
}

}  // namespace

template <class S>
void per_sample_gradients(const Problem<S>& problem, const Params<S>& theta, NoDeduce<CMatRef<S>> X,
                          NoDeduce<CMatRef<S>> Y, MatRef<S> out, int threads) {
  if (out.rows() != X.rows() || out.cols() != problem.num_params())
    throw InputError("per-sample gradients: the output is " + std::to_string(out.rows()) + " x " +
                     std::to_string(out.cols()) + ", expected " + std::to_string(X.rows()) + " x " +
                     std::to_string(problem.num_params()));
  for_each_sample_gradient<S>(problem, theta, X, Y, thread_count(problem, threads),
                              [&](int, Index i, const Params<S>& grad) {
                                Index offset = 0;
                                for (const Vec<S>& part : grad) {
                                  out.row(i).segment(offset, part.size()) = part.transpose();
                                  offset += part.size();
                                }
                              });
}

template <class S>
Mat<S> per_sample_gradients(const Problem<S>& problem, const Params<S>& theta,
                            NoDeduce<CMatRef<S>> X, NoDeduce<CMatRef<S>> Y, int threads) {
  Mat<S> G(X.rows(), problem.num_params());
  per_sample_gradients<S>(problem, theta, X, Y, G, threads);
  return G;
}

template <class S>
std::vector<LayerNoise> layer_noise(const Problem<S>& problem, const GradientMoments& moments,
                                    Index batch) {
  const double B = static_cast<double>(batch);
  std::vector<LayerNoise> layers;
  Index offset = 0;
  for (Index t = 0; t < problem.num_layers(); ++t) {
    const Index size = problem.layer(t).num_params();
    LayerNoise layer;
    layer.mean_gradient_norm = moments.mean.segment(offset, size).norm();
    layer.noise_trace = moments.variance.segment(offset, size).sum();
    layer.snr = layer.noise_trace > 0
                    ? layer.mean_gradient_norm * layer.mean_gradient_norm / (layer.noise_trace / B)
                    : std::numeric_limits<double>::infinity();
    layers.push_back(layer);
    offset += size;
  }
  return layers;
}

template <class S>
GradientMoments gradient_moments(const Problem<S>& problem, const Params<S>& theta,
                                 NoDeduce<CMatRef<S>> X, NoDeduce<CMatRef<S>> Y, int threads) {
  // Each shard sums g and g² in double; the shards are combined in order.
  const Index n = X.rows();
  if (n < 1) throw InputError("gradient moments: need at least one row");
  const int count = thread_count(problem, threads);
  const Index d = problem.num_params();
  std::vector<Vec<double>> sums(count, Vec<double>::Zero(d)), squares(count, Vec<double>::Zero(d));
  for_each_sample_gradient<S>(problem, theta, X, Y, count,
                              [&](int shard, Index, const Params<S>& grad) {
                                const Vec<double> g = flatten(grad).template cast<double>();
                                sums[shard] += g;
                                squares[shard] += g.cwiseAbs2();
                              });
  for (int k = 1; k < count; ++k) {
    sums[0] += sums[k];
    squares[0] += squares[k];
  }
  GradientMoments m;
  m.mean = sums[0] / static_cast<double>(n);
  m.variance = (squares[0] / static_cast<double>(n) - m.mean.cwiseAbs2()).cwiseMax(0.0);
  return m;
}

template <class S>
NoiseStatistics gradient_noise(const Problem<S>& problem, const Params<S>& theta,
                               NoDeduce<CMatRef<S>> X, NoDeduce<CMatRef<S>> Y,
                               const NoiseOptions& options) {
  const Index n = X.rows();
  if (n < 2) throw InputError("gradient noise needs at least 2 samples, got " + std::to_string(n));
  if (options.batch < 1 || options.batch > n)
    throw InputError("gradient noise: batch must be in 1.." + std::to_string(n) + ", got " +
                     std::to_string(options.batch));
  if (options.minibatches < 2)
    throw InputError("gradient noise: minibatches must be >= 2, got " +
                     std::to_string(options.minibatches));
  Mat<double> centred =
      per_sample_gradients<S>(problem, theta, X, Y, options.threads).template cast<double>();
  NoiseStatistics stats;
  stats.samples = n;
  stats.batch = options.batch;
  {
    Workspace<S> ws = problem.make_workspace(n);
    stats.loss = static_cast<double>(problem.rollout(ws, X, Y, theta));
  }
  stats.mean_gradient = centred.colwise().mean().transpose();
  centred.rowwise() -= stats.mean_gradient.transpose();  // in place: n × d can be large
  stats.covariance_diagonal = centred.array().square().colwise().mean().transpose();
  stats.covariance_trace = stats.covariance_diagonal.sum();

  // Nonzero spectrum of Σ = (1/n) G_cᵀ G_c from the n × n Gram matrix (1/n) G_c G_cᵀ.
  // Its eigenvectors u (unit, in sample space) give Σ's: v = G_cᵀu / √(nλ).
  const Mat<double> gram = centred * centred.transpose() / static_cast<double>(n);
  const Eigen::SelfAdjointEigenSolver<Mat<double>> gram_eigen(gram);
  Vec<double> eigenvalues = gram_eigen.eigenvalues().reverse().cwiseMax(0.0);
  const Index top = std::min(options.top, n);
  stats.top_eigenvalues = eigenvalues.head(top);
  stats.top_eigenvectors.resize(centred.cols(), top);
  for (Index k = 0; k < top; ++k) {
    const Vec<double> u = gram_eigen.eigenvectors().col(n - 1 - k);
    const double scale = std::sqrt(static_cast<double>(n) * eigenvalues[k]);
    stats.top_eigenvectors.col(k) = scale > 0 ? Vec<double>(centred.transpose() * u / scale)
                                              : Vec<double>::Zero(centred.cols());
  }
  if (centred.cols() <= NoiseStatistics::kFullCovarianceMax)
    stats.covariance = centred.transpose() * centred / static_cast<double>(n);
  const double sum_squares = eigenvalues.squaredNorm();
  stats.effective_rank =
      sum_squares > 0 ? stats.covariance_trace * stats.covariance_trace / sum_squares : 0.0;
  stats.rank_above_1e3 = (eigenvalues.array() > 1e-3 * eigenvalues[0]).count();

  stats.layers =
      layer_noise(problem, {stats.mean_gradient, stats.covariance_diagonal}, options.batch);

  // Minibatch noise U_k = (1/b) Σ_{i ∈ batch k} g_i − ḡ, all components pooled, as one product
  // U = S G_c with S the P × n matrix of the draws (1/b where drawn). b = min(B, n/4): a
  // minibatch of all n samples has no noise at all.
  const Index b = std::max<Index>(1, std::min(options.batch, n / 4));
  stats.tail_batch = b;
  Rng rng(options.seed);
  Mat<double> selection = Mat<double>::Zero(options.minibatches, n);
  for (Index k = 0; k < options.minibatches; ++k) {
    Rng draw = rng.split(static_cast<std::uint64_t>(k));
    const std::vector<Index> order = permutation(n, draw);
    for (Index j = 0; j < b; ++j) selection(k, order[j]) = 1.0 / static_cast<double>(b);
  }
  const Mat<double> noise = selection * centred;
  const Eigen::Map<const Vec<double>> pooled(noise.data(), noise.size());
  // Coordinates with no noise at all (e.g. weights on constant-zero inputs) carry no tail.
  std::vector<double> nonzero;
  nonzero.reserve(static_cast<std::size_t>(pooled.size()));
  for (double v : pooled)
    if (v != 0) nonzero.push_back(v);
  const Index usable = static_cast<Index>(nonzero.size());
  const Index k1 = static_cast<Index>(std::sqrt(static_cast<double>(usable)));
  stats.tail_index =
      k1 >= 2 ? tail_index(Eigen::Map<const Vec<double>>(nonzero.data(), usable / k1 * k1), k1)
              : std::numeric_limits<double>::quiet_NaN();
  return stats;
}

double noise_scale(double lr, Index train_size, Index batch, double momentum) {
  if (!(lr > 0)) throw InputError("noise scale: lr must be > 0, got " + std::to_string(lr));
  if (batch < 1 || batch > train_size)
    throw InputError("noise scale: batch must be in 1.." + std::to_string(train_size) + ", got " +
                     std::to_string(batch));
  if (!(momentum >= 0 && momentum < 1))
    throw InputError("noise scale: momentum must be in [0, 1), got " + std::to_string(momentum));
  return lr * (static_cast<double>(train_size) / static_cast<double>(batch) - 1.0) /
         (1.0 - momentum);
}

template Mat<float> per_sample_gradients<float>(const Problem<float>&, const Params<float>&,
                                                NoDeduce<CMatRef<float>>, NoDeduce<CMatRef<float>>,
                                                int);
template Mat<double> per_sample_gradients<double>(const Problem<double>&, const Params<double>&,
                                                  NoDeduce<CMatRef<double>>,
                                                  NoDeduce<CMatRef<double>>, int);
template void per_sample_gradients<float>(const Problem<float>&, const Params<float>&,
                                          NoDeduce<CMatRef<float>>, NoDeduce<CMatRef<float>>,
                                          MatRef<float>, int);
template void per_sample_gradients<double>(const Problem<double>&, const Params<double>&,
                                           NoDeduce<CMatRef<double>>, NoDeduce<CMatRef<double>>,
                                           MatRef<double>, int);
template GradientMoments gradient_moments<float>(const Problem<float>&, const Params<float>&,
                                                 NoDeduce<CMatRef<float>>, NoDeduce<CMatRef<float>>,
                                                 int);
template GradientMoments gradient_moments<double>(const Problem<double>&, const Params<double>&,
                                                  NoDeduce<CMatRef<double>>,
                                                  NoDeduce<CMatRef<double>>, int);
template std::vector<LayerNoise> layer_noise<float>(const Problem<float>&, const GradientMoments&,
                                                    Index);
template std::vector<LayerNoise> layer_noise<double>(const Problem<double>&, const GradientMoments&,
                                                     Index);
template NoiseStatistics gradient_noise<float>(const Problem<float>&, const Params<float>&,
                                               NoDeduce<CMatRef<float>>, NoDeduce<CMatRef<float>>,
                                               const NoiseOptions&);
template NoiseStatistics gradient_noise<double>(const Problem<double>&, const Params<double>&,
                                                NoDeduce<CMatRef<double>>,
                                                NoDeduce<CMatRef<double>>, const NoiseOptions&);

}  // namespace deepctl::sde
