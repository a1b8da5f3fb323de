// deepctl train: trains the configured network and writes a run folder
//   RUN_DIR/config.toml      the resolved configuration (every key, threads resolved)
//   RUN_DIR/metrics.jsonl    one JSON object per line: kind "step" every log_every steps
//                            (loss, grad_norm, lr), kind "layers" at the same steps (per-layer
//                            weight_rms, grad_rms, activation_mean, activation_std and
//                            costate_rms on a fixed probe batch of the first 256 training
//                            samples: problem/layer_statistics.hpp) and kind "epoch"
//                            (train_loss, test_loss, test_accuracy; with ODE blocks, `ode`: per
//                            block the evaluations of its field per forward pass and per
//                            costate pass and the rejected steps, over the epoch); with
//                            train.dynamics_every
//                            = k > 0, kind "dynamics" at the start and every k epochs (SGD's
//                            gradient noise and the sharpness on the first 128 training
//                            samples, in float64: dynamics_line below); with
//                            train.infoplane_points = K > 0, kind "infoplane" at epoch 0 and K
//                            log-spaced epochs (per layer I(X;T), I(T;Y): InfoPlaneProbe below);
//                            with train.optimizer sgld or psgld, kind "posterior" each epoch
//                            from train.posterior_burn_in on (PosteriorProbe below);
//                            each with epoch, step and wall_time in seconds
//   RUN_DIR/checkpoint.npz   the last checkpoint (io/checkpoint.hpp), written atomically
//   RUN_DIR/summary.json     status, message, final metrics, wall time, throughput, peak memory
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/infoplane/plane.hpp"
#include "deepctl/io/checkpoint.hpp"
#include "deepctl/layer/ode_block.hpp"
#include "deepctl/problem/layer_statistics.hpp"
#include "deepctl/sde/gradient_noise.hpp"
#include "deepctl/solver/discrete_msa.hpp"
#include "deepctl/solver/posterior.hpp"
#include "deepctl/spectrum/hessian.hpp"

namespace deepctl::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kHelp =
    R"(usage: deepctl train CONFIG.toml [--set key=value ...] [--out RUN_DIR]
       deepctl train --resume RUN_DIR

Trains the network described by CONFIG.toml with the gradient-adjoint trainer and writes
RUN_DIR (default runs/<config name>): config.toml, metrics.jsonl, checkpoint.npz, summary.json.
A folder that already holds a run is never overwritten: resume it or choose another --out.

options:
  --set key=value   override a config key (dotted, e.g. train.lr=0.01, model.layers.0.width=512)
  --out RUN_DIR     where to write the run
  --resume RUN_DIR  continue from RUN_DIR/checkpoint.npz with RUN_DIR/config.toml; the run ends
                    with the same parameters as one that was never interrupted

config sections (docs/config.md lists every key and default):
  [data]   name = fashion-mnist | digits | ib12bit | breast-cancer | wine | iris | spirals |
           gaussian-mixture | teacher-student,
           path, normalize = standardize | center | none, train_limit, test_limit, test_fraction,
           split_seed, samples, noise, classes, dim, separation, hidden
  [model]  loss = cross_entropy | squared_error, l2, time_smoothness, init = gaussian |
           orthogonal | he | glorot, sw2, sb2, [[model.layers]] with type = dense | residual |
           conv2d | maxpool | avgpool | flatten | hamiltonian | ode, width, channels, kernel,
           stride, padding, step, activation, weights = real | binary | ternary (dense);
           ode: time, steps, solver = euler | midpoint | rk4 | bs3 | dopri5, rtol, atol,
           gradient = discrete | checkpointed | adjoint, field = dense | antisymmetric | mlp, gamma
  [train]  precision = float32 | float64, epochs, batch_size, seed, optimizer = sgd | momentum |
           nesterov | adam | adagrad | pid | csgd | cmsgd | sgld | psgld | entropy_sgd | msa |
           discrete_msa | ddp | vanilla_ddp, lr, momentum, beta1, beta2, epsilon, weight_decay, ki,
           kd, u0, beta_min, beta_max, temperature, posterior_burn_in, psgld_alpha, psgld_lambda,
           adagrad_initial, entropy_gamma, entropy_gamma_growth, entropy_noise, rho, inner_steps,
           inner_lr, inner = gradient | lbfgs, inner_perturbation, discrete_rho, discrete_lambda,
           discrete_alpha, discrete_alpha_decay, ddp_curvature = identity | diagonal | kfac,
           ddp_feedback, ddp_alpha, ddp_lambda, ddp_damping, ddp_inverse_every, ddp_stats_every,
           ddp_value_update, ddp_adaptive_damping (Levenberg–Marquardt λ or γ),
           vanilla_ddp_mu (optimizer vanilla_ddp: float64, tiny networks),
           schedule = constant | step | cosine | inverse_time, gamma, step_every, min_lr, decay,
           threads (0: all cores), log_every, checkpoint_every, dynamics_every,
           infoplane_points, infoplane_estimator, infoplane_bins, infoplane_bin_width,
           infoplane_noise

