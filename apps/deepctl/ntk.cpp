// deepctl ntk: the empirical neural tangent kernel of a network on its training data and, with
// --steps, its kernel-dynamics prediction of full-batch gradient descent beside the actual run
// (spectrum/ntk.hpp; REFERENCE F14).
#include "deepctl/spectrum/ntk.hpp"

#include <Eigen/Eigenvalues>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "deepctl/core/error.hpp"

namespace deepctl::cli {
namespace {

using nlohmann::json;

constexpr const char* kHelp =
    R"(usage: deepctl ntk CONFIG.toml|RUN_DIR [--checkpoint FILE] [--samples N] [--steps K]
                   [--lr ETA] [--threads T] [--set key=value ...] [--json]

The empirical neural tangent kernel Theta = J J^T (J: per-sample output Jacobians from the
costate pass) on the first N training samples, at RUN_DIR's checkpoint (or FILE) or at CONFIG's
initialisation: its smallest and largest eigenvalues, condition number and trace. With
--steps K: K full-batch gradient-descent steps of size ETA (default N / lambda_max, i.e. a
unit step of the kernel dynamics) beside the kernel dynamics u <- u - (ETA/N) Theta_0 dPhi/du,
the loss of both after every step, and the relative change |Theta_K - Theta_0| / |Theta_0|.
Needs model.l2 = 0 with --steps.
Defaults: --samples 64 (at most 4096) --threads = the config's.
exit codes: 0 success, 2 bad input
)";

}  // namespace

int ntk_main(const std::vector<std::string>& argv) {
  AnalysisArgs args(64);
  Index steps = 0;
  double lr = 0;
  for (ArgScanner scan(argv); scan.next();) {
    if (scan.help()) {
      std::cout << kHelp;
      return 0;
    }
    if (args.take(scan)) continue;
    if (scan.is("--steps"))
      steps = scan.integer(1, 100000);
    else if (scan.is("--lr")) {
      lr = scan.number();
      if (!(lr > 0))
        throw InputError("--lr: expected a positive number, got " + std::to_string(lr));
    } else
      scan.unknown("deepctl ntk");
  }
  const AnalysisTarget t = args.load("deepctl ntk");
  const Index samples = args.samples;
  if (samples > 4096)
    throw InputError("--samples: expected at most 4096 for the n·k × n·k kernel, got " +
                     std::to_string(samples));
  const Mat<double> kernel = spectrum::empirical_ntk(t.problem, t.theta, t.X);
  const Vec<double> eigenvalues =
      Eigen::SelfAdjointEigenSolver<Mat<double>>(kernel, Eigen::EigenvaluesOnly).eigenvalues();
  const double smallest = eigenvalues[0], largest = eigenvalues[eigenvalues.size() - 1];
  json out = {{"params", t.params_source},     {"samples", samples},
              {"size", kernel.rows()},         {"smallest_eigenvalue", smallest},
              {"largest_eigenvalue", largest}, {"condition", finite_or_null(largest / smallest)},
              {"trace", kernel.trace()}};
  spectrum::LinearizedTraining run;
  if (steps > 0) {
    if (lr == 0) lr = static_cast<double>(samples) / largest;
    run = spectrum::compare_linearized_training(t.problem, t.theta, t.X, t.Y, lr, steps);
    out["lr"] = lr;
    out["actual"] = run.actual;
    out["predicted"] = run.predicted;
    out["kernel_change"] = run.kernel_change;
  }
  if (args.as_json) {
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::printf("parameters   %s, %ld samples, kernel %ld x %ld\n", t.params_source.c_str(),
              static_cast<long>(samples), static_cast<long>(kernel.rows()),
              static_cast<long>(kernel.cols()));
  std::printf("eigenvalues  smallest %.6g, largest %.6g, condition %.4g, trace %.6g\n", smallest,
              largest, largest / smallest, kernel.trace());
  if (steps > 0) {
    std::printf("full-batch GD, lr %.4g: %8s %14s %14s\n", lr, "step", "actual loss",
                "kernel dynamics");
    for (Index k = 0; k <= steps; k += std::max<Index>(1, steps / 10))
      std::printf("%30ld %14.6g %14.6g\n", static_cast<long>(k), run.actual[k], run.predicted[k]);
    std::printf("kernel change |Theta_K - Theta_0| / |Theta_0| = %.4g\n", run.kernel_change);
  }
  return 0;
}

}  // namespace deepctl::cli
