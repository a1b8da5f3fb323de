#include "deepctl/sde/tail_index.hpp"

#include <cmath>
#include <string>

#include "deepctl/core/error.hpp"

namespace deepctl::sde {
namespace {

// α̂ from the magnitudes |X_i| and the magnitudes |Y_j| of the block sums.
double estimate(const Vec<double>& magnitudes, const Vec<double>& block_magnitudes, Index k1) {
  const double mean_log_blocks = block_magnitudes.array().log().mean();
  const double mean_log_samples = magnitudes.array().log().mean();
  return std::log(static_cast<double>(k1)) / (mean_log_blocks - mean_log_samples);
}

Index checked_block_size(Index count, Index k1) {
  if (count < 4)
    throw InputError("tail_index: needs at least 4 samples, got " + std::to_string(count));
  if (k1 == 0) k1 = default_block_size(count);
  if (k1 < 2 || count % k1 != 0)
    throw InputError("tail_index: block size K1 = " + std::to_string(k1) +
                     " must be >= 2 and divide the sample count " + std::to_string(count));
  return k1;
}

}  // namespace

double stable_sample(Rng& rng, double alpha) {
  if (!(alpha > 0 && alpha <= 2))
    throw InputError("stable_sample: alpha must be in (0, 2], got " + std::to_string(alpha));
  const double u = M_PI * (rng.uniform() - 0.5);
  const double e = -std::log(1.0 - rng.uniform());
  return std::sin(alpha * u) / std::pow(std::cos(u), 1.0 / alpha) *
         std::pow(std::cos((1.0 - alpha) * u) / e, (1.0 - alpha) / alpha);
}

Index default_block_size(Index k) {
  for (Index d = static_cast<Index>(std::sqrt(static_cast<double>(k))); d >= 1; --d)
    if (k % d == 0) return d;
  return 1;
}

double tail_index(CVecRef<double> samples, Index k1) {
  k1 = checked_block_size(samples.size(), k1);
  const Index blocks = samples.size() / k1;
  Vec<double> block_magnitudes(blocks);
  for (Index j = 0; j < blocks; ++j)
    block_magnitudes[j] = std::abs(samples.segment(j * k1, k1).sum());
  const Vec<double> magnitudes = samples.cwiseAbs();
  if (magnitudes.minCoeff() == 0) throw InputError("tail_index: a sample is exactly zero");
  return estimate(magnitudes, block_magnitudes, k1);
}

double tail_index_rows(CMatRef<double> samples, Index k1) {
  k1 = checked_block_size(samples.rows(), k1);
  const Index blocks = samples.rows() / k1;
  Vec<double> block_magnitudes(blocks);
  for (Index j = 0; j < blocks; ++j)
    block_magnitudes[j] = samples.middleRows(j * k1, k1).colwise().sum().norm();
  const Vec<double> magnitudes = samples.rowwise().norm();
  if (magnitudes.minCoeff() == 0) throw InputError("tail_index: a sample row is exactly zero");
  return estimate(magnitudes, block_magnitudes, k1);
}

}  // namespace deepctl::sde
