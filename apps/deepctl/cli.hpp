// Shared pieces of the deepctl subcommands: argument scanning, threads, the run folder.
#pragma once

#include <string>
#include <vector>

#include "deepctl/config/run_config.hpp"

namespace deepctl::cli {

int train_main(const std::vector<std::string>& args);
int eval_main(const std::vector<std::string>& args);
int study_main(const std::vector<std::string>& args);
int meanfield_main(const std::vector<std::string>& args);
int phase_diagram_main(const std::vector<std::string>& args);
int spectrum_main(const std::vector<std::string>& args);
int trainability_main(const std::vector<std::string>& args);

// What `deepctl train` did: its exit code (0 completed, 1 diverged) and the run folder.
struct TrainOutcome {
  int code = 0;
  std::string run_dir;
};
// `deepctl train` without --help: parses the arguments, trains, writes the run folder.
TrainOutcome train_command(const std::vector<std::string>& args);

// Runs `python3 -m MODULE ARGS...` with this tree's python/ on PYTHONPATH; returns its exit code.
int run_python_module(const std::string& module, const std::vector<std::string>& args);

// Sets OpenMP's and Eigen's thread counts; 0 means all cores. Returns the count used.
int set_threads(int requested);

// The whole of `text` as a number; InputError naming `option` otherwise.
double parse_number(const std::string& option, const std::string& text);

// Files of a run folder.
std::string config_path(const std::string& run_dir);
std::string checkpoint_path(const std::string& run_dir);
std::string metrics_path(const std::string& run_dir);
std::string summary_path(const std::string& run_dir);

// Stream of Rng(seed) that initialises the parameters (epochs use streams 0, 1, ...).
inline constexpr std::uint64_t kInitStream = 1ULL << 40;

}  // namespace deepctl::cli
