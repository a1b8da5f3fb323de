// Parameter initialisers.
//
//   gaussian    W_ij ~ N(0, σ_w²/fan_in), b_i ~ N(0, σ_b²)       (mean-field parametrisation, C7)
//   orthogonal  W = σ_w Q with Q having orthonormal rows or columns (Haar, sign-corrected QR of
//               a Gaussian matrix), b_i ~ N(0, σ_b²)                (Saxe et al. 2014)
//   he          W_ij ~ N(0, 2/fan_in), b = 0                         (He et al. 2015)
//   glorot      W_ij ~ U(−a, a), a = √(6/(fan_in + fan_out)), b = 0  (Glorot & Bengio 2010)
// σ_w² and σ_b² are variances, never standard deviations.
#pragma once

#include <string>

#include "deepctl/core/rng.hpp"
#include "deepctl/core/types.hpp"

namespace deepctl {

enum class InitKind { Gaussian, Orthogonal, He, Glorot };

struct Initializer {
  InitKind kind = InitKind::Gaussian;
  double sw2 = 1.0;  // σ_w², weight variance times fan-in (gaussian) or gain² (orthogonal)
  double sb2 = 0.0;  // σ_b², bias variance

  // Parses "gaussian", "orthogonal", "he", "glorot"; throws InputError otherwise.
  static InitKind parse_kind(const std::string& text);
  static std::string kind_name(InitKind kind);

  // Fills the weight block W (rows × cols, row-major, rows = outputs) given its fan-in/out.
  template <class S>
  void weights(Rng& rng, Index rows, Index cols, Index fan_in, Index fan_out, S* w) const;
  // Fills n biases.
  template <class S>
  void biases(Rng& rng, Index n, S* b) const;
};

}  // namespace deepctl
