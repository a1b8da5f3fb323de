#include "deepctl/sde/brownian.hpp"

#include <cmath>
#include <string>

#include "deepctl/core/error.hpp"
#include "deepctl/core/rng.hpp"

namespace deepctl::sde {
namespace {

Vec<double> standard_normal(std::uint64_t seed, std::uint64_t node, Index dim) {
  Rng rng = Rng(seed).split(node);
  Vec<double> xi(dim);
  for (Index i = 0; i < dim; ++i) xi[i] = rng.normal();
  return xi;
}

}  // namespace

BrownianPath::BrownianPath(Index dim, double t0, double t1, std::uint64_t seed, int max_depth)
    : dim_(dim), t0_(t0), t1_(t1), seed_(seed), max_depth_(max_depth) {
  if (dim < 1) throw InputError("BrownianPath: dim must be >= 1, got " + std::to_string(dim));
  if (!std::isfinite(t0) || !std::isfinite(t1) || !(t1 > t0))
    throw InputError("BrownianPath: expected finite t0 < t1, got [" + std::to_string(t0) + ", " +
                     std::to_string(t1) + "]");
  if (max_depth < 1 || max_depth > 60)
    throw InputError("BrownianPath: max_depth must be in 1..60, got " + std::to_string(max_depth));
}

Vec<double> BrownianPath::value(double t) const {
  if (!(t >= t0_ && t <= t1_))
    throw InputError("BrownianPath: time " + std::to_string(t) + " outside [" +
                     std::to_string(t0_) + ", " + std::to_string(t1_) + "]");
  double a = t0_, b = t1_;
  Vec<double> wa = Vec<double>::Zero(dim_);
  Vec<double> wb = std::sqrt(b - a) * standard_normal(seed_, 0, dim_);
  std::uint64_t node = 1;
  for (int depth = 0;; ++depth) {
    if (t == a) return wa;
    if (t == b) return wb;
    if (depth == max_depth_) return wa + (t - a) / (b - a) * (wb - wa);
    const double m = 0.5 * (a + b);
    Vec<double> wm = 0.5 * (wa + wb) + 0.5 * std::sqrt(b - a) * standard_normal(seed_, node, dim_);
    if (t < m) {
      b = m;
      wb = std::move(wm);
      node = 2 * node;
    } else {
      a = m;
      wa = std::move(wm);
      node = 2 * node + 1;
    }
  }
}

Vec<double> BrownianPath::increment(double s, double t) const {
  if (!(s <= t))
    throw InputError("BrownianPath: increment needs s <= t, got s = " + std::to_string(s) +
                     ", t = " + std::to_string(t));
  return value(t) - value(s);
}

}  // namespace deepctl::sde
