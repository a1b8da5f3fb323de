// The information plane of a network (REFERENCE F21): per layer t the point
// (I(X;T_t), I(T_t;Y)) for the activities T_t = x_t of the enumerated inputs X, t = 1..T, the
// output layer taken through the softmax when the loss is cross-entropy (as IDNNs and ibsgd do).
//
// Estimators (each point records which, with its parameters):
//   binning  per-unit cells (binning.hpp). Bounded activations get `bins` equal edges over their
//            range, IDNNs' convention: tanh, erf, hard_tanh → linspace(−1, 1, bins); sigmoid and
//            softmax → linspace(0, 1, bins). Unbounded ones (relu, linear, …) get cells of width
//            `bin_width` at multiples of it over the observed range (Saxe et al.'s floor
//            binning, 0.07).
//   kde      Kolchinsky–Tracey bounds with noise variance `noise_variance` (estimators.hpp):
//            i_xt is the upper bound, i_xt_lower the lower one.
#pragma once

#include <string>
#include <vector>

#include "deepctl/problem/problem.hpp"

namespace deepctl::infoplane {

struct PlaneOptions {
  std::string estimator = "binning";  // binning | kde
  int bins = 30;                      // edges over a bounded activation's range
  double bin_width = 0.07;            // cells of unbounded activations
  double noise_variance = 1e-3;       // kde
};

struct LayerPlane {
  double i_xt = 0;        // bits (kde: the upper bound)
  double i_ty = 0;        // bits
  double i_xt_lower = 0;  // kde only: the lower bound (binning: equal to i_xt)
};

// InputError on an unknown estimator, bins < 2, bin_width ≤ 0 or noise_variance ≤ 0.
void check(const PlaneOptions& options);

// The edges the binning estimator uses for activity T of a layer with this activation name
// ("softmax" for the output of a cross-entropy network).
std::vector<double> bin_edges(const std::string& activation, CMatRef<double> T,
                              const PlaneOptions& options);

// One point per layer. activations[t] names layer t's activation (LayerSpec::activation);
// labels[s] is the class of row s of X.
std::vector<LayerPlane> information_plane(const Problem<double>& problem,
                                          const Params<double>& theta, CMatRef<double> X,
                                          const std::vector<int>& labels,
                                          const std::vector<std::string>& activations,
                                          const PlaneOptions& options);

}  // namespace deepctl::infoplane
