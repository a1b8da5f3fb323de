// The order–chaos phase diagram on a grid of (σ_w², σ_b²) (REFERENCE F2 (d), F3): at every
// point q*, χ_1, c*, χ_c, ξ_c and the phase, as analyze() defines them, computed for speed:
//   q*  by Newton on Q(q) − q with Q′ = χ_q (falling back to analyze's bracketing);
//   c*  by Newton on the Mehler series C(c) = (σ_w² Σ_{k≤K} a_k² c^k + σ_b²)/q* of the
//       Hermite coefficients a_k at q* (closed forms for linear, ReLU, erf), with the
//       truncation bounded by (E[φ²] − Σ a_k²) c*^{K+1}; where that bound exceeds 1e-11 (close
//       to the critical line) the point falls back to analyze()'s 2-D quadrature.
// Points are independent and run in parallel over OpenMP threads; results do not depend on the
// thread count. bench/meanfield_grid.cpp times it against NumPy/SciPy.
#pragma once

#include <vector>

#include "deepctl/core/linspace.hpp"
#include "deepctl/meanfield/meanfield.hpp"

namespace deepctl::meanfield {

struct PhaseGrid {
  std::vector<double> sw2, sb2;  // the axes
  // Row-major over (sb2 index i, sw2 index j): entry i·|sw2| + j.
  std::vector<Analysis> points;
  const Analysis& at(std::size_t i_sb2, std::size_t j_sw2) const {
    return points[i_sb2 * sw2.size() + j_sw2];
  }
};

// keep < 1: dropout of that keep probability (analyze's convention): c* < 1 everywhere.
PhaseGrid phase_diagram(const ActivationMoments& m, const std::vector<double>& sw2,
                        const std::vector<double>& sb2, double keep = 1.0);

using deepctl::linspace;  // core/linspace.hpp

}  // namespace deepctl::meanfield
