// deepctl compare: one configuration trained by several optimisers over several seeds, side by
// side: final test accuracy (mean ± std), steps and wall time to a target accuracy, cost per
// step, and curves against step and wall time (REFERENCE F8–F12's trainers beside SGD/Adam).
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/io/npz.hpp"

namespace deepctl::cli {
namespace {

using nlohmann::json;

constexpr const char* kHelp =
    R"(usage: deepctl compare CONFIG.toml [--optimizers SPEC,SPEC,...] [--seeds N]
                       [--target ACC] [--set key=value ...] [--json] [--out DIR]

Trains CONFIG.toml once per optimiser and seed (seeds 0..N-1 for initialisation and minibatch
order) and prints, per optimiser: final test accuracy mean and standard deviation over seeds,
mean steps, effective epochs and wall time until the test accuracy (checked after each epoch)
first reaches ACC (default: 0.9 of the best final accuracy of any run), the mean minibatch
training loss over the first epoch (how fast the loss falls per iteration early on), and the
mean wall time per step; for a regression the final test loss stands in for the accuracy. A run
that diverges has no final accuracy: the row then says on how many seeds it diverged. Effective
epochs count minibatch forward-costate passes over the training set: epochs x (L + 1) for
entropy_sgd with L inner steps, epochs for the others.
A SPEC is an optimizer name with its own train.* settings after colons, e.g.
  --optimizers sgd:lr=0.1,momentum:lr=0.05,adam:lr=0.003,pid:lr=0.003:ki=1:kd=2,msa:rho=0.05:inner_lr=0.1
With --out DIR: DIR/compare.json (the summary and every run's curves), DIR/report.html (the
table and the figures on one page, for any browser), DIR/compare_step.png/.svg,
DIR/compare_wall.png/.svg (test accuracy, or test loss for a regression, against step and
against wall time) and DIR/compare_loss.png/.svg (minibatch training loss, averaged over windows
of 10 steps, against step). --json prints the summary as one JSON object. From Python:
deepctl.compare_run(CONFIG, OPTIMIZERS, out=DIR, seeds=N) returns that summary.
Defaults: --optimizers sgd,adam --seeds 3.
)";

struct Spec {
  std::string name;   // the optimizer
  std::string label;  // the whole SPEC, naming the row
  std::vector<std::string> overrides;
};

std::vector<Spec> parse_specs(const std::string& text) {
  std::vector<Spec> specs;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    std::stringstream parts(item);
    Spec s;
    s.label = item;
    std::getline(parts, s.name, ':');
    if (s.name.empty()) throw InputError("--optimizers: empty optimizer in '" + text + "'");
    s.overrides.push_back("train.optimizer=\"" + s.name + "\"");
    for (std::string kv; std::getline(parts, kv, ':');) {
      if (kv.find('=') == std::string::npos)
        throw InputError("--optimizers: expected key=value after '" + s.name + ":', got '" + kv +
                         "'");
      s.overrides.push_back("train." + kv);
    }
    specs.push_back(s);
  }
  if (specs.empty()) throw InputError("--optimizers: expected a comma-separated list");
  return specs;
}

constexpr long kLossWindow = 10;  // steps per point of the training-loss curve

struct Curve {
  std::vector<double> step, wall, accuracy, test_loss;
  std::vector<double> loss_step, train_loss;  // windowed minibatch loss, at its last step
  double first_epoch_loss = 0;                // mean minibatch loss over epoch 0
  double seconds = 0;
  long steps = 0;
  double passes_per_step = 1;
  std::string status;
};

