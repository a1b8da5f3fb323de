// The binning estimator of the information plane (REFERENCE F21; Shwartz-Ziv & Tishby 2017):
// for a deterministic network on an enumerated, uniform input set, a layer's activity T (N × d)
// is discretised unit by unit with bin edges (value v falls in the cell of the number of edges
// ≤ v, NumPy's digitize), each row's cell pattern is one symbol, and
//   I(X;T) = H(T),   I(T;Y) = H(T) − Σ_y p(y) H(T | Y = y)        (bits)
// from the pattern counts. IDNNs' "30 bins" are the 30 edges linspace(−1, 1, 30) (29 cells
// inside, and values equal to the last edge, such as saturated tanh units at 1, in a cell of
// their own); the published one-neuron entropies partition [−1, 1] into 30 closed cells, i.e.
// the 29 interior edges of linspace(−1, 1, 31) (core/linspace.hpp). The
// estimate depends on the edges: record them with every figure.
#pragma once

#include <vector>

#include "deepctl/core/types.hpp"

namespace deepctl::infoplane {

struct PlanePoint {
  double i_xt = 0;  // I(X;T) in bits
  double i_ty = 0;  // I(T;Y) in bits
};

// Shannon entropy in bits of the patterns of T binned by `edges`.
double binned_entropy(CMatRef<double> T, const std::vector<double>& edges);

// labels[s] ∈ {0, …, classes − 1} for each row of T; InputError on a size mismatch.
PlanePoint binning_information(CMatRef<double> T, const std::vector<int>& labels,
                               const std::vector<double>& edges);

}  // namespace deepctl::infoplane
