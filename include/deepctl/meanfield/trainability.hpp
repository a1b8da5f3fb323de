// The trainability experiment of Schoenholz et al. (2017), as the review runs it (REFERENCE F3
// (d)): fully connected φ networks of width N and depth L (L counts the weight layers, the
// last one linear), initialised with W ~ N(0, σ_w²/fan_in), b ~ N(0, σ_b²), trained briefly by
// plain SGD; the accuracy on training data measures whether depth L trains at (σ_w², σ_b²).
// Mean-field theory predicts the trainable band: L ≲ 6 ξ_c(σ_w², σ_b²).
//
// Deviations from the review's code, by choice: Fashion-MNIST (normalize = "center", pixels in
// [−0.5, 0.5]) instead of MNIST; fan-in instead of fan-out variance (they differ only in the
// first and last layers at constant width); accuracy on the first eval_samples training
// samples instead of all 60 000.
#pragma once

#include <cstdint>
#include <string>

#include "deepctl/data/dataset.hpp"

namespace deepctl::meanfield {

struct TrainabilitySettings {
  std::string activation = "tanh";
  double sb2 = 0.05;
  Index width = 300;
  int steps = 201;  // SGD updates (the review evaluates after update index 200)
  Index batch = 256;
  double lr = 1e-3;
  Index eval_samples = 10000;
  std::uint64_t seed = 0;  // initialisation and minibatch order; the same for every job
};

// Trains one (depth, σ_w²) network in float32 and returns its accuracy on the first
// eval_samples rows of `train` (chance, 1/classes, if the loss diverges).
double train_briefly(const TrainabilitySettings& settings, int depth, double sw2,
                     const Dataset& train);

}  // namespace deepctl::meanfield
