// The spiral demo of Chen et al. (2018) (torchdiffeq's ode_demo.py; REFERENCE F7): learn the
// 2-D cubic ODE dy/dt = A y³ (cube taken elementwise), A = [[−0.1, 2], [−2, −0.1]],
// y(0) = (2, 0), from one observed trajectory of `points` samples on [0, t_end].
//
// The model is an ODE block dy/dt = g_θ(y), g a two-layer MLP 2 → hidden (tanh) → 2 of the
// feature y³, as the demo's; one block per sample interval Δt = t_end/(points − 1)
// with `steps` steps of `solver` (or adaptive ones under rtol/atol). An iteration draws `batch`
// start indices s uniformly from [0, points − batch_time) and integrates each start over the
// next batch_time − 1 intervals; the loss is the demo's mean absolute error at every time,
//   L = 1/(2·batch·batch_time) Σ_b Σ_k |ŷ_b(t_k) − y_{s_b + k}|,
// a running cost on the states: its gradient is the costate pass interval by interval,
//   a_K = ∂L/∂ŷ_K,   a_{k−1} = f_yᵀ a_k + ∂L/∂ŷ_{k−1},   ∇_θ L = Σ_k f_θᵀ a_k,
// with each block's vjp (discrete or continuous adjoint, layer/ode_block.hpp). Adam updates θ.
// Every test_every iterations (and at the end) the whole trajectory is integrated from y(0)
// and scored by its mean absolute error, and the window's gradient is also taken the other way
// (adjoint or discrete) to record the gap between the two.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "deepctl/layer/ode_block.hpp"

namespace deepctl {

struct SpiralOptions {
  Index points = 1000;
  double t_end = 25.0;
  Index batch_time = 10;
  Index batch = 20;
  long iterations = 2000;
  long test_every = 100;
  Index hidden = 50;
  std::string solver = "rk4";
  Index steps = 1;  // per sample interval (fixed steps)
  double rtol = 0, atol = 0;
  std::string gradient = "discrete";  // discrete | checkpointed | adjoint
  double lr = 1e-3;                   // Adam
  std::uint64_t seed = 0;
  bool measure_gap = true;  // the other gradient at each record (its memory too: store-all)
};

struct SpiralRecord {
  long iteration = 0;
  double train_loss = 0;  // the last minibatch's L
  double test_loss = 0;   // mean |ŷ − y| over the whole trajectory
  double seconds = 0;     // training time so far (tests excluded)
  // ‖∇_adjoint − ∇_discrete‖/‖∇_discrete‖ on this iteration's window: how far the continuous
  // adjoint's gradient is from the exact one of the discretised model (NaN if not measured).
  double gradient_gap = 0;
};

struct SpiralResult {
  Vec<double> times;
  Mat<double> observed, fitted;  // points × 2
  std::vector<SpiralRecord> history;
  OdeCounts counts;  // of the model's ODE block over training (tests not counted)
  Index parameters = 0;
  bool finite = true;  // false when the loss became NaN (the run stops there)
};

// The observed trajectory: dy/dt = A y³ by dopri5 at tolerance 1e−10 (points × 2).
Mat<double> spiral_trajectory(Index points, double t_end);

// InputError on options out of range (points < 3, batch_time < 2 or ≥ points, batch < 1, ...).
// on_record may return false to stop early.
SpiralResult fit_spiral(const SpiralOptions& options,
                        const std::function<bool(const SpiralRecord&)>& on_record = {});

}  // namespace deepctl
