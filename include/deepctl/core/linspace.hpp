// Evenly spaced grids, shared by the sweeps (phase diagrams, trainability) and the bin edges of
// the information plane.
#pragma once

#include <vector>

namespace deepctl {

// n evenly spaced values from lo to hi inclusive (n = 1 gives {lo}); InputError for n < 1.
std::vector<double> linspace(double lo, double hi, int n);

}  // namespace deepctl
