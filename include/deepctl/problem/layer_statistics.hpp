// Per-layer statistics of a network on a fixed probe batch, for watching training layer by
// layer (the run folder's "layers" metric lines and the report's figures):
//   weight_rms       ‖θ_t‖ / √|θ_t|
//   grad_rms         ‖∇_{θ_t} J‖ / √|θ_t| on the probe batch (L2 term included)
//   activation_mean  mean of the layer's output x_{t+1} over batch and units
//   activation_std   its standard deviation
//   costate_rms      ‖p_{t+1}‖ / √(B·n_{t+1}) · B: the backward signal reaching the layer's
//                    output, per sample (p carries the 1/B of the objective, undone here)
// One rollout and one costate pass; θ is not changed.
#pragma once

#include <vector>

#include "deepctl/problem/problem.hpp"

namespace deepctl {

struct LayerStatistics {
  double weight_rms = 0;
  double grad_rms = 0;
  double activation_mean = 0;
  double activation_std = 0;
  double costate_rms = 0;
};

template <class S>
std::vector<LayerStatistics> layer_statistics(const Problem<S>& problem, const Params<S>& theta,
                                              CMatRef<S> X, CMatRef<S> Y);

}  // namespace deepctl
