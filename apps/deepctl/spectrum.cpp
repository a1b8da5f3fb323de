// deepctl spectrum: the squared singular values of the input–output Jacobian of random deep
// networks, measured exactly beside the free-probability prediction (spectrum/jacobian.hpp).
#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/io/npz.hpp"
#include "deepctl/problem/network_spec.hpp"
#include "deepctl/spectrum/jacobian.hpp"

namespace deepctl::cli {
namespace {

using nlohmann::json;

constexpr const char* kHelp =
    R"(usage: deepctl spectrum --activation A [--sw2 X] [--sb2 Y] [--depth L] [--width N]
                        [--weights gaussian|orthogonal] [--draws K] [--seed S]
                        [--matrix-free [--probes P] [--steps M]] [--json] [--out DIR]

Dynamical isometry: draws K random networks of L dense layers of width N (weights of variance
sw2/N, Gaussian or scaled Haar-orthogonal; biases of variance sb2), feeds each an input at the
fixed point q*, and computes every squared singular value of the input-output Jacobian J (exact,
from the layers' jvp). Prints their mean, variance and largest value beside the free-probability
prediction for N -> infinity: mean chi_1^L, variance m_1^2 L (mu_2/mu_1^2 - 1 - s_1), the
spectral edge and the mass at 0 (where phi' = 0). Without --sw2 the network sits on the critical
line (chi_1 = 1) at this sb2. The whole law is compared too: --json carries "histogram" (the
measured and the free-probability mass of 40 bins in log lambda up to past the edge, and of
everything below them), and --out DIR writes DIR/spectrum.json and the figure
DIR/spectrum.png/.svg (the density of log lambda; with --matrix-free the distribution function,
which Gauss quadrature brackets where a histogram of its nodes would not).
--matrix-free never forms J (for wide networks, width up to 65536): J^T J v by a tangent and a
costate pass, the largest value by M Lanczos steps, mean, variance and the histogram by
stochastic Lanczos quadrature over P Rademacher probes (sampling error ~ sqrt(2 E[lambda^2] /
(N P)); its density is M Gaussian-quadrature nodes per probe, so the histogram is coarse).
Defaults: --sb2 1e-3 --depth 16 --width 256 --weights orthogonal --draws 3 --seed 0
--probes 10 --steps 40.
)";

}  // namespace

int spectrum_main(const std::vector<std::string>& args) {
  std::string activation, weights = "orthogonal", out;
  double sw2 = std::nan(""), sb2 = 1e-3;
  int depth = 16, draws = 3;
  Index width = 256, probes = 10, steps = 40;
  std::uint64_t seed = 0;
  bool as_json = false, matrix_free = false;
  for (ArgScanner scan(args); scan.next();) {
    if (scan.help()) {
      std::cout << kHelp;
      return 0;
    }
    if (scan.is("--activation"))
      activation = scan.value();
    else if (scan.is("--sw2"))
      sw2 = scan.number();
    else if (scan.is("--sb2"))
      sb2 = scan.number();
    else if (scan.is("--depth"))
      depth = static_cast<int>(scan.integer(1, 1000));
    else if (scan.is("--width"))
      width = scan.integer(1, 65536);
    else if (scan.is("--matrix-free"))
      matrix_free = true;
    else if (scan.is("--probes"))
      probes = scan.integer(1, 10000);
    else if (scan.is("--steps"))
      steps = scan.integer(2, 10000);
    else if (scan.is("--draws"))
      draws = static_cast<int>(scan.integer(1, 1000));
    else if (scan.is("--seed"))
      seed = static_cast<std::uint64_t>(scan.integer(0, 1L << 62));
    else if (scan.is("--weights")) {
      weights = scan.value();
      if (weights != "gaussian" && weights != "orthogonal")
        throw InputError("--weights: expected gaussian or orthogonal, got '" + weights + "'");
    } else if (scan.is("--json"))
      as_json = true;
    else if (scan.is("--out"))
      out = scan.value();
    else
      scan.unknown("deepctl spectrum");
  }
  if (activation.empty()) throw InputError("--activation is required; see deepctl spectrum --help");
  if (!matrix_free && width > 4096)
    throw InputError("--width: the exact spectrum takes at most 4096, got " +
                     std::to_string(width) + "; add --matrix-free");
  const meanfield::ActivationMoments moments(Activation::parse(activation));
  if (std::isnan(sw2)) {
    sw2 = meanfield::critical_point(moments, sb2).sw2;
    if (std::isnan(sw2))
      throw InputError(activation + " has no critical point at sb2 = " + std::to_string(sb2) +
                       "; give --sw2");
  }
  const meanfield::Analysis fixed = meanfield::analyze(moments, sw2, sb2);
  if (!(fixed.q_star >= 0) || std::isinf(fixed.q_star))
    throw InputError("the length map has no finite fixed point at sw2 = " + std::to_string(sw2) +
                     ", sb2 = " + std::to_string(sb2));
  const bool orthogonal = weights == "orthogonal";
  const spectrum::FreeProbability theory =
      spectrum::free_probability(moments, sw2, fixed.q_star, depth, orthogonal);
  std::vector<LayerSpec> layers(
      depth, LayerSpec{.type = "dense", .width = width, .activation = activation});
  const Problem<double> problem =
      build_problem<double>({{width, 1, 1}, layers, "squared_error", 0});
  const Initializer init{orthogonal ? InitKind::Orthogonal : InitKind::Gaussian, sw2, sb2};
  const double input_power = (fixed.q_star - sb2) / sw2;  // k with σ_w² k + σ_b² = q*
  double mean = 0, variance = 0, largest = 0;
  std::vector<double> values, masses;  // the measured law: eigenvalues (or SLQ nodes), weights
  Rng rng(seed);
  for (int d = 0; d < draws; ++d) {
    Rng draw = rng.split(static_cast<std::uint64_t>(d));
    Vec<double> x(width);
    for (Index i = 0; i < width; ++i) x[i] = std::sqrt(input_power) * draw.normal();
    const Params<double> theta = problem.init_params(draw.split(1), init);
    if (matrix_free) {
      const spectrum::MatrixFreeSpectrum s = spectrum::jacobian_spectrum_matrix_free(
          problem, theta, x, 1, steps, probes, draw.split(2).next_u64());
      mean += s.mean / draws;
      variance += s.variance / draws;
      largest += s.top[0] / draws;
      for (Index i = 0; i < s.nodes.size(); ++i)
        values.push_back(s.nodes[i]), masses.push_back(s.weights[i] / draws);
      continue;
    }
    const Vec<double> s = spectrum::jacobian_squared_singular_values(problem, theta, x);
    mean += s.mean() / draws;
    variance += (s.array() - s.mean()).square().mean() / draws;
    largest += s.maxCoeff() / draws;
    for (double v : s) values.push_back(v), masses.push_back(1.0 / (width * draws));
  }
  const spectrum::LawHistogram law =
      spectrum::law_histogram(values, masses, std::max(theory.edge, largest), moments, sw2,
                              fixed.q_star, depth, orthogonal);
  const json histogram{{"edges", law.edges},
                       {"measured", law.measured},
                       {"predicted", law.predicted},
                       {"below", law.below},
                       {"predicted_below", law.predicted_below}};
  const json result{{"activation", activation},
                    {"sw2", sw2},
                    {"sb2", sb2},
                    {"q_star", fixed.q_star},
                    {"depth", depth},
                    {"width", width},
                    {"weights", weights},
                    {"draws", draws},
                    {"method", matrix_free ? "matrix-free" : "exact"},
                    {"measured", {{"mean", mean}, {"variance", variance}, {"max", largest}}},
                    {"theory",
                     {{"mean", theory.mean},
                      {"variance", theory.variance},
                      {"edge", theory.edge},
                      {"atom", theory.atom}}},
                    {"histogram", histogram}};
  if (!out.empty()) {
    std::filesystem::create_directories(out);
    write_file_atomic(out + "/spectrum.json", result.dump() + "\n");
    if (const int rc = run_python_module("deepctl.figures",
                                         {"spectrum", out + "/spectrum.json", out + "/spectrum"}))
      return rc;
  }
  if (as_json) {
    std::cout << result.dump() << "\n";
    return 0;
  }
  std::cout << activation << ", sw2 " << sw2 << ", sb2 " << sb2 << " (q* " << fixed.q_star
            << ", chi_1 " << fixed.chi1 << "), " << weights << " weights, depth " << depth
            << ", width " << width << ", " << draws << " draws\n"
            << "                 measured      free probability (N -> inf)\n"
            << "mean             " << mean << "      " << theory.mean << "\n"
            << "variance         " << variance << "      " << theory.variance << "\n"
            << "largest / edge   " << largest << "      " << theory.edge << "\n"
            << "mass at 0        -             " << theory.atom << "\n";
  return 0;
}

}  // namespace deepctl::cli
