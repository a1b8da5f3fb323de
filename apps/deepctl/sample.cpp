// deepctl sample: Bayesian prediction by Langevin dynamics (REFERENCE F24). Trains CONFIG.toml
// with sgld (or psgld), averages the softmax outputs on the test split over the iterates after a
// burn-in (the posterior predictive, solver/posterior.hpp), and compares it with the point
// estimate of the same run without noise (temperature 0: plain SGD or its preconditioned twin),
// by test accuracy, negative log-likelihood and expected calibration error. With --mala, a MALA
// chain from the point estimate is the exact reference: its predictive scores, and how far the
// sampler's per-step moments are from the chain's.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/solver/posterior.hpp"

namespace deepctl::cli {
namespace {

using nlohmann::json;

constexpr const char* kHelp =
    R"(usage: deepctl sample CONFIG.toml [--burn-in E] [--every K] [--bins M] [--mala STEPS]
                      [--set key=value ...] [--json]

Trains CONFIG.toml twice with the same seed, schedule and minibatches: once with
train.optimizer = sgld (or psgld when the config says psgld) at train.temperature, the
Langevin sampler of the posterior exp(-N J / T) (the L2 running cost is its Gaussian prior), and
once with temperature 0, the point estimate. From epoch E on, every K epochs, the sampler's
iterate adds its softmax outputs on the test split to the posterior predictive average. Prints
test accuracy, negative log-likelihood and expected calibration error (M confidence bins) of
the point estimate and of the posterior predictive, and the number of samples.
--mala STEPS adds the exact reference: a Metropolis-adjusted Langevin chain on the full
training set, from the point estimate, STEPS/10 steps of step-size adaptation (to acceptance
0.574) then STEPS steps, 1000 of them evenly spaced in its predictive average. It prints the
chain's scores, acceptance and step, and compares the sampler's iterates after the burn-in
(every step) with the chain's states: the largest and mean |mean difference| per parameter in
units of the chain's standard deviation, and the range of the ratio of standard deviations.
Defaults: --burn-in = train.posterior_burn_in (-1: half the epochs) --every 1 --bins 15, no
chain.
exit codes: 0 done, 1 a run diverged, 2 bad input
)";

json score_json(const PredictiveScore& s, Index samples) {
  return {{"accuracy", s.accuracy}, {"nll", s.nll}, {"ece", s.ece}, {"samples", samples}};
}

template <class S>
json sample_run(RunConfig config, int burn_in, int every, int bins, Index mala_steps) {
  const TrainTest data = load_data(config.data);
  if (data.train.num_classes == 0)
    throw InputError("deepctl sample needs a classification dataset, got " + config.data.name);
  const Problem<S> problem = build_problem<S>(config.network(data.train.input_shape));
  const Params<S> init =
      problem.init_params(Rng(config.seed).split(kInitStream), config.initializer());
  json out;
  Params<S> point_estimate;
  ChainMoments<S> sampler_moments;
  for (const bool sampler : {false, true}) {
    RunConfig c = config;
    if (!sampler) c.temperature = 0;
    const auto trainer = make_trainer<S>(c, problem, data.train, nullptr);
    trainer->init(init);
    PredictiveAverage<S> predictive(problem, data.test);
    Callbacks callbacks;
    callbacks.on_epoch = [&](const EpochReport& e) {
      if (!sampler || e.epoch == c.epochs ||
          (e.epoch >= burn_in && (e.epoch - burn_in) % every == 0))
        if (sampler || e.epoch == c.epochs) predictive.add(trainer->params());
      return true;
    };
    if (sampler && mala_steps > 0)
      callbacks.on_step = [&](const StepReport& s) {
        if (s.epoch >= burn_in) sampler_moments.add(trainer->params());
        return true;
      };
    const TrainResult result = trainer->solve(callbacks);
    if (result.status != TrainStatus::Completed)
      throw std::runtime_error("deepctl sample: " + result.message);
    out[sampler ? "posterior_predictive" : "point_estimate"] =
        score_json(score_predictions(predictive.probabilities(), predictive.labels(), bins),
                   predictive.samples());
    if (!sampler) point_estimate = trainer->params();
  }
  if (mala_steps == 0) return out;
  MalaOptions o;
  o.burn_in = std::max<Index>(1, mala_steps / 10);
  o.samples = mala_steps;
  o.temperature = config.temperature;
  o.seed = Rng(config.seed).split(kMalaStream).next_u64();
  o.threads = config.threads;
  const Index thin = std::max<Index>(1, mala_steps / 1000);
  PredictiveAverage<S> predictive(problem, data.test);
  ChainMoments<S> chain_moments;
  Index visited = 0;
  const MalaResult chain =
      mala_chain<S>(problem, data.train, point_estimate, o, [&](const Params<S>& theta) {
        chain_moments.add(theta);
        if (++visited % thin == 0) predictive.add(theta);
      });
  out["mala"] = score_json(score_predictions(predictive.probabilities(), predictive.labels(), bins),
                           predictive.samples());
  out["mala"]["acceptance"] = chain.acceptance;
  out["mala"]["step"] = chain.step;
  out["mala"]["steps"] = mala_steps;
  const Vec<double> sd = chain_moments.variance().cwiseSqrt();
  const Vec<double> mean_gap =
      (sampler_moments.mean() - chain_moments.mean()).cwiseQuotient(sd).cwiseAbs();
  const Vec<double> sd_ratio = sampler_moments.variance().cwiseSqrt().cwiseQuotient(sd);
  out["sampler_vs_mala"] = {{"max_mean_gap_sd", mean_gap.maxCoeff()},
                            {"mean_mean_gap_sd", mean_gap.mean()},
                            {"sd_ratio_min", sd_ratio.minCoeff()},
                            {"sd_ratio_max", sd_ratio.maxCoeff()},
                            {"sampler_iterates", sampler_moments.count()}};
  return out;
}

}  // namespace

