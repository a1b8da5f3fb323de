// Trainer checkpoints as .npz archives that NumPy reads without deepctl (docs/checkpoints.md):
//
//   theta_<t>      θ_t, the flat parameter vector of layer t (float32 or float64)
//   <state>_<t>    the update policy's buffers: velocity_<t>; adam_m_<t>, adam_v_<t>; or
//                  pid_i_<t>, pid_d_<t>, pid_gprev_<t>
//   epoch, step, updates   int64 scalars: epochs completed, minibatch steps, Adam's count k
//   anything else          state of the caller's probes, passed in as extras (deepctl train:
//                  posterior_sum, posterior_samples of a Langevin run's predictive average)
//
// Written atomically (io/npz.hpp). Taken at epoch boundaries, a checkpoint holds everything a
// run needs to continue bit-identically: the epoch's shuffle derives from (seed, epoch).
#pragma once

#include <string>

#include "deepctl/io/npz.hpp"
#include "deepctl/solver/minibatch_trainer.hpp"

namespace deepctl {

template <class S>
void save_checkpoint(const std::string& path, MinibatchTrainer<S>& trainer,
                     const NpzArchive& extras = {});

// Restores parameters, controller state and progress; throws FileError naming the file and
// the array that is missing or of the wrong size. Returns the whole archive, extras included.
template <class S>
NpzArchive load_checkpoint(const std::string& path, MinibatchTrainer<S>& trainer);

// Parameters only, checked against the problem (for evaluation).
template <class S>
Params<S> load_params(const std::string& path, const Problem<S>& problem);

}  // namespace deepctl
