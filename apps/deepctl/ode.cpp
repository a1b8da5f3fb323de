// deepctl ode: the spiral demo of Chen et al. (REFERENCE F7, ode/spiral.hpp): a Neural ODE learns
// dy/dt = A y³ from one observed trajectory; prints the test error over training, the time per
// iteration, the evaluations of the vector field and the process's peak memory.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/io/npz.hpp"
#include "deepctl/ode/spiral.hpp"

namespace deepctl::cli {
namespace {

using nlohmann::json;

constexpr const char* kHelp =
    R"(usage: deepctl ode [--iters N] [--batch B] [--batch-time K] [--points N] [--hidden H]
                  [--solver S] [--steps N] [--rtol R --atol A]
                  [--gradient discrete|checkpointed|adjoint]
                  [--lr LR] [--seed S] [--test-every K] [--no-gap] [--json] [--out DIR]

The spiral demo of Chen et al. (torchdiffeq's ode_demo.py): the observed trajectory of
dy/dt = A y^3, A = [[-0.1, 2], [-2, -0.1]], y(0) = (2, 0), at N points on [0, 25]; a Neural ODE
dy/dt = MLP(y^3) (2 -> H tanh -> 2) trained by Adam at rate LR on B random windows of K
consecutive points per iteration, the mean absolute error at every point of the window as the
loss. Each sample interval is one ODE block: --steps fixed steps of --solver (euler, midpoint,
rk4, bs3, dopri5), or adaptive bs3/dopri5 steps with --rtol/--atol. --gradient discrete is the
exact costate pass through the solver (memory grows with the steps), checkpointed the same
gradient from the stored step starts (stages recomputed: memory one state per step), adjoint
the continuous adjoint (memory of one step). Every --test-every iterations the whole trajectory is integrated
from y(0) and its mean absolute error printed, with the relative gap between the continuous
adjoint's gradient and the exact discrete one on that iteration's windows (the continuous
adjoint is an approximation: a gap near 1 means its gradient is not to be trusted). --no-gap
skips that second gradient (and the store-all memory it needs when training by the adjoint).
Prints the final test error, seconds per iteration, NFE (evaluations of the MLP) per iteration
forward and backward, and the peak resident memory. With --out DIR: DIR/spiral.json (the
history and both trajectories) and DIR/spiral.png/.svg (phase portrait and the coordinates
against time, observed and learned).
Defaults: --iters 2000 --batch 20 --batch-time 10 --points 1000 --hidden 50 --solver rk4
--steps 1 --gradient discrete --lr 1e-3 --seed 0 --test-every 100.
)";

}  // namespace

int ode_main(const std::vector<std::string>& argv) {
  SpiralOptions o;
  std::string out;
  bool as_json = false;
  for (ArgScanner scan(argv); scan.next();) {
    if (scan.help()) {
      std::cout << kHelp;
      return 0;
    }
    if (scan.is("--iters"))
      o.iterations = scan.integer(0, 10000000);
    else if (scan.is("--batch"))
      o.batch = scan.integer(1, 100000);
    else if (scan.is("--batch-time"))
      o.batch_time = scan.integer(2, 100000);
    else if (scan.is("--points"))
      o.points = scan.integer(3, 10000000);
    else if (scan.is("--hidden"))
      o.hidden = scan.integer(1, 100000);
    else if (scan.is("--solver"))
      o.solver = scan.value();
    else if (scan.is("--steps"))
      o.steps = scan.integer(1, 10000000);
    else if (scan.is("--rtol"))
      o.rtol = scan.number();
    else if (scan.is("--atol"))
      o.atol = scan.number();
    else if (scan.is("--gradient"))
      o.gradient = scan.value();
    else if (scan.is("--lr"))
      o.lr = scan.number();
    else if (scan.is("--seed"))
      o.seed = static_cast<std::uint64_t>(scan.integer(0, 1L << 62));
    else if (scan.is("--test-every"))
      o.test_every = scan.integer(1, 10000000);
    else if (scan.is("--no-gap"))
      o.measure_gap = false;
    else if (scan.is("--json"))
      as_json = true;
    else if (scan.is("--out"))
      out = scan.value();
    else
      scan.unknown("deepctl ode");
  }
  if (o.batch_time >= o.points)
    throw InputError("--batch-time: expected fewer than --points = " + std::to_string(o.points) +
                     ", got " + std::to_string(o.batch_time));
  set_threads(1);
  const SpiralResult r = fit_spiral(o, [&](const SpiralRecord& rec) {
    if (!as_json)
      std::printf(
          "iteration %6ld  train loss %.5f  test error %.5f  adjoint-discrete gap %.2e  (%.2f "
          "s)\n",
          rec.iteration, rec.train_loss, rec.test_loss, rec.gradient_gap, rec.seconds);
    return true;
  });
  const double iterations = r.history.empty() ? 0.0 : double(r.history.back().iteration);
  json summary{{"iterations", iterations},
               {"parameters", r.parameters},
               {"finite", r.finite},
               {"test_error", r.history.empty() ? json(nullptr) : json(r.history.back().test_loss)},
               {"gradient_gap",
                r.history.empty() ? json(nullptr) : finite_or_null(r.history.back().gradient_gap)},
               {"seconds_per_iteration",
                iterations > 0 ? json(r.history.back().seconds / iterations) : json(nullptr)},
               {"forward_passes", r.counts.forward_passes},
               {"forward_evaluations", r.counts.forward_evaluations},
               {"backward_evaluations", r.counts.backward_evaluations},
               {"rejected_steps", r.counts.rejected_steps},
               {"peak_rss_mb", peak_rss_mb()},
               {"options",
                {{"solver", o.solver},
                 {"steps", o.steps},
                 {"rtol", o.rtol},
                 {"atol", o.atol},
                 {"gradient", o.gradient},
                 {"batch", o.batch},
                 {"batch_time", o.batch_time},
                 {"points", o.points},
                 {"hidden", o.hidden},
                 {"lr", o.lr},
                 {"seed", o.seed}}}};
  if (!out.empty()) {
    std::filesystem::create_directories(out);
    json full = summary;
    full["history"] = json::array();
    for (const SpiralRecord& rec : r.history)
      full["history"].push_back({{"iteration", rec.iteration},
                                 {"train_loss", rec.train_loss},
                                 {"test_loss", rec.test_loss},
                                 {"seconds", rec.seconds},
                                 {"gradient_gap", finite_or_null(rec.gradient_gap)}});
    auto rows = [](const Mat<double>& m) {
      json a = json::array();
      for (Index i = 0; i < m.rows(); ++i) a.push_back({m(i, 0), m(i, 1)});
      return a;
    };
    full["times"] = std::vector<double>(r.times.data(), r.times.data() + r.times.size());
    full["observed"] = rows(r.observed);
    full["fitted"] = rows(r.fitted);
    write_file_atomic(out + "/spiral.json", full.dump() + "\n");
  }
  if (as_json) {
    std::cout << summary.dump() << "\n";
  } else {
    std::printf(
        "%s, %ld steps per interval, %s gradient: %ld parameters; test error %.5f after %.0f "
        "iterations\n%.3f ms per iteration; NFE per iteration %.1f forward, %.1f backward; "
        "peak memory %.1f MB\n",
        o.solver.c_str(), long(o.steps), o.gradient.c_str(), long(r.parameters),
        r.history.empty() ? std::nan("") : r.history.back().test_loss, iterations,
        iterations > 0 ? 1e3 * r.history.back().seconds / iterations : std::nan(""),
        double(r.counts.forward_evaluations) / std::max(iterations, 1.0),
        double(r.counts.backward_evaluations) / std::max(iterations, 1.0), peak_rss_mb());
  }
  if (!out.empty()) {
    const int code =
        run_python_module("deepctl.figures", {"spiral", out + "/spiral.json", out + "/spiral"});
    if (code != 0) return code;
  }
  return r.finite ? 0 : 1;
}

}  // namespace deepctl::cli