activations: linear, tanh, relu, leaky_relu[:slope], erf, hard_tanh, sigmoid, softplus, gelu
exit codes: 0 completed, 1 diverged (the last finite checkpoint is kept), 2 bad input
)";

struct Args {
  std::string config, out, resume;
  std::vector<std::string> overrides;
};

Args parse_args(const std::vector<std::string>& args) {
  Args a;
  for (ArgScanner scan(args); scan.next();) {
    if (scan.is("--set"))
      a.overrides.push_back(scan.value());
    else if (scan.is("--out"))
      a.out = scan.value();
    else if (scan.is("--resume"))
      a.resume = scan.value();
    else if (a.config.empty() && !scan.arg().starts_with("-"))
      a.config = scan.arg();
    else
      scan.unknown("deepctl train");
  }
  if (a.resume.empty() == a.config.empty())
    throw InputError("give either CONFIG.toml or --resume RUN_DIR; see deepctl train --help");
  if (!a.resume.empty() && (!a.overrides.empty() || !a.out.empty()))
    throw InputError("--resume takes the run's own config; --set and --out do not apply");
  return a;
}

// Keeps the metric lines a checkpoint at `step` covers; returns the wall time they reached.
double truncate_metrics(const std::string& path, long step) {
  std::ifstream in(path);
  std::string kept, line;
  double wall = 0;
  while (std::getline(in, line)) {
    const json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("step") || j["step"].get<long>() > step) continue;
    wall = j.value("wall_time", wall);
    kept += line + "\n";
  }
  write_file_atomic(path, kept);
  return wall;
}

class Progress {
 public:
  Progress(int epochs, Index steps_per_epoch)
      : epochs_(epochs), per_epoch_(steps_per_epoch), tty_(::isatty(STDERR_FILENO)) {}
  void step(const StepReport& r) {
    if (!tty_) return;
    const Index done = (r.step - 1) % per_epoch_ + 1;
    if (done % 5 != 0 && done != per_epoch_) return;
    const int width = 30, filled = static_cast<int>(width * done / per_epoch_);
    std::cerr << "\repoch " << r.epoch + 1 << "/" << epochs_ << " [" << std::string(filled, '#')
              << std::string(width - filled, '.') << "] " << done << "/" << per_epoch_ << " loss "
              << r.loss << "   " << std::flush;
  }
  void epoch_done() {
    if (tty_) std::cerr << "\r" << std::string(80, ' ') << "\r";
  }

 private:
  int epochs_;
  Index per_epoch_;
  bool tty_;
};

// The "dynamics" metric line: SGD's gradient noise (sde/gradient_noise.hpp) and the sharpness,
// the top Hessian eigenvalue (spectrum/hessian.hpp, 20 Lanczos steps), at θ on (X, Y); with the
// SGD temperature g = lr (N/B − 1)/(1 − m) and the noise floor (lr/4B) tr Σ, the expected excess
// loss of constant-rate SGD near a minimum (REFERENCE F17, F18).
json dynamics_line(const RunConfig& config, const Problem<double>& problem,
                   const Params<double>& theta, const Mat<double>& X, const Mat<double>& Y,
                   Index train_size, int threads) {
  sde::NoiseOptions options;
  options.batch = std::min<Index>(config.batch_size, X.rows());
  options.minibatches = 50;
  options.top = 1;
  options.threads = threads;
  const sde::NoiseStatistics noise = sde::gradient_noise(problem, theta, X, Y, options);
  spectrum::Curvature curvature(problem, theta, X, Y, threads);
  const double sharpness =
      spectrum::top_eigenvalues(curvature.hessian_operator(), curvature.dim(), 1, 20, 0)[0];
  json snr = json::array();
  for (const sde::LayerNoise& layer : noise.layers) snr.push_back(finite_or_null(layer.snr));
  return {{"kind", "dynamics"},
          {"probe_samples", X.rows()},
          {"batch", options.batch},
          {"loss", finite_or_null(noise.loss)},
          {"mean_gradient_norm", noise.mean_gradient.norm()},
          {"covariance_trace", noise.covariance_trace},
          {"top_noise_eigenvalue", noise.top_eigenvalues[0]},
          {"effective_rank", noise.effective_rank},
          {"tail_index", finite_or_null(noise.tail_index)},
          {"tail_batch", noise.tail_batch},
          {"snr", snr},
          {"sharpness", sharpness},
          {"noise_scale",
           sde::noise_scale(config.lr, train_size, std::min<Index>(config.batch_size, train_size),
                            config.heavy_ball_momentum())},
          {"sgd_noise_floor",
           config.lr / (4.0 * static_cast<double>(options.batch)) * noise.covariance_trace}};
}

