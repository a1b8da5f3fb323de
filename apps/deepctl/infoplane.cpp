// deepctl infoplane: trains like `deepctl train` with the information plane recorded
// ("infoplane" metric lines, infoplane/plane.hpp), then prints per layer how I(X;T) rose and
// fell (fitting and compression, REFERENCE F21) and draws RUN_DIR/figures/infoplane.png and
// gradient_phases.png.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "deepctl/core/error.hpp"

namespace deepctl::cli {
namespace {

using nlohmann::json;

constexpr const char* kHelp =
    R"(usage: deepctl infoplane CONFIG.toml [--set key=value ...] [--out RUN_DIR] [--json]

Trains CONFIG.toml exactly as 'deepctl train' does, recording every layer's information-plane
point (I(X;T), I(T;Y)) in bits on the whole dataset (train rows, then test rows, at most 4096)
at epoch 0 and at train.infoplane_points log-spaced epochs (40 when the config sets none), with
train.infoplane_estimator (binning: 30 edges over a bounded activation's range, cells of 0.07
otherwise; or kde). Then prints per layer I(X;T) at the start, its peak and epoch, at the end,
the compression end/peak (below 1: the layer compressed), and I(T;Y) at the end; writes
RUN_DIR/figures/infoplane.png (.svg): the plane coloured by epoch, one curve per layer, and
gradient_phases.png: per layer the norms of the minibatch gradient's mean and std.
Example: deepctl infoplane examples/ib12bit_tanh.toml --out runs/ib-tanh
exit codes: 0 done, 1 training diverged or the figure failed, 2 bad input
)";

}  // namespace

int infoplane_main(const std::vector<std::string>& argv) {
  std::vector<std::string> train_args;
  std::string config_path_arg;
  std::vector<std::string> overrides;
  bool as_json = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "--help" || argv[i] == "-h") {
      std::cout << kHelp;
      return 0;
    }
    if (argv[i] == "--json") {
      as_json = true;
      continue;
    }
    if (argv[i] == "--resume")
      throw InputError("deepctl infoplane does not resume; use deepctl train --resume");
    if (argv[i] == "--set" && i + 1 < argv.size()) overrides.push_back(argv[i + 1]);
    if (config_path_arg.empty() && !argv[i].starts_with("-") &&
        (i == 0 || (argv[i - 1] != "--set" && argv[i - 1] != "--out")))
      config_path_arg = argv[i];
    train_args.push_back(argv[i]);
  }
  if (config_path_arg.empty())
    throw InputError("give the CONFIG.toml to train; see deepctl infoplane --help");
  if (load_run_config(config_path_arg, overrides).infoplane_points == 0) {
    train_args.push_back("--set");
    train_args.push_back("train.infoplane_points=40");
  }
  const TrainOutcome trained = train_command(train_args);
  std::vector<json> records;
  {
    std::ifstream in(metrics_path(trained.run_dir));
    for (std::string line; std::getline(in, line);) {
      json j = json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.value("kind", "") == "infoplane") records.push_back(std::move(j));
    }
  }
  if (records.empty()) throw InputError(trained.run_dir + ": no infoplane lines were written");
  json layers = json::array();
  const std::size_t count = records.front()["layers"].size();
  for (std::size_t t = 0; t < count; ++t) {
    double peak = -1;
    int peak_epoch = 0;
    for (const json& r : records) {
      const double v = r["layers"][t]["i_xt"].get<double>();
      if (v > peak) peak = v, peak_epoch = r["epoch"].get<int>();
    }
    const json& first = records.front()["layers"][t];
    const json& last = records.back()["layers"][t];
    const double end = last["i_xt"].get<double>();
    layers.push_back({{"layer", t},
                      {"i_xt_start", first["i_xt"]},
                      {"i_xt_peak", peak},
                      {"peak_epoch", peak_epoch},
                      {"i_xt_end", end},
                      {"compression", peak > 0 ? end / peak : 1.0},
                      {"i_ty_end", last["i_ty"]}});
  }
  const json out = {{"run_dir", trained.run_dir},
                    {"estimator", records.front()["estimator"]},
                    {"points", records.size()},
                    {"layers", layers}};
  const int figure = run_python_module("deepctl.figures", {"infoplane", trained.run_dir});
  if (as_json) {
    std::cout << out.dump() << "\n";
  } else {
    std::printf("information plane (%s, %zu points), bits\n%6s %10s %10s %8s %10s %12s %10s\n",
                out["estimator"].get<std::string>().c_str(), records.size(), "layer", "I(X;T) 0",
                "peak", "epoch", "end", "end/peak", "I(T;Y) end");
    for (const json& l : layers)
      std::printf("%6d %10.3f %10.3f %8d %10.3f %12.3f %10.3f\n", l["layer"].get<int>(),
                  l["i_xt_start"].get<double>(), l["i_xt_peak"].get<double>(),
                  l["peak_epoch"].get<int>(), l["i_xt_end"].get<double>(),
                  l["compression"].get<double>(), l["i_ty_end"].get<double>());
    std::printf("figure: %s/figures/infoplane.png\n", trained.run_dir.c_str());
  }
  return figure != 0 ? 1 : trained.code;
}

}  // namespace deepctl::cli
