// deepctl hessian: the curvature of a network's training objective on a batch of its training
// data: top eigenvalues by Lanczos, the trace by Hutchinson, and the spectral density by
// stochastic Lanczos quadrature (spectrum/hessian.hpp, spectrum/lanczos.hpp).
#include "deepctl/spectrum/hessian.hpp"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/core/linspace.hpp"

namespace deepctl::cli {
namespace {

using nlohmann::json;

constexpr const char* kHelp =
    R"(usage: deepctl hessian CONFIG.toml|RUN_DIR [--checkpoint FILE] [--samples N]
                       [--matrix hessian|gauss-newton] [--top K] [--steps M] [--probes P]
                       [--density G] [--seed S] [--threads T] [--set key=value ...] [--json]

Curvature of J(theta) on the first N training samples at the parameters of RUN_DIR's checkpoint
(or FILE), or initialised from CONFIG's seed. The Hessian is reached through Hessian-vector
products (central differences of the costate-pass gradient, ~1e-10 relative), the Gauss-Newton
matrix through exact products (jvp, loss curvature, costate pass). Prints the K largest
eigenvalues (Lanczos, M steps, full reorthogonalisation; the largest is the sharpness), the
trace (Hutchinson, P Rademacher probes, with its standard error), and with --density G the
spectral density on G points (stochastic Lanczos quadrature over the P probes, Gaussian
broadening of 1% of the spectral range).
Defaults: --samples 512 --matrix hessian --top 10 --steps 40 --probes 10 --seed 0
--threads = the config's.
exit codes: 0 success, 2 bad input
)";

}  // namespace

int hessian_main(const std::vector<std::string>& argv) {
  AnalysisArgs args(512);
  std::string matrix = "hessian";
  Index top = 10, steps = 40, probes = 10, density_points = 0;
  std::uint64_t seed = 0;
  for (ArgScanner scan(argv); scan.next();) {
    if (scan.help()) {
      std::cout << kHelp;
      return 0;
    }
    if (args.take(scan)) continue;
    if (scan.is("--matrix")) {
      matrix = scan.value();
      if (matrix != "hessian" && matrix != "gauss-newton")
        throw InputError("--matrix: expected hessian or gauss-newton, got '" + matrix + "'");
    } else if (scan.is("--top"))
      top = scan.integer(1, 1000);
    else if (scan.is("--steps"))
      steps = scan.integer(1, 10000);
    else if (scan.is("--probes"))
      probes = scan.integer(1, 100000);
    else if (scan.is("--density"))
      density_points = scan.integer(2, 100000);
    else if (scan.is("--seed"))
      seed = static_cast<std::uint64_t>(scan.integer(0, 1L << 62));
    else
      scan.unknown("deepctl hessian");
  }
  const AnalysisTarget t = args.load("deepctl hessian");
  const Index samples = args.samples;
  const int used_threads = args.used_threads;
  spectrum::Curvature curvature(t.problem, t.theta, t.X, t.Y, used_threads);
  const spectrum::SymmetricOperator A =
      matrix == "hessian" ? curvature.hessian_operator() : curvature.gauss_newton_operator();
  const Vec<double> eigenvalues = spectrum::top_eigenvalues(A, curvature.dim(), top, steps, seed);
  const spectrum::TraceEstimate trace =
      spectrum::hutchinson_trace(A, curvature.dim(), probes, seed + 1);
  json out = {{"params", t.params_source},
              {"matrix", matrix},
              {"samples", samples},
              {"num_params", curvature.dim()},
              {"loss", finite_or_null(curvature.objective())},
              {"gradient_norm", curvature.gradient().norm()},
              {"top_eigenvalues", std::vector<double>(eigenvalues.begin(), eigenvalues.end())},
              {"trace", trace.trace},
              {"trace_standard_error", trace.standard_error}};
  if (density_points > 0) {
    const spectrum::SpectralDensity density =
        spectrum::spectral_density(A, curvature.dim(), steps, probes, seed + 2);
    const double lo = density.nodes.minCoeff(), hi = density.nodes.maxCoeff();
    const double width = std::max(hi - lo, 1e-12);
    const std::vector<double> grid =
        linspace(lo - 0.05 * width, hi + 0.05 * width, static_cast<int>(density_points));
    const Vec<double> values =
        density.smoothed(Eigen::Map<const Vec<double>>(grid.data(), density_points), 0.01 * width);
    out["density"] = {{"x", grid}, {"density", std::vector<double>(values.begin(), values.end())}};
  }
  if (args.as_json) {
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::printf("parameters      %s (%ld values), %ld samples\n", t.params_source.c_str(),
              static_cast<long>(curvature.dim()), static_cast<long>(samples));
  std::printf("loss            %.6g, |gradient| %.6g\n", curvature.objective(),
              curvature.gradient().norm());
  std::printf("%s top eigenvalues (Lanczos, %ld steps):", matrix.c_str(), static_cast<long>(steps));
  for (double v : eigenvalues) std::printf(" %.6g", v);
  std::printf("\ntrace           %.6g +- %.2g (Hutchinson, %ld probes)\n", trace.trace,
              trace.standard_error, static_cast<long>(probes));
  if (density_points > 0) {
    std::printf("spectral density (stochastic Lanczos quadrature, %ld probes)\n%14s %14s\n",
                static_cast<long>(probes), "eigenvalue", "density");
    for (std::size_t i = 0; i < out["density"]["x"].size(); ++i)
      std::printf("%14.6g %14.6g\n", out["density"]["x"][i].get<double>(),
                  out["density"]["density"][i].get<double>());
  }
  return 0;
}

}  // namespace deepctl::cli