// The "infoplane" lines: the whole dataset (train rows, then test rows, at most 4096) as the
// enumerated inputs, in float64, at epoch 0 and at `points` log-spaced epochs up to `epochs`;
// beside each layer's point, the norms of the mean and of the standard deviation of its
// minibatch gradient on the training rows (‖ḡ_t‖ and √(tr Σ_t / B)), whose ratio falls when
// training passes from drift to diffusion (Shwartz-Ziv & Tishby).
struct InfoPlaneProbe {
  Mat<double> X, train_X, train_Y;
  Index batch = 1;
  std::vector<int> labels;
  std::vector<std::string> activations;
  std::vector<int> epochs;  // ascending, without repeats
  infoplane::PlaneOptions options;

  InfoPlaneProbe(const RunConfig& config, const TrainTest& data) {
    options = {config.infoplane_estimator, config.infoplane_bins, config.infoplane_bin_width,
               config.infoplane_noise};
    const Index from_train = std::min<Index>(4096, data.train.size());
    const Index from_test = std::min<Index>(4096 - from_train, data.test.size());
    X.resize(from_train + from_test, data.train.inputs.cols());
    X.topRows(from_train) = data.train.inputs.topRows(from_train).cast<double>();
    X.bottomRows(from_test) = data.test.inputs.topRows(from_test).cast<double>();
    labels = class_labels(data.train);
    labels.resize(from_train);
    const std::vector<int> test_labels = class_labels(data.test);
    labels.insert(labels.end(), test_labels.begin(), test_labels.begin() + from_test);
    for (const LayerSpec& layer : config.layers) activations.push_back(layer.activation);
    train_X = X.topRows(from_train);
    train_Y = data.train.targets.topRows(from_train).cast<double>();
    batch = std::min<Index>(config.batch_size, from_train);
    for (int k = 0; k < config.infoplane_points; ++k) {
      const double e =
          std::pow(std::max(config.epochs, 1),
                   config.infoplane_points == 1 ? 1.0 : k / (config.infoplane_points - 1.0));
      const int epoch = std::max(1, static_cast<int>(std::lround(e)));
      if (epochs.empty() || epoch > epochs.back()) epochs.push_back(epoch);
    }
  }
  bool due(int epoch) const { return std::binary_search(epochs.begin(), epochs.end(), epoch); }

  json line(const Problem<double>& problem, const Params<double>& theta) const {
    const std::vector<infoplane::LayerPlane> plane =
        infoplane::information_plane(problem, theta, X, labels, activations, options);
    const std::vector<sde::LayerNoise> noise =
        sde::layer_noise(problem, sde::gradient_moments(problem, theta, train_X, train_Y), batch);
    json layers = json::array();
    for (std::size_t t = 0; t < plane.size(); ++t)
      layers.push_back(
          {{"i_xt", plane[t].i_xt},
           {"i_ty", plane[t].i_ty},
           {"i_xt_lower", plane[t].i_xt_lower},
           {"grad_mean", noise[t].mean_gradient_norm},
           {"grad_std", std::sqrt(noise[t].noise_trace / static_cast<double>(batch))}});
    return {{"kind", "infoplane"},
            {"estimator", options.estimator},
            {"bins", options.bins},
            {"bin_width", options.bin_width},
            {"noise_variance", options.noise_variance},
            {"samples", X.rows()},
            {"layers", layers}};
  }
};

