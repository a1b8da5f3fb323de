// The network, parameters and data the analysis commands (deepctl noise, deepctl hessian) read.
#include <filesystem>
#include <numeric>

#include "cli.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/io/checkpoint.hpp"

namespace deepctl::cli {

AnalysisTarget load_analysis_target(const std::string& config_or_run_dir,
                                    const std::string& checkpoint, Index samples,
                                    const std::vector<std::string>& overrides) {
  const bool run_dir = std::filesystem::is_directory(config_or_run_dir);
  RunConfig config =
      load_run_config(run_dir ? config_path(config_or_run_dir) : config_or_run_dir, overrides);
  const TrainTest data = load_data(config.data);
  if (samples < 2 || samples > data.train.size())
    throw InputError("--samples: expected 2 to " + std::to_string(data.train.size()) +
                     " (the training split's size), got " + std::to_string(samples));
  Problem<double> problem = build_problem<double>(config.network(data.train.input_shape));
  std::string source =
      checkpoint.empty() && run_dir ? checkpoint_path(config_or_run_dir) : checkpoint;
  Params<double> theta = source.empty() ? problem.init_params(Rng(config.seed).split(kInitStream),
                                                              config.initializer())
                                        : load_params(source, problem);
  if (source.empty()) source = "initialised (seed " + std::to_string(config.seed) + ")";
  std::vector<Index> rows(samples);
  std::iota(rows.begin(), rows.end(), Index(0));
  Mat<double> X, Y;
  gather(data.train, rows, 0, samples, X, Y);
  return {std::move(config), std::move(problem), std::move(theta), std::move(X),
          std::move(Y),      data.train.size(),  std::move(source)};
}

bool AnalysisArgs::take(ArgScanner& scan) {
  if (scan.is("--checkpoint"))
    checkpoint = scan.value();
  else if (scan.is("--samples"))
    samples = scan.integer(2, 1000000);
  else if (scan.is("--threads"))
    threads = static_cast<int>(scan.integer(0, 1024));
  else if (scan.is("--set"))
    overrides.push_back(scan.value());
  else if (scan.is("--json"))
    as_json = true;
  else if (target.empty() && !scan.arg().starts_with("-"))
    target = scan.arg();
  else
    return false;
  return true;
}

AnalysisTarget AnalysisArgs::load(const std::string& command) {
  if (target.empty()) throw InputError("give a CONFIG.toml or RUN_DIR; see " + command + " --help");
  AnalysisTarget t = load_analysis_target(target, checkpoint, samples, overrides);
  used_threads = set_threads(threads >= 0 ? threads : t.config.threads);
  return t;
}

}  // namespace deepctl::cli
