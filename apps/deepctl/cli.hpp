// Shared pieces of the deepctl subcommands: argument scanning, threads, the run folder.
#pragma once

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "deepctl/config/run_config.hpp"
#include "deepctl/problem/network_spec.hpp"

namespace deepctl::cli {

int train_main(const std::vector<std::string>& args);
int eval_main(const std::vector<std::string>& args);
int study_main(const std::vector<std::string>& args);
int meanfield_main(const std::vector<std::string>& args);
int phase_diagram_main(const std::vector<std::string>& args);
int spectrum_main(const std::vector<std::string>& args);
int trainability_main(const std::vector<std::string>& args);
int compare_main(const std::vector<std::string>& args);
int sde_main(const std::vector<std::string>& args);
int noise_main(const std::vector<std::string>& args);
int hessian_main(const std::vector<std::string>& args);
int ntk_main(const std::vector<std::string>& args);
int infoplane_main(const std::vector<std::string>& args);
int sample_main(const std::vector<std::string>& args);
int ode_main(const std::vector<std::string>& args);

// What `deepctl train` did: its exit code (0 completed, 1 diverged) and the run folder.
struct TrainOutcome {
  int code = 0;
  std::string run_dir;
};
// `deepctl train` without --help: parses the arguments, trains, writes the run folder.
TrainOutcome train_command(const std::vector<std::string>& args);

// Runs `python3 -m MODULE ARGS...` with this tree's python/ on PYTHONPATH; returns its exit code.
int run_python_module(const std::string& module, const std::vector<std::string>& args);

// The process's peak resident memory so far in MB (getrusage).
double peak_rss_mb();

// Sets OpenMP's and Eigen's thread counts; 0 means all cores. Returns the count used.
int set_threads(int requested);

// v as JSON, null where it is NaN or infinite (undefined or unbounded values in outputs).
inline nlohmann::json finite_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

// The whole of `text` as a number; InputError naming `option` otherwise.
double parse_number(const std::string& option, const std::string& text);
// "LO:HI:N": N evenly spaced values from LO to HI (HI ≥ LO, 1 ≤ N ≤ 4096).
std::vector<double> parse_range(const std::string& option, const std::string& text);

// Walks a subcommand's arguments:
//   for (ArgScanner scan(args); scan.next();) {
//     if (scan.is("--out")) out = scan.value(); else if ... else scan.unknown("deepctl x");
//   }
// value(), number() and integer() take the argument after the option and name the option in
// their errors; unknown() rejects options and stray words with a hint to --help.
class ArgScanner {
 public:
  explicit ArgScanner(const std::vector<std::string>& args) : args_(args) {}
  bool next() { return ++i_ < args_.size(); }
  const std::string& arg() const { return args_[i_]; }
  bool is(const char* option) const { return arg() == option; }
  bool help() const { return is("--help") || is("-h"); }
  std::string value();
  double number();
  long integer(long lo, long hi);
  [[noreturn]] void unknown(const std::string& command) const;

 private:
  const std::vector<std::string>& args_;
  std::size_t i_ = static_cast<std::size_t>(-1);
};

// What the analysis commands (noise, hessian) look at, in float64: the network of a CONFIG.toml
// with parameters initialised from its seed, or of a RUN_DIR with its checkpoint.npz (or the
// given checkpoint), and the first `samples` rows of its training split.
struct AnalysisTarget {
  RunConfig config;
  Problem<double> problem;
  Params<double> theta;
  Mat<double> X, Y;
  Index train_size = 0;       // N of the whole training split
  std::string params_source;  // the checkpoint, or "initialised (seed S)"
};
AnalysisTarget load_analysis_target(const std::string& config_or_run_dir,
                                    const std::string& checkpoint, Index samples,
                                    const std::vector<std::string>& overrides);

// The options every analysis command shares: CONFIG.toml|RUN_DIR, --checkpoint FILE,
// --samples N, --threads T, --set key=value, --json. In the scan loop, `if (args.take(scan))
// continue;` before the command's own options; then load("deepctl noise").
struct AnalysisArgs {
  std::string target, checkpoint;
  std::vector<std::string> overrides;
  Index samples;
  int threads = -1;  // -1: the config's
  bool as_json = false;

  explicit AnalysisArgs(Index default_samples) : samples(default_samples) {}
  bool take(ArgScanner& scan);
  // Loads the target and sets the thread count; `command` names the command in errors.
  AnalysisTarget load(const std::string& command);
  int used_threads = 1;  // after load()
};

// Files of a run folder.
std::string config_path(const std::string& run_dir);
std::string checkpoint_path(const std::string& run_dir);
std::string metrics_path(const std::string& run_dir);
std::string summary_path(const std::string& run_dir);

// Stream of Rng(seed) that initialises the parameters (epochs use streams 0, 1, ...).
inline constexpr std::uint64_t kInitStream = 1ULL << 40;
// Stream of Rng(seed) for the reference MALA chain of deepctl sample --mala.
inline constexpr std::uint64_t kMalaStream = kInitStream + 1;

}  // namespace deepctl::cli