// The "posterior" lines of a Langevin run: from the burn-in epoch on, each epoch's iterate adds
// its softmax outputs on the test split to the posterior predictive average
// (solver/posterior.hpp); a line scores the average and the iterate alone (accuracy, NLL, ECE
// over 15 bins), and the last epoch's adds both reliability diagrams. The running sum travels in
// the checkpoint (posterior_sum, posterior_samples), so a resumed run writes the same lines.
template <class S>
struct PosteriorProbe {
  static constexpr int kBins = 15;
  PredictiveAverage<S> average;
  int burn_in;

  PosteriorProbe(const RunConfig& config, const Problem<S>& problem, const Dataset& test)
      : average(problem, test), burn_in(config.posterior_burn_in_epochs()) {}

  json score(const Mat<double>& P, bool with_bins) const {
    const PredictiveScore s = score_predictions(P, average.labels(), kBins);
    json out{{"accuracy", s.accuracy}, {"nll", s.nll}, {"ece", s.ece}};
    if (with_bins) {
      json bins = json::array();
      for (const ReliabilityBin& b : reliability_bins(P, average.labels(), kBins))
        bins.push_back(
            {{"count", b.count}, {"confidence", b.confidence}, {"accuracy", b.accuracy}});
      out["reliability"] = bins;
    }
    return out;
  }

  json line(const Params<S>& theta, bool last) {
    const Mat<double> iterate = average.add(theta);  // one forward pass serves both scores
    return {{"kind", "posterior"},
            {"burn_in", burn_in},
            {"samples", average.samples()},
            {"predictive", score(average.probabilities(), last)},
            {"iterate", score(iterate, last)}};
  }

  NpzArchive state() const {
    const Mat<double>& sum = average.sum();
    return {{"posterior_sum",
             NpyArray::from_vector<double>(Eigen::Map<const Vec<double>>(sum.data(), sum.size()))},
            {"posterior_samples", NpyArray::scalar_int(average.samples())}};
  }

  void restore(const NpzArchive& z, const std::string& path) {
    const auto sum = z.find("posterior_sum"), samples = z.find("posterior_samples");
    if (sum == z.end() || samples == z.end())
      throw FileError(path +
                      ": a Langevin run's checkpoint needs posterior_sum and "
                      "posterior_samples (the posterior predictive average)");
    const Vec<double> flat = sum->second.to_vector<double>(path + ":posterior_sum");
    const Mat<double>& shape = average.sum();
    if (flat.size() != shape.size())
      throw FileError(path + ": posterior_sum has " + std::to_string(flat.size()) +
                      " values, the test split needs " + std::to_string(shape.size()));
    average.restore(Eigen::Map<const Mat<double>>(flat.data(), shape.rows(), shape.cols()),
                    samples->second.to_int(path + ":posterior_samples"));
  }
};

