// Seeded, splittable random generator.
//
// Every random draw in deepctl goes through an Rng passed in explicitly. The engine is
// xoshiro256** (Blackman & Vigna 2018) seeded through SplitMix64; split(k) derives an
// independent child stream from (state, k) without advancing the parent, so a component can hand
// one stream to each layer, epoch or worker and stay reproducible whatever the order of use.
// Normal draws use the Box–Muller transform written here, so streams do not depend on the C++
// standard library's distribution implementations.
#pragma once

#include <array>
#include <cstdint>

namespace deepctl {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0);

  std::uint64_t next_u64();
  // Uniform on [0, 1) with 53 random bits.
  double uniform();
  // Uniform integer on [0, n).
  std::uint64_t uniform_int(std::uint64_t n);
  // Standard normal N(0, 1).
  double normal();

  // An independent generator derived from this one's state and `stream`; this one is unchanged.
  Rng split(std::uint64_t stream) const;

  // Full state, for checkpoints.
  std::array<std::uint64_t, 4> state() const { return s_; }
  void set_state(const std::array<std::uint64_t, 4>& s) { s_ = s; }

 private:
  std::array<std::uint64_t, 4> s_{};
};

}  // namespace deepctl
