// Training throughput of the gradient-adjoint trainer (float32, SGD, one rollout + adjoint +
// update per step) and this machine's measured FP32 FMA peak per core.
// Usage: bench_train_throughput THREADS   prints one JSON object per line.
// bench/compare_pytorch.py runs it beside PyTorch and prints the ratios and shares of peak.
#include <immintrin.h>
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "deepctl/data/dataset.hpp"
#include "deepctl/problem/network_spec.hpp"
#include "deepctl/solver/gradient_trainer.hpp"

using namespace deepctl;
using Clock = std::chrono::steady_clock;

// FP32 peak of one core: 12 independent chains of 16-wide FMAs (2 flops per lane).
double fma_peak_gflops() {
  __m512 acc[12];
  for (auto& a : acc) a = _mm512_set1_ps(1.0f);
  const __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
  const long iters = 50'000'000;
  const auto t0 = Clock::now();
  for (long i = 0; i < iters; ++i)
    for (auto& a : acc) a = _mm512_fmadd_ps(a, m, c);
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  volatile float sink = 0;  // keeps the chains alive
  alignas(64) float lanes[16];
  for (auto& a : acc) {
    _mm512_store_ps(lanes, a);
    sink = sink + lanes[0];
  }
  return 12.0 * 16 * 2 * iters / s / 1e9;
}

NetworkSpec mlp(Index in, std::vector<Index> widths, const std::string& act) {
  NetworkSpec s{{in, 1, 1}, {}, "cross_entropy", 0};
  for (std::size_t i = 0; i < widths.size(); ++i)
    s.layers.push_back({.type = "dense", .width = widths[i],
                        .activation = i + 1 < widths.size() ? act : "linear"});
  return s;
}

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  if (threads <= 0) {
    std::fprintf(stderr, "bench_train_throughput: THREADS must be a positive integer, got '%s'\n",
                 argv[1]);
    return 2;
  }
  omp_set_num_threads(threads);
  Eigen::setNbThreads(threads);
  std::printf("{\"kind\": \"peak\", \"gflops_per_core\": %.1f}\n", fma_peak_gflops());
  const Index batch = 128;
  struct Net {
    const char* name;
    NetworkSpec spec;
  };
  std::vector<Index> deep(20, 128);
  deep.push_back(10);
  const Net nets[] = {{"mlp_784_256_256_10_tanh", mlp(784, {256, 256, 10}, "tanh")},
                      {"mlp_784_1024x3_10_relu", mlp(784, {1024, 1024, 1024, 10}, "relu")},
                      {"deep_20x128_tanh", mlp(784, deep, "tanh")}};
  for (const auto& net : nets) {
    const Problem<float> problem = build_problem<float>(net.spec);
    Rng rng(0);
    Dataset data{"random", {784, 1, 1}, Mat<float>(batch * 8, 784), Mat<float>::Zero(batch * 8, 10), 10};
    for (Index i = 0; i < data.inputs.size(); ++i) data.inputs.data()[i] = float(rng.normal());
    for (Index i = 0; i < data.size(); ++i) data.targets(i, i % 10) = 1;
    TrainerOptions o;
    o.batch_size = batch;
    o.update.kind = UpdateKind::SGD;
    o.schedule.base = 1e-3;
    GradientTrainer<float> trainer(problem, data, nullptr, o);
    trainer.init(problem.init_params(Rng(1), {}));
    Mat<float> X = data.inputs.topRows(batch), Y = data.targets.topRows(batch);
    for (int i = 0; i < 5; ++i) trainer.step(X, Y);
    long steps = 0;
    const auto t0 = Clock::now();
    double s = 0;
    while (s < 1.5) {
      trainer.step(X, Y);
      ++steps;
      s = std::chrono::duration<double>(Clock::now() - t0).count();
    }
    std::printf("{\"kind\": \"train\", \"net\": \"%s\", \"threads\": %d, \"samples_per_second\": %.1f}\n",
                net.name, threads, steps * batch / s);
  }
}
