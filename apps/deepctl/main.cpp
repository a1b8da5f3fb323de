// deepctl: command-line entry point. Each subcommand lives in its own file.
#include <omp.h>
#include <sys/resource.h>

#include <Eigen/Core>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "cli.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/meanfield/phase_diagram.hpp"

namespace deepctl::cli {

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

int set_threads(int requested) {
  const int n = requested > 0 ? requested : omp_get_num_procs();
  omp_set_num_threads(n);
  Eigen::setNbThreads(n);
  return n;
}

double parse_number(const std::string& option, const std::string& text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty())
    throw InputError(option + ": expected a number, got '" + text + "'");
  return v;
}

std::vector<double> parse_range(const std::string& option, const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream ss(text);
  for (std::string p; std::getline(ss, p, ':');) parts.push_back(p);
  if (parts.size() != 3) throw InputError(option + ": expected LO:HI:N, got '" + text + "'");
  const double lo = parse_number(option, parts[0]), hi = parse_number(option, parts[1]);
  const double n = parse_number(option, parts[2]);
  if (n < 1 || n > 4096 || n != std::floor(n))
    throw InputError(option + ": N must be an integer from 1 to 4096, got '" + parts[2] + "'");
  if (!(hi >= lo)) throw InputError(option + ": HI must not be below LO in '" + text + "'");
  return meanfield::linspace(lo, hi, static_cast<int>(n));
}

std::string ArgScanner::value() {
  if (i_ + 1 >= args_.size()) throw InputError(arg() + " needs a value");
  return args_[++i_];
}

double ArgScanner::number() {
  const std::string option = arg();  // before value() moves on
  return parse_number(option, value());
}

long ArgScanner::integer(long lo, long hi) {
  const std::string option = arg(), text = value();
  const double v = parse_number(option, text);
  if (v < double(lo) || v > double(hi) || v != std::floor(v))
    throw InputError(option + ": expected an integer from " + std::to_string(lo) + " to " +
                     std::to_string(hi) + ", got '" + text + "'");
  return static_cast<long>(v);
}

void ArgScanner::unknown(const std::string& command) const {
  if (arg().starts_with("-"))
    throw InputError("unknown option '" + arg() + "'; see " + command + " --help");
  throw InputError("unexpected argument '" + arg() + "'; see " + command + " --help");
}

std::string config_path(const std::string& d) {
  return d + "/config.toml";
}
std::string checkpoint_path(const std::string& d) {
  return d + "/checkpoint.npz";
}
std::string metrics_path(const std::string& d) {
  return d + "/metrics.jsonl";
}
std::string summary_path(const std::string& d) {
  return d + "/summary.json";
}

}  // namespace deepctl::cli

namespace {

constexpr const char* kUsage = R"(usage: deepctl <command> [options]

deepctl treats a deep network as a controlled dynamical system x_{t+1} = f_t(x_t, theta_t)
and trains it as an optimal-control problem (the costate pass is back-propagation).

commands:
  study CONFIG.toml [--set key=value ...] [--out RUN_DIR]   train, then write RUN_DIR/report.html
  train CONFIG.toml [--set key=value ...] [--out RUN_DIR]   train a network, write a run folder
  train --resume RUN_DIR                                     continue an interrupted run
  eval RUN_DIR [--checkpoint FILE]                           evaluate a checkpoint on the test split
  compare CONFIG.toml --optimizers sgd,adam,pid,msa --seeds N
                                                             optimisers side by side over seeds
  meanfield --activation A --sw2 X --sb2 Y [--json]          mean-field fixed points, depth scales, phase
  meanfield --activation A --sb2 Y --critical [--json]       the critical sw2
  phase-diagram [--activation A] [--sw2 LO:HI:N] [--sb2 LO:HI:N] [--out DIR]
                                                             order-chaos grid: CSV and heatmap
  spectrum --activation A [--sw2 X] [--sb2 Y] [--depth L] [--width N] [--weights W]
                                                             Jacobian spectrum vs free probability
  trainability [--sw2 LO:HI:N] [--depths L1,L2,...] [--out DIR]
                                                             trainable depth vs 6 xi_c (resumable)
  sde [--table sme|network|schemes|all] [--json]             SGD vs its SMEs; SDE schemes' orders
  noise CONFIG.toml|RUN_DIR [--samples N] [--json]           gradient-noise covariance, SNR, alpha
  hessian CONFIG.toml|RUN_DIR [--top K] [--density G] [--json]
                                                             Hessian / Gauss-Newton spectrum
  ntk CONFIG.toml|RUN_DIR [--samples N] [--steps K] [--json] empirical NTK; kernel vs actual GD
  infoplane CONFIG.toml [--out RUN_DIR] [--json]             train, recording the information plane
  sample CONFIG.toml [--burn-in E] [--mala STEPS] [--json]   SGLD posterior predictive vs point estimate
  ode [--iters N] [--solver S] [--gradient G] [--out DIR]    Neural ODE spiral demo (adjoint, NFE)

Run 'deepctl <command> --help' for a command's options. Exit codes: 0 success, 1 training
diverged, 2 bad input (one line on stderr names the problem).
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "deepctl " << DEEPCTL_VERSION << "\n";
    return 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "train") return deepctl::cli::train_main(args);
    if (command == "eval") return deepctl::cli::eval_main(args);
    if (command == "study") return deepctl::cli::study_main(args);
    if (command == "meanfield") return deepctl::cli::meanfield_main(args);
    if (command == "phase-diagram") return deepctl::cli::phase_diagram_main(args);
    if (command == "spectrum") return deepctl::cli::spectrum_main(args);
    if (command == "trainability") return deepctl::cli::trainability_main(args);
    if (command == "compare") return deepctl::cli::compare_main(args);
    if (command == "sde") return deepctl::cli::sde_main(args);
    if (command == "noise") return deepctl::cli::noise_main(args);
    if (command == "hessian") return deepctl::cli::hessian_main(args);
    if (command == "ntk") return deepctl::cli::ntk_main(args);
    if (command == "infoplane") return deepctl::cli::infoplane_main(args);
    if (command == "sample") return deepctl::cli::sample_main(args);
    if (command == "ode") return deepctl::cli::ode_main(args);
    std::cerr << "deepctl: unknown command '" << command << "'; run 'deepctl --help'\n";
    return 2;
  } catch (const deepctl::InputError& e) {
    std::cerr << "deepctl " << command << ": error: " << e.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << "deepctl " << command << ": error: invalid value (" << e.what() << ")\n";
    return 2;
  } catch (const std::out_of_range& e) {
    std::cerr << "deepctl " << command << ": error: value out of range (" << e.what() << ")\n";
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {  // e.g. an --out folder not creatable
    std::cerr << "deepctl " << command << ": error: " << e.what() << "\n";
    return 2;
  }
}
