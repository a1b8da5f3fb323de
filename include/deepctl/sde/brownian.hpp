// Brownian motion that can be queried on any interval: a virtual Brownian tree (after Gaines &
// Lyons 1997 and torchsde's BrownianTree), so one seeded path serves every step size.
//
// W : [t0, t1] → R^d with W(t0) = 0 and W(t1) = √(t1 − t0) ξ_0. A node [a, b] of the dyadic
// tree has the midpoint value (the Brownian bridge)
//     W(m) = ½(W(a) + W(b)) + ½√(b − a) ξ_k,   m = (a + b)/2,
// where node k (the root [t0, t1] is node 1) has children 2k and 2k+1 and ξ_k ~ N(0, I_d) comes
// from Rng(seed).split(k). W(t) is therefore a fixed function of (seed, t): the increments over any
// grid come from one path, and refining the grid refines that same path, which is what strong-order
// measurements need. A query descends from the root until t is a node end or the node is at depth
// max_depth; inside such a leaf W is interpolated linearly, which changes a queried value's
// variance by at most (t1 − t0) 2^−max_depth / 4. Dyadic times t0 + k(t1 − t0)/2^j with
// j ≤ max_depth are exact.
#pragma once

#include <cstdint>

#include "deepctl/core/types.hpp"

namespace deepctl::sde {

class BrownianPath {
 public:
  // Throws InputError unless dim ≥ 1, t1 > t0 (both finite) and 1 ≤ max_depth ≤ 60.
  BrownianPath(Index dim, double t0, double t1, std::uint64_t seed, int max_depth = 48);

  Index dim() const { return dim_; }
  double t0() const { return t0_; }
  double t1() const { return t1_; }
  // W(t); InputError outside [t0, t1].
  Vec<double> value(double t) const;
  // W(t) − W(s) for t0 ≤ s ≤ t ≤ t1.
  Vec<double> increment(double s, double t) const;

 private:
  Index dim_;
  double t0_, t1_;
  std::uint64_t seed_;
  int max_depth_;
};

}  // namespace deepctl::sde
