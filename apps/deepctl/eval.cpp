// deepctl eval: evaluates a run's checkpoint on its test split and prints one JSON object.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/io/checkpoint.hpp"

namespace deepctl::cli {
namespace {

constexpr const char* kHelp = R"(usage: deepctl eval RUN_DIR [--checkpoint FILE]

Rebuilds the network and data of RUN_DIR/config.toml, loads RUN_DIR/checkpoint.npz (or FILE)
and prints {"checkpoint", "test_loss", "test_accuracy", "train_loss", "train_accuracy"} as JSON.
exit codes: 0 success, 2 bad input
)";

template <class S>
nlohmann::json evaluate_run(const RunConfig& config, const std::string& checkpoint) {
  const TrainTest data = load_data(config.data);
  const Problem<S> problem = build_problem<S>(config.network(data.train.input_shape));
  const Params<S> theta = load_params(checkpoint, problem);
  const Evaluation test = evaluate(problem, theta, data.test);
  const Evaluation train = evaluate(problem, theta, data.train);
  return {{"checkpoint", checkpoint},
          {"test_loss", finite_or_null(test.loss)},
          {"test_accuracy", finite_or_null(test.accuracy)},
          {"train_loss", finite_or_null(train.loss)},
          {"train_accuracy", finite_or_null(train.accuracy)}};
}

}  // namespace

int eval_main(const std::vector<std::string>& args) {
  std::string run_dir, checkpoint;
  for (ArgScanner scan(args); scan.next();) {
    if (scan.help()) {
      std::cout << kHelp;
      return 0;
    }
    if (scan.is("--checkpoint"))
      checkpoint = scan.value();
    else if (run_dir.empty() && !scan.arg().starts_with("-"))
      run_dir = scan.arg();
    else
      scan.unknown("deepctl eval");
  }
  if (run_dir.empty()) throw InputError("give the RUN_DIR to evaluate; see deepctl eval --help");
  const RunConfig config = load_run_config(config_path(run_dir));
  if (checkpoint.empty()) checkpoint = checkpoint_path(run_dir);
  set_threads(config.threads);
  const auto out = config.precision == "float64" ? evaluate_run<double>(config, checkpoint)
                                                 : evaluate_run<float>(config, checkpoint);
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace deepctl::cli
