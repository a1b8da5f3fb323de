// deepctl noise: gradient-noise statistics of a network at its initial or trained parameters
// (sde/gradient_noise.hpp; REFERENCE F15, F18–F20).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/sde/gradient_noise.hpp"

namespace deepctl::cli {
namespace {

using nlohmann::json;

constexpr const char* kHelp =
    R"(usage: deepctl noise CONFIG.toml|RUN_DIR [--checkpoint FILE] [--samples N] [--batch B]
                     [--minibatches P] [--top K] [--seed S] [--threads T] [--set key=value ...]
                     [--json]

Per-sample gradients (the costate pass on one sample at a time) of the first N training samples
at the parameters of RUN_DIR's checkpoint (or FILE), or initialised from CONFIG's seed, and
their noise statistics:
  loss, |mean gradient|, tr Sigma (Sigma = per-sample gradient covariance), its K largest
  eigenvalues (exact, from the N x N Gram matrix), effective rank (tr Sigma)^2 / tr Sigma^2,
  the count of eigenvalues above 1e-3 of the largest, per-layer SNR |g_t|^2 / (tr Sigma_t / B),
  the tail index alpha of the noise of P minibatches of min(B, N/4) samples (Simsekli et al.; 2 is
  Gaussian), and the SGD temperature g = lr (N_train / B - 1) / (1 - momentum) of the config.
Defaults: --samples 512 --batch = the config's batch_size (at most N) --minibatches 200 --top 10
--seed 0 --threads = the config's.
exit codes: 0 success, 2 bad input
)";

}  // namespace

int noise_main(const std::vector<std::string>& argv) {
  AnalysisArgs args(512);
  Index batch = 0;
  sde::NoiseOptions options;
  for (ArgScanner scan(argv); scan.next();) {
    if (scan.help()) {
      std::cout << kHelp;
      return 0;
    }
    if (args.take(scan)) continue;
    if (scan.is("--batch"))
      batch = scan.integer(1, 1000000);
    else if (scan.is("--minibatches"))
      options.minibatches = scan.integer(2, 1000000);
    else if (scan.is("--top"))
      options.top = scan.integer(1, 10000);
    else if (scan.is("--seed"))
      options.seed = static_cast<std::uint64_t>(scan.integer(0, 1L << 62));
    else
      scan.unknown("deepctl noise");
  }
  const AnalysisTarget t = args.load("deepctl noise");
  const Index samples = args.samples;
  options.threads = args.used_threads;
  options.batch = batch > 0 ? batch : std::min(t.config.batch_size, samples);
  if (options.batch > samples)
    throw InputError("--batch: expected at most --samples = " + std::to_string(samples) + ", got " +
                     std::to_string(options.batch));
  const sde::NoiseStatistics stats = sde::gradient_noise(t.problem, t.theta, t.X, t.Y, options);
  const double temperature =
      sde::noise_scale(t.config.lr, t.train_size, options.batch, t.config.heavy_ball_momentum());
  json layers = json::array();
  for (Index l = 0; l < t.problem.num_layers(); ++l)
    layers.push_back({{"layer", t.problem.layer(l).describe()},
                      {"mean_gradient_norm", stats.layers[l].mean_gradient_norm},
                      {"noise_trace", stats.layers[l].noise_trace},
                      {"snr", finite_or_null(stats.layers[l].snr)}});
  json top = json::array();
  for (double v : stats.top_eigenvalues) top.push_back(v);
  const json out = {{"params", t.params_source},
                    {"samples", stats.samples},
                    {"batch", stats.batch},
                    {"num_params", t.problem.num_params()},
                    {"loss", finite_or_null(stats.loss)},
                    {"mean_gradient_norm", stats.mean_gradient.norm()},
                    {"covariance_trace", stats.covariance_trace},
                    {"top_eigenvalues", top},
                    {"effective_rank", stats.effective_rank},
                    {"rank_above_1e-3", stats.rank_above_1e3},
                    {"tail_index", finite_or_null(stats.tail_index)},
                    {"tail_batch", stats.tail_batch},
                    {"noise_scale", temperature},
                    {"layers", layers}};
  if (args.as_json) {
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::printf("parameters      %s (%ld values)\n", t.params_source.c_str(),
              static_cast<long>(t.problem.num_params()));
  std::printf("samples         %ld, minibatch B = %ld\n", static_cast<long>(stats.samples),
              static_cast<long>(stats.batch));
  std::printf("loss            %.6g\n|mean gradient| %.6g\ntr Sigma        %.6g\n", stats.loss,
              stats.mean_gradient.norm(), stats.covariance_trace);
  std::printf("top eigenvalues");
  for (double v : stats.top_eigenvalues) std::printf(" %.4g", v);
  std::printf("\neffective rank  %.2f of %ld; %ld eigenvalues above 1e-3 of the largest\n",
              stats.effective_rank, static_cast<long>(t.problem.num_params()),
              static_cast<long>(stats.rank_above_1e3));
  std::printf("tail index      %.3f (2 = Gaussian)\nnoise scale g   %.6g (lr %g, N %ld, B %ld)\n",
              stats.tail_index, temperature, t.config.lr, static_cast<long>(t.train_size),
              static_cast<long>(stats.batch));
  for (Index l = 0; l < t.problem.num_layers(); ++l)
    std::printf("layer %-3ld %-36s |g| %.4g  tr Sigma %.4g  SNR %.4g\n", static_cast<long>(l),
                t.problem.layer(l).describe().c_str(), stats.layers[l].mean_gradient_norm,
                stats.layers[l].noise_trace, stats.layers[l].snr);
  return 0;
}

}  // namespace deepctl::cli
