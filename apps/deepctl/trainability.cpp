// deepctl trainability: the trainability sweep of Schoenholz et al. (2017) over σ_w² × depth
// (meanfield/trainability.hpp). Each (depth, σ_w²) is an independent job; finished jobs are
// kept one per line in OUT/trainability.jsonl, so a killed sweep resumes where it stopped.
// At the end OUT/report.html shows the accuracy heatmap with ξ_c and 6 ξ_c overlaid.
#include "deepctl/meanfield/trainability.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/io/npz.hpp"
#include "deepctl/meanfield/phase_diagram.hpp"

namespace deepctl::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kHelp =
    R"(usage: deepctl trainability [--activation A] [--sb2 Y] [--sw2 LO:HI:N] [--depths L1,L2,...]
                            [--width N] [--steps K] [--batch B] [--lr ETA] [--eval M]
                            [--train-limit R] [--seed S] [--out DIR]

Trains fully connected networks of every depth L (weight layers, the last one linear) and
weight variance sw2 at bias variance sb2 with plain SGD for K steps on Fashion-MNIST (pixels
in [-0.5, 0.5]) and records the accuracy on the first M training samples: the review's
trainability experiment. Mean-field theory predicts training succeeds for L below about
6 xi_c(sw2, sb2). Writes DIR/sweep.json (settings), DIR/trainability.jsonl (one line per
finished job; rerunning the same command resumes), DIR/trainability.png/.svg and
DIR/report.html (heatmap with xi_c and 6 xi_c overlaid).

defaults: --activation tanh --sb2 0.05 --sw2 1:4:13 --depths 10,20,30,40,50,60 --width 300
          --steps 201 --batch 256 --lr 1e-3 --eval 10000 --seed 0 --out runs/trainability
          (the review: sw2 in [1, 4] with 90 values, depths 10..100, all 60 000 samples)
threads: OMP_NUM_THREADS (default all cores)
)";

std::vector<double> parse_list(const std::string& option, const std::string& text) {
  std::vector<double> out;
  std::stringstream ss(text);
  for (std::string p; std::getline(ss, p, ',');) out.push_back(parse_number(option, p));
  if (out.empty())
    throw InputError(option + ": expected a comma-separated list, got '" + text + "'");
  return out;
}

}  // namespace

int trainability_main(const std::vector<std::string>& args) {
  meanfield::TrainabilitySettings s;
  std::vector<double> sw2 = meanfield::linspace(1.0, 4.0, 13), depths{10, 20, 30, 40, 50, 60};
  Index train_limit = 0;
  std::string out = "runs/trainability";
  for (ArgScanner scan(args); scan.next();) {
    if (scan.help()) {
      std::cout << kHelp;
      return 0;
    }
    if (scan.is("--activation"))
      s.activation = Activation::parse(scan.value()).name();
    else if (scan.is("--sb2"))
      s.sb2 = scan.number();
    else if (scan.is("--sw2"))
      sw2 = parse_range("--sw2", scan.value());
    else if (scan.is("--depths"))
      depths = parse_list("--depths", scan.value());
    else if (scan.is("--width"))
      s.width = scan.integer(1, 100000);
    else if (scan.is("--steps"))
      s.steps = static_cast<int>(scan.integer(1, 1000000));
    else if (scan.is("--batch"))
      s.batch = scan.integer(1, 100000);
    else if (scan.is("--lr"))
      s.lr = scan.number();
    else if (scan.is("--eval"))
      s.eval_samples = scan.integer(1, 1000000);
    else if (scan.is("--train-limit"))
      train_limit = scan.integer(0, 1000000);
    else if (scan.is("--seed"))
      s.seed = static_cast<std::uint64_t>(scan.integer(0, 1L << 62));
    else if (scan.is("--out"))
      out = scan.value();
    else
      scan.unknown("deepctl trainability");
  }
  for (double d : depths)
    if (d < 2 || d != std::floor(d) || d > 10000)
      throw InputError("--depths: each depth must be an integer of at least 2, got " +
                       std::to_string(d));
  if (!(s.sb2 >= 0)) throw InputError("--sb2 must be non-negative, got " + std::to_string(s.sb2));
  if (!(s.lr > 0)) throw InputError("--lr must be positive, got " + std::to_string(s.lr));
  for (double w : sw2)
    if (!(w > 0)) throw InputError("--sw2 values must be positive, got " + std::to_string(w));

  const json settings{{"activation", s.activation},
                      {"sb2", s.sb2},
                      {"sw2", sw2},
                      {"depths", depths},
                      {"width", s.width},
                      {"steps", s.steps},
                      {"batch", s.batch},
                      {"lr", s.lr},
                      {"eval_samples", s.eval_samples},
                      {"train_limit", train_limit},
                      {"seed", s.seed},
                      {"data", "fashion-mnist, normalize = center"},
                      {"init", "gaussian, fan-in"}};
  const std::string settings_path = out + "/sweep.json", results_path = out + "/trainability.jsonl";
  std::set<std::pair<int, double>> done;
  if (fs::exists(settings_path)) {
    std::ifstream in(settings_path);
    const json old = json::parse(in, nullptr, false);
    if (old != settings)
      throw InputError(
          out + " holds a sweep with other settings; choose another --out or repeat its settings");
    std::ifstream results(results_path);
    std::string kept;
    for (std::string line; std::getline(results, line);) {
      const json j = json::parse(line, nullptr, false);  // a line cut by a kill is dropped
      if (j.is_discarded() || !j.contains("accuracy")) continue;
      done.insert({j["depth"].get<int>(), j["sw2"].get<double>()});
      kept += line + "\n";
    }
    write_file_atomic(results_path, kept);
  } else {
    fs::create_directories(out);
    write_file_atomic(settings_path, settings.dump(2) + "\n");
  }

  DataConfig data;
  data.name = "fashion-mnist";
  data.normalize = "center";
  data.train_limit = train_limit;
  data.test_limit = 1;
  const Dataset train = load_data(data).train;
  std::ofstream results(results_path, std::ios::app);
  const std::size_t total = depths.size() * sw2.size();
  std::size_t finished = done.size();
  std::cout << "trainability sweep: " << total << " jobs, " << finished << " already done, into "
            << out << "\n";
  for (double depth : depths)
    for (double w : sw2) {
      if (done.count({int(depth), w})) continue;
      const auto t0 = std::chrono::steady_clock::now();
      const double accuracy = meanfield::train_briefly(s, int(depth), w, train);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      results << json{{"depth", int(depth)},
                      {"sw2", w},
                      {"accuracy", accuracy},
                      {"seconds", seconds}}
                     .dump()
              << std::endl;  // flushed: a kill loses at most the running job
      std::cout << "[" << ++finished << "/" << total << "] depth " << depth << ", sw2 " << w
                << ": accuracy " << accuracy << " (" << seconds << " s)" << std::endl;
    }
  return run_python_module("deepctl.report", {"--trainability", out});
}

}  // namespace deepctl::cli