template <class S>
Curve train_once(const RunConfig& config, const TrainTest& data) {
  const Problem<S> problem = build_problem<S>(config.network(data.train.input_shape));
  const auto trainer = make_trainer<S>(config, problem, data.train, &data.test);
  trainer->init(problem.init_params(Rng(config.seed).split(kInitStream), config.initializer()));
  Curve c;
  const auto t0 = std::chrono::steady_clock::now();
  Callbacks cb;
  double window = 0, first_epoch = 0;
  long first_epoch_steps = 0;
  cb.on_step = [&](const StepReport& s) {
    window += s.loss;
    if (s.epoch == 0) first_epoch += s.loss, ++first_epoch_steps;
    if (s.step % kLossWindow == 0) {
      c.loss_step.push_back(double(s.step));
      c.train_loss.push_back(window / double(kLossWindow));
      window = 0;
    }
    return true;
  };
  cb.on_epoch = [&](const EpochReport& e) {
    c.step.push_back(double(e.step));
    c.wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    c.accuracy.push_back(e.test.accuracy);
    c.test_loss.push_back(e.test.loss);
    return true;
  };
  c.status = status_name(trainer->solve(cb).status);
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  c.steps = trainer->steps();
  c.passes_per_step = trainer->passes_per_step();
  c.first_epoch_loss = first_epoch / double(std::max(1L, first_epoch_steps));
  return c;
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? std::nan("") : s / double(v.size());
}

double stdev(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / double(v.size() - 1));
}

}  // namespace