int sample_main(const std::vector<std::string>& argv) {
  std::string path;
  std::vector<std::string> overrides;
  int burn_in = -1, every = 1, bins = 15;
  Index mala_steps = 0;
  bool as_json = false;
  for (ArgScanner scan(argv); scan.next();) {
    if (scan.help()) {
      std::cout << kHelp;
      return 0;
    }
    if (scan.is("--burn-in"))
      burn_in = static_cast<int>(scan.integer(0, 1000000));
    else if (scan.is("--every"))
      every = static_cast<int>(scan.integer(1, 1000000));
    else if (scan.is("--bins"))
      bins = static_cast<int>(scan.integer(1, 1000));
    else if (scan.is("--mala"))
      mala_steps = scan.integer(2, 100000000);
    else if (scan.is("--set"))
      overrides.push_back(scan.value());
    else if (scan.is("--json"))
      as_json = true;
    else if (path.empty() && !scan.arg().starts_with("-"))
      path = scan.arg();
    else
      scan.unknown("deepctl sample");
  }
  if (path.empty()) throw InputError("give the CONFIG.toml to sample; see deepctl sample --help");
  RunConfig config = load_run_config(path, overrides);
  if (config.optimizer != "psgld") config.optimizer = "sgld";
  if (burn_in < 0) burn_in = config.posterior_burn_in_epochs();
  if (burn_in >= config.epochs)
    throw InputError("--burn-in: expected fewer than train.epochs = " +
                     std::to_string(config.epochs) + " epochs, got " + std::to_string(burn_in));
  set_threads(config.threads);
  if (mala_steps > 0 && !(config.temperature > 0))
    throw InputError("--mala: the chain needs train.temperature > 0, got " +
                     std::to_string(config.temperature));
  json out = config.precision == "float64"
                 ? sample_run<double>(config, burn_in, every, bins, mala_steps)
                 : sample_run<float>(config, burn_in, every, bins, mala_steps);
  out["optimizer"] = config.optimizer;
  out["temperature"] = config.temperature;
  out["burn_in"] = burn_in;
  out["every"] = every;
  out["bins"] = bins;
  if (as_json) {
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::printf("%s at T = %g, burn-in %d epochs, a sample every %d\n%22s %10s %10s %10s %8s\n",
              config.optimizer.c_str(), config.temperature, burn_in, every, "", "accuracy", "NLL",
              "ECE", "samples");
  for (const char* key : {"point_estimate", "posterior_predictive", "mala"})
    if (out.contains(key))
      std::printf("%22s %10.4f %10.4f %10.4f %8ld\n", key, out[key]["accuracy"].get<double>(),
                  out[key]["nll"].get<double>(), out[key]["ece"].get<double>(),
                  out[key]["samples"].get<long>());
  if (out.contains("mala")) {
    const json& m = out["mala"];
    const json& gap = out["sampler_vs_mala"];
    std::printf(
        "MALA: %ld steps at step %.4g, acceptance %.3f\n%s against MALA over %ld iterates: "
        "|mean difference| max %.3f, mean %.3f chain s.d.; s.d. ratio %.3f..%.3f\n",
        m["steps"].get<long>(), m["step"].get<double>(), m["acceptance"].get<double>(),
        config.optimizer.c_str(), gap["sampler_iterates"].get<long>(),
        gap["max_mean_gap_sd"].get<double>(), gap["mean_mean_gap_sd"].get<double>(),
        gap["sd_ratio_min"].get<double>(), gap["sd_ratio_max"].get<double>());
  }
  return 0;
}

}  // namespace deepctl::cli
