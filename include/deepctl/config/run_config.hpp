// Run configuration: the TOML file `deepctl train` reads, its defaults, and its validation.
// docs/config.md lists every key; `deepctl train --help` summarises them.
//
// Loading is strict: an unknown key, a value of the wrong type or a bad value raises InputError
// naming the file and the key (e.g. "run.toml: train.epochs: expected an integer, got string").
// Overrides `key=value` (dotted keys, array indices as numbers: model.layers.0.width=512) are
// applied to the file's table before validation; values are read as TOML, else as strings.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "deepctl/data/dataset.hpp"
#include "deepctl/problem/network_spec.hpp"
#include "deepctl/solver/ddp.hpp"
#include "deepctl/solver/discrete_msa.hpp"
#include "deepctl/solver/entropy_sgd.hpp"
#include "deepctl/solver/gradient_trainer.hpp"
#include "deepctl/solver/msa.hpp"
#include "deepctl/solver/vanilla_ddp.hpp"

namespace deepctl {

struct DataConfig {
  std::string name = "fashion-mnist";  // fashion-mnist | digits | ib12bit | breast-cancer | wine |
                                       // iris | spirals | gaussian-mixture | teacher-student |
                                       // sine
  std::string path;                    // overrides the default file or folder of a real dataset
  std::string normalize = "standardize";
  Index train_limit = 0;        // use only the first N training rows (0: all)
  Index test_limit = 0;         // likewise for the test rows
  double test_fraction = 0.2;   // held out where the dataset has no test split
  std::int64_t split_seed = 0;  // seed of that split and of synthetic data
  Index samples = 2000;         // synthetic: number of samples
  double noise = 0.1;           // synthetic: noise level
  Index classes = 3;            // gaussian-mixture
  Index dim = 2;                // gaussian-mixture, teacher-student, sine: input dimension
  double separation = 3.0;      // gaussian-mixture: spread of the means
  Index hidden = 16;            // teacher-student: teacher width
};

struct RunConfig {
  DataConfig data;
  std::vector<LayerSpec> layers;
  std::string loss = "cross_entropy";
  double l2 = 0.0;
  double time_smoothness = 0.0;  // α/h Σ ‖θ_{t+1} − θ_t‖² over residual/hamiltonian stacks
  std::string init = "gaussian";
  double sw2 = 1.0;
  double sb2 = 0.0;
  std::string precision = "float32";  // float32 | float64
  int epochs = 10;
  Index batch_size = 128;
  std::int64_t seed = 0;
  std::string optimizer = "adam";
  double lr = 1e-3;
  double momentum = 0.9;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double weight_decay = 0.0;
  double ki = 5.0;
  double kd = 10.0;
  double u0 = 1.0;        // csgd: initial learning-rate multiplier
  double beta_min = 0.9;  // csgd, cmsgd: bounds of the adaptive averaging decay
  double beta_max = 0.99;
  double temperature = 1.0;                // sgld, psgld: posterior temperature T
  int posterior_burn_in = -1;              // sgld, psgld: first epoch of the posterior predictive
                                           // average ("posterior" lines; -1: half the epochs)
  double psgld_alpha = 0.99;               // psgld: preconditioner average α
  double psgld_lambda = 1e-5;              // psgld: preconditioner floor λ
  double adagrad_initial = 0.0;            // adagrad: the accumulator's start
  double entropy_gamma = 1e-4;             // entropy_sgd: γ₀
  double entropy_gamma_growth = 1e-3;      // entropy_sgd: γ₁ (γ_k = γ₀(1 + γ₁)^k)
  double entropy_noise = 1e-4;             // entropy_sgd: ε of the inner SGLD loop
  std::string ddp_curvature = "diagonal";  // ddp: identity | diagonal | kfac (solver/ddp.hpp)
  bool ddp_feedback = true;                // ddp: the feedback gains K (false: open loop k)
  double ddp_alpha = 0.99;                 // ddp, diagonal: α of the second-moment average
  double ddp_lambda = 1e-8;                // ddp, diagonal: λ, the floor of √v
  double ddp_damping = 1e-3;               // ddp, kfac: γ, the Tikhonov damping
  int ddp_inverse_every = 20;              // ddp, kfac: updates between the factors' inversions
  int ddp_stats_every = 1;                 // ddp, kfac: updates between the factors' statistics
  bool ddp_value_update = false;           // ddp with feedback: V_x = Q_x + Q_uxᵀk (not −p)
  bool ddp_adaptive_damping = false;       // ddp: Levenberg–Marquardt adaptation of λ or γ
  double vanilla_ddp_mu = 1.0;         // vanilla_ddp: initial and least Levenberg–Marquardt μ
  double discrete_rho = 0.5;           // discrete_msa: ρ of the step limiter
  double discrete_lambda = 1e-7;       // discrete_msa: λ, ternary sparsity price
  double discrete_alpha = 0.999;       // discrete_msa: α₀ of the moving average M
  double discrete_alpha_decay = 0.95;  // discrete_msa: 1 − α ← (1 − α)·decay per epoch
  double rho = 0.0;                    // msa: ρ of E-MSA (0: basic MSA)
  int inner_steps = 10;                // msa: inner ascent steps per layer and minibatch
  double inner_lr = 0.1;               // msa: inner ascent step
  std::string inner = "gradient";      // msa: inner optimiser, gradient | lbfgs
  double inner_perturbation = 0.0;     // msa: a, the inner start θ_t + a·U(−1, 1)
  std::string schedule = "constant";
  double gamma = 0.1;
  int step_every = 10;
  double min_lr = 0.0;
  double decay = 1e-3;
  int threads = 0;           // 0: all cores (resolved to a number in the run folder)
  Index log_every = 50;      // steps between metric lines
  int checkpoint_every = 1;  // epochs between checkpoints
  int dynamics_every = 0;    // epochs between "dynamics" metric lines (0: none)
  int infoplane_points = 0;  // "infoplane" lines at this many log-spaced epochs (0: none)
  std::string infoplane_estimator = "binning";  // binning | kde
  int infoplane_bins = 30;
  double infoplane_bin_width = 0.07;
  double infoplane_noise = 1e-3;