template <class S>
int run(const RunConfig& config, const std::string& run_dir, bool resume) {
  const auto start = std::chrono::steady_clock::now();
  const TrainTest data = load_data(config.data);
  const Problem<S> problem = build_problem<S>(config.network(data.train.input_shape));
  const auto trainer_ptr = make_trainer<S>(config, problem, data.train, &data.test);
  MinibatchTrainer<S>& trainer = *trainer_ptr;
  double wall_offset = 0;
  std::optional<PosteriorProbe<S>> posterior_probe;
  if (config.samples_posterior()) posterior_probe.emplace(config, problem, data.test);
  if (!resume) {  // only once data, network and trainer are known to work: no empty run folders
    fs::create_directories(run_dir);
    write_file_atomic(config_path(run_dir), to_toml(config));
  }
  if (resume) {
    const NpzArchive saved = load_checkpoint(checkpoint_path(run_dir), trainer);
    if (posterior_probe) posterior_probe->restore(saved, checkpoint_path(run_dir));
    wall_offset = truncate_metrics(metrics_path(run_dir), trainer.steps());
    std::cout << "resuming " << run_dir << " at epoch " << trainer.epoch() << ", step "
              << trainer.steps() << "\n";
  } else {
    trainer.init(problem.init_params(Rng(config.seed).split(kInitStream), config.initializer()));
  }
  std::cout << "network: ";
  for (Index t = 0; t < problem.num_layers(); ++t)
    std::cout << (t ? " -> " : "") << problem.layer(t).describe();
  std::cout << "\nparameters: " << problem.num_params() << ", train " << data.train.size()
            << ", test " << data.test.size() << ", " << config.precision << "\n";

  std::ofstream metrics(metrics_path(run_dir), std::ios::app);
  auto wall = [&] {
    return wall_offset +
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  Progress progress(config.epochs, trainer.steps_per_epoch());
  const long first_step = trainer.steps();
  Mat<S> probe_X, probe_Y;
  std::vector<Index> probe_rows(std::min<Index>(256, data.train.size()));
  for (Index i = 0; i < Index(probe_rows.size()); ++i) probe_rows[i] = i;
  gather(data.train, probe_rows, 0, Index(probe_rows.size()), probe_X, probe_Y);
  auto layers_line = [&](const StepReport& r) {
    json layers = json::array();
    for (const auto& st : layer_statistics<S>(problem, trainer.params(), probe_X, probe_Y))
      layers.push_back(json{{"weight_rms", st.weight_rms},
                            {"grad_rms", st.grad_rms},
                            {"activation_mean", st.activation_mean},
                            {"activation_std", st.activation_std},
                            {"costate_rms", st.costate_rms}});
    return json{{"kind", "layers"},
                {"epoch", r.epoch + 1},
                {"step", r.step},
                {"layers", layers},
                {"wall_time", wall()}};
  };
  // The float64 twin of the network for the "dynamics" lines.
  const Problem<double> analysis = build_problem<double>(config.network(data.train.input_shape));
  const Index dynamics_rows = std::min<Index>(128, data.train.size());
  const Mat<double> dynamics_X = probe_X.topRows(dynamics_rows).template cast<double>();
  const Mat<double> dynamics_Y = probe_Y.topRows(dynamics_rows).template cast<double>();
  auto params_as_double = [&] {
    Params<double> theta;
    for (const Vec<S>& part : trainer.params()) theta.push_back(part.template cast<double>());
    return theta;
  };
  auto write_line = [&](json line, int epoch, long step) {
    line["epoch"] = epoch;
    line["step"] = step;
    line["wall_time"] = wall();
    metrics << line.dump() << "\n";
  };
  auto write_dynamics = [&](int epoch, long step) {
    write_line(dynamics_line(config, analysis, params_as_double(), dynamics_X, dynamics_Y,
                             data.train.size(), config.threads),
               epoch, step);
  };
  if (config.dynamics_every > 0 && !resume) write_dynamics(0, trainer.steps());
  std::optional<InfoPlaneProbe> infoplane_probe;  // only when asked: it copies the dataset
  if (config.infoplane_points > 0) infoplane_probe.emplace(config, data);
  auto write_infoplane = [&](int epoch, long step) {
    write_line(infoplane_probe->line(analysis, params_as_double()), epoch, step);
  };
  if (infoplane_probe && !resume) write_infoplane(0, trainer.steps());
  Callbacks callbacks;
  callbacks.on_step = [&](const StepReport& r) {
    progress.step(r);
    if (r.step % config.log_every == 0)
      metrics << json{{"kind", "step"},     {"epoch", r.epoch + 1},     {"step", r.step},
                      {"loss", r.loss},     {"grad_norm", r.grad_norm}, {"lr", r.lr},
                      {"wall_time", wall()}}
                     .dump()
              << "\n"
              << layers_line(r).dump() << "\n";
    return true;
  };
  // The ODE blocks' evaluation counts at the last epoch boundary (they count from construction).
  std::vector<std::pair<Index, const OdeBlock<S>*>> ode_blocks;
  for (Index t = 0; t < problem.num_layers(); ++t)
    if (const auto* block = dynamic_cast<const OdeBlock<S>*>(&problem.layer(t)))
      ode_blocks.emplace_back(t, block);
  std::vector<OdeCounts> ode_before(ode_blocks.size());
  auto ode_epoch = [&] {
    json blocks = json::array();
    for (std::size_t i = 0; i < ode_blocks.size(); ++i) {
      const OdeCounts now = ode_blocks[i].second->counts(), &was = ode_before[i];
      const double passes = double(now.forward_passes - was.forward_passes),
                   costate_passes = double(now.backward_passes - was.backward_passes);
      blocks.push_back(
          {{"layer", ode_blocks[i].first},
           {"nfe_forward",
            passes > 0 ? (now.forward_evaluations - was.forward_evaluations) / passes : 0.0},
           {"nfe_backward",
            costate_passes > 0
                ? (now.backward_evaluations - was.backward_evaluations) / costate_passes
                : 0.0},
           {"rejected_per_pass",
            passes > 0 ? (now.rejected_steps - was.rejected_steps) / passes : 0.0}});
      ode_before[i] = now;
    }
    return blocks;
  };
  EpochReport last;
  callbacks.on_epoch = [&](const EpochReport& e) {
    progress.epoch_done();
    last = e;
    json epoch_line{{"kind", "epoch"},
                    {"epoch", e.epoch},
                    {"step", e.step},
                    {"train_loss", e.train_loss},
                    {"test_loss", finite_or_null(e.test.loss)},
                    {"test_accuracy", finite_or_null(e.test.accuracy)},
                    {"wall_time", wall()}};
    if (!ode_blocks.empty()) epoch_line["ode"] = ode_epoch();
    metrics << epoch_line.dump() << std::endl;
    if (config.dynamics_every > 0 && e.epoch % config.dynamics_every == 0)
      write_dynamics(e.epoch, e.step);
    if (infoplane_probe && infoplane_probe->due(e.epoch)) write_infoplane(e.epoch, e.step);
    if (posterior_probe && e.epoch >= posterior_probe->burn_in)
      write_line(posterior_probe->line(trainer.params(), e.epoch == config.epochs), e.epoch,
                 e.step);
    std::cout << "epoch " << e.epoch << "/" << config.epochs << "  train_loss " << e.train_loss
              << "  test_loss " << e.test.loss << "  test_accuracy " << e.test.accuracy << "  ("
              << wall() << " s)" << std::endl;
    // Every line up to this epoch is in the file before the checkpoint that vouches for it.
    metrics.flush();
    if (e.epoch % config.checkpoint_every == 0 || e.epoch == config.epochs)
      save_checkpoint(checkpoint_path(run_dir), trainer,
                      posterior_probe ? posterior_probe->state() : NpzArchive{});
    return true;
  };
  const TrainResult result = trainer.solve(callbacks);
  progress.epoch_done();
  const double seconds = wall();
  const double run_seconds = seconds - wall_offset;
  const long steps_this_run = trainer.steps() - first_step;
  if (result.status != TrainStatus::Completed || last.epoch == 0)
    last.test = evaluate(problem, trainer.params(), data.test);
  json summary{{"status", status_name(result.status)},
               {"message", result.message},
               {"epochs", trainer.epoch()},
               {"steps", trainer.steps()},
               {"parameters", problem.num_params()},
               {"test_loss", finite_or_null(last.test.loss)},
               {"test_accuracy", finite_or_null(last.test.accuracy)},
               {"wall_time", seconds},
               {"samples_per_second",
                run_seconds > 0 ? steps_this_run * double(config.batch_size) / run_seconds : 0.0},
               {"peak_rss_mb", peak_rss_mb()}};
  if (const double nonzero = discrete_nonzero_fraction(problem, trainer.params());
      std::isfinite(nonzero))
    summary["nonzero_weight_fraction"] = nonzero;  // binary/ternary dense layers
  if (result.status == TrainStatus::Diverged)
    summary["checkpoint"] = fs::exists(checkpoint_path(run_dir))
                                ? json("checkpoint.npz holds the last finite parameters")
                                : json(nullptr);
  write_file_atomic(summary_path(run_dir), summary.dump(2) + "\n");
  std::cout << result.message << "\nrun folder: " << run_dir << "\n";
  if (result.status == TrainStatus::Diverged) {
    std::cerr << "deepctl train: " << result.message << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int train_main(const std::vector<std::string>& argv) {
  for (const auto& a : argv)
    if (a == "--help" || a == "-h") {
      std::cout << kHelp;
      return 0;
    }
  return train_command(argv).code;
}

TrainOutcome train_command(const std::vector<std::string>& argv) {
  const Args args = parse_args(argv);
  RunConfig config;
  std::string run_dir;
  if (!args.resume.empty()) {
    run_dir = args.resume;
    if (!fs::exists(checkpoint_path(run_dir)))
      throw FileError(checkpoint_path(run_dir) + ": no checkpoint to resume from");
    config = load_run_config(config_path(run_dir));
  } else {
    config = load_run_config(args.config, args.overrides);
    run_dir = args.out.empty() ? "runs/" + fs::path(args.config).stem().string() : args.out;
    if (fs::exists(config_path(run_dir)))
      throw InputError(run_dir + " already holds a run; resume it with --resume " + run_dir +
                       " or choose another --out");
    config.threads = set_threads(config.threads);
  }
  set_threads(config.threads);
  const bool resume = !args.resume.empty();
  return {config.precision == "float64" ? run<double>(config, run_dir, resume)
                                        : run<float>(config, run_dir, resume),
          run_dir};
}

}  // namespace deepctl::cli