int compare_main(const std::vector<std::string>& args) {
  std::string config_path, out;
  std::vector<std::string> overrides;
  std::vector<Spec> specs = parse_specs("sgd,adam");
  long seeds = 3;
  double target = std::nan("");
  bool as_json = false;
  for (ArgScanner scan(args); scan.next();) {
    if (scan.help()) {
      std::cout << kHelp;
      return 0;
    }
    if (scan.is("--optimizers"))
      specs = parse_specs(scan.value());
    else if (scan.is("--seeds"))
      seeds = scan.integer(1, 100);
    else if (scan.is("--target"))
      target = scan.number();
    else if (scan.is("--set"))
      overrides.push_back(scan.value());
    else if (scan.is("--json"))
      as_json = true;
    else if (scan.is("--out"))
      out = scan.value();
    else if (config_path.empty() && !scan.arg().starts_with("-"))
      config_path = scan.arg();
    else
      scan.unknown("deepctl compare");
  }
  if (config_path.empty())
    throw InputError("give the CONFIG.toml to compare on; see deepctl compare --help");
  // Every (optimiser, seed) configuration is validated before any training starts.
  std::vector<std::vector<RunConfig>> configs;
  for (const Spec& spec : specs) {
    configs.emplace_back();
    for (long s = 0; s < seeds; ++s) {
      std::vector<std::string> all = overrides;
      all.insert(all.end(), spec.overrides.begin(), spec.overrides.end());
      all.push_back("train.seed=" + std::to_string(s));
      configs.back().push_back(load_run_config(config_path, all));
    }
  }
  set_threads(configs[0][0].threads);
  const TrainTest data = load_data(configs[0][0].data);
  std::vector<std::vector<Curve>> curves(specs.size());
  for (std::size_t o = 0; o < specs.size(); ++o)
    for (const RunConfig& c : configs[o]) {
      curves[o].push_back(c.precision == "float64" ? train_once<double>(c, data)
                                                   : train_once<float>(c, data));
      const Curve& run = curves[o].back();
      if (!as_json) {
        std::cerr << specs[o].label << " seed " << c.seed << ": ";
        if (run.status == "diverged")
          std::cerr << "diverged at step " << run.steps;
        else if (std::isnan(run.accuracy.back()))  // a regression
          std::cerr << "test loss " << run.test_loss.back();
        else
          std::cerr << "test accuracy " << run.accuracy.back();
        std::cerr << " (" << run.seconds << " s)\n";
      }
    }
  if (std::isnan(target)) {
    double best = 0;
    for (const auto& runs : curves)
      for (const Curve& c : runs)
        if (!c.accuracy.empty() && std::isfinite(c.accuracy.back()))
          best = std::max(best, c.accuracy.back());
    target = 0.9 * best;
  }
  json summary{{"config", config_path},
               {"seeds", seeds},
               {"target_accuracy", target},
               {"optimizers", json::array()}};
  for (std::size_t o = 0; o < specs.size(); ++o) {
    std::vector<double> final_acc, final_loss, steps_to, epochs_to, wall_to, per_step, first_loss;
    long diverged = 0;
    json runs = json::array();
    for (const Curve& c : curves[o]) {
      // A diverged run has no final accuracy (its last epoch's would flatter it).
      diverged += c.status == "diverged";
      final_acc.push_back(c.status == "diverged" ? std::nan("") : c.accuracy.back());
      final_loss.push_back(c.status == "diverged" ? std::nan("") : c.test_loss.back());
      per_step.push_back(c.steps > 0 ? c.seconds / double(c.steps) : std::nan(""));
      first_loss.push_back(c.first_epoch_loss);
      for (std::size_t e = 0; e < c.accuracy.size(); ++e)
        if (c.accuracy[e] >= target) {
          steps_to.push_back(c.step[e]);
          epochs_to.push_back(double(e + 1) * c.passes_per_step);
          wall_to.push_back(c.wall[e]);
          break;
        }
      runs.push_back({{"status", c.status},
                      {"step", c.step},
                      {"wall_time", c.wall},
                      {"test_accuracy", c.accuracy},
                      {"test_loss", c.test_loss},
                      {"loss_step", c.loss_step},
                      {"train_loss", c.train_loss}});  // (NaN: null)
    }
    const bool all_reached = steps_to.size() == curves[o].size();
    summary["optimizers"].push_back(
        {{"spec", specs[o].overrides},
         {"name", specs[o].label},
         {"optimizer", specs[o].name},
         {"test_accuracy_mean", finite_or_null(mean(final_acc))},
         {"test_accuracy_std", finite_or_null(stdev(final_acc))},
         {"test_loss_mean", finite_or_null(mean(final_loss))},
         {"test_loss_std", finite_or_null(stdev(final_loss))},
         {"steps_to_target", finite_or_null(all_reached ? mean(steps_to) : std::nan(""))},
         {"effective_epochs_to_target",
          finite_or_null(all_reached ? mean(epochs_to) : std::nan(""))},
         {"seconds_to_target", finite_or_null(all_reached ? mean(wall_to) : std::nan(""))},
         {"reached_target", steps_to.size()},
         {"diverged", diverged},
         {"first_epoch_loss", finite_or_null(mean(first_loss))},
         {"ms_per_step", finite_or_null(1e3 * mean(per_step))},
         {"runs", runs}});
  }
  if (!out.empty()) {
    std::filesystem::create_directories(out);
    write_file_atomic(out + "/compare.json", summary.dump(1) + "\n");
  }
  if (as_json) {
    json brief = summary;
    for (auto& o : brief["optimizers"]) o.erase("runs");
    std::cout << brief.dump() << "\n";
  } else {
    std::size_t width = 10;
    for (const Spec& spec : specs) width = std::max(width, spec.label.size() + 2);
    std::cout << std::left << std::setw(int(width)) << "optimizer" << std::setw(22)
              << "test accuracy" << std::setw(18) << "steps to target" << std::setw(18)
              << "eff. epochs to" << std::setw(16) << "s to target" << std::setw(16)
              << "loss 1st epoch"
              << "ms/step\n";
    for (const auto& o : summary["optimizers"]) {
      auto show = [](const json& v, int digits) {
        if (v.is_null()) return std::string("-");
        std::ostringstream s;
        s << std::fixed << std::setprecision(digits) << v.get<double>();
        return s.str();
      };
      // A regression (no accuracy) shows its final test loss instead.
      const long diverged = o["diverged"].get<long>();
      const bool regression = o["test_accuracy_mean"].is_null() && diverged == 0;
      const std::string metric = regression ? "test_loss" : "test_accuracy";
      std::cout << std::setw(int(width)) << o["name"].get<std::string>() << std::setw(22)
                << (diverged > 0
                        ? "diverged: " + std::to_string(diverged) + " of " + std::to_string(seeds)
                        : (regression ? "loss " : "") + show(o[metric + "_mean"], 4) + " ± " +
                              show(o[metric + "_std"], 4))
                << std::setw(18) << show(o["steps_to_target"], 0) << std::setw(18)
                << show(o["effective_epochs_to_target"], 0) << std::setw(16)
                << show(o["seconds_to_target"], 3) << std::setw(16)
                << show(o["first_epoch_loss"], 4) << show(o["ms_per_step"], 3) << "\n";
    }
    std::cout << "target accuracy " << target << " (reached by every seed, else '-')\n";
  }
  if (!out.empty()) return run_python_module("deepctl.report", {"--compare", out});
  return 0;
}

}  // namespace deepctl::cli