  NetworkSpec network(const Shape& input) const;
  TrainerOptions trainer_options() const;
  bool uses_msa() const { return optimizer == "msa"; }  // the MSA trainer instead of a policy
  bool samples_posterior() const { return optimizer == "sgld" || optimizer == "psgld"; }
  int posterior_burn_in_epochs() const {
    return posterior_burn_in >= 0 ? posterior_burn_in : epochs / 2;
  }
  bool uses_entropy_sgd() const { return optimizer == "entropy_sgd"; }    // EntropySgdTrainer
  bool uses_ddp() const { return optimizer == "ddp"; }                    // DdpTrainer
  bool uses_vanilla_ddp() const { return optimizer == "vanilla_ddp"; }    // VanillaDdpTrainer
  bool uses_discrete_msa() const { return optimizer == "discrete_msa"; }  // DiscreteMsaTrainer
  DiscreteMsaOptions discrete_msa_options() const {
    return {discrete_rho, discrete_lambda, discrete_alpha, discrete_alpha_decay};
  }
  DdpOptions ddp_options() const {
    return {DdpOptions::parse_curvature(ddp_curvature),
            ddp_feedback,
            ddp_alpha,
            ddp_lambda,
            ddp_damping,
            ddp_inverse_every,
            ddp_value_update,
            ddp_adaptive_damping,
            ddp_stats_every};
  }
  // The heavy-ball momentum m of the SGD temperature η(N/B − 1)/(1 − m): `momentum` for the
  // momentum and nesterov policies, 0 otherwise.
  double heavy_ball_momentum() const {
    return optimizer == "momentum" || optimizer == "nesterov" ? momentum : 0.0;
  }
  MsaOptions msa_options() const {
    return {rho, inner_steps, inner_lr, MsaOptions::parse_inner(inner), inner_perturbation};
  }
  EntropySgdOptions entropy_options() const {
    return {inner_steps, inner_lr, entropy_noise, entropy_gamma, entropy_gamma_growth};
  }
  Initializer initializer() const;
};

// Parses a TOML file with overrides; `source` names the file in messages.
RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides = {});
RunConfig parse_run_config(const std::string& toml_text, const std::string& source,
                           const std::vector<std::string>& overrides = {});
// The fully resolved configuration as TOML (every key, defaults included).
std::string to_toml(const RunConfig& config);

// The trainer the configuration asks for (MsaTrainer for optimizer = "msa", else a
// GradientTrainer with the configured policy), not yet initialised.
template <class S>
std::unique_ptr<MinibatchTrainer<S>> make_trainer(const RunConfig& config,
                                                  const Problem<S>& problem, const Dataset& train,
                                                  const Dataset* test);

// Loads the configured dataset: train and test splits, normalised with statistics of train.
TrainTest load_data(const DataConfig& data);

}  // namespace deepctl
