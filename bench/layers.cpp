// Google Benchmark micro-benchmarks of the layer kernels (float32, one thread): forward and
// costate pass (vjp) of Dense and Conv2d, and the activations. Counters: FLOP/s of the matrix
// products (2 flops per multiply-add) and elements/s for the activations.
// Usage: build/bench/bench_layers [--benchmark_filter=REGEX]
#include <benchmark/benchmark.h>
#include <omp.h>

#include "deepctl/layer/conv2d.hpp"
#include "deepctl/layer/dense.hpp"

using namespace deepctl;

namespace {

Mat<float> random_batch(Index rows, Index cols, std::uint64_t seed) {
  Rng rng(seed);
  Mat<float> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = float(rng.normal());
  return m;
}

// Forward (and, when with_vjp, the costate pass with the input costate) of one layer.
void run_layer(benchmark::State& state, const Layer<float>& layer, Index batch,
               double flops_per_pass, bool with_vjp) {
  omp_set_num_threads(1);
  Vec<float> theta(layer.num_params());
  Rng rng(1);
  layer.init_params(rng, Initializer{}, theta);
  const Mat<float> x = random_batch(batch, layer.input_size(), 2);
  const Mat<float> p_next = random_batch(batch, layer.output_size(), 3);
  Mat<float> y(batch, layer.output_size()), p(batch, layer.input_size());
  Vec<float> g(layer.num_params());
  auto data = layer.make_data(batch);
  for (auto _ : state) {
    layer.forward(*data, x, theta, y);
    if (with_vjp) layer.vjp(*data, x, theta, p_next, p, g);
    benchmark::DoNotOptimize(y.data());
    benchmark::DoNotOptimize(g.data());
  }
  state.counters["FLOP/s"] = benchmark::Counter(flops_per_pass * (with_vjp ? 3 : 1),
                                                benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Dense(benchmark::State& state) {
  const Index width = state.range(0), batch = 128;
  const Dense<float> layer(width, width, Activation(ActivationKind::Tanh));
  run_layer(state, layer, batch, 2.0 * batch * width * width, state.range(1) != 0);
}
BENCHMARK(BM_Dense)->ArgsProduct({{128, 256, 1024}, {0, 1}})->ArgNames({"width", "vjp"});

void BM_Conv2d(benchmark::State& state) {
  const Index channels = state.range(0), batch = 32;
  const Conv2dGeometry geo{{channels, 28, 28}, channels, 3, 1, 1};
  const Conv2d<float> layer(geo, Activation(ActivationKind::ReLU));
  const double macs = double(batch) * geo.output().size() * geo.patch_size();
  run_layer(state, layer, batch, 2.0 * macs, state.range(1) != 0);
}
BENCHMARK(BM_Conv2d)->ArgsProduct({{8, 32}, {0, 1}})->ArgNames({"channels", "vjp"});

void BM_Activation(benchmark::State& state) {
  const Activation act = Activation::parse(Activation::names()[state.range(0)]);
  const Mat<float> a = random_batch(128, 1024, 4);
  Mat<float> y(a.rows(), a.cols()), dphi(a.rows(), a.cols());
  for (auto _ : state) {
    act.value_and_derivative(a.data(), y.data(), dphi.data(), a.size());
    benchmark::DoNotOptimize(y.data());
  }
  state.SetLabel(act.name());
  state.SetItemsProcessed(state.iterations() * a.size());
}
BENCHMARK(BM_Activation)->DenseRange(0, int(Activation::names().size()) - 1);

}  // namespace

BENCHMARK_MAIN();
