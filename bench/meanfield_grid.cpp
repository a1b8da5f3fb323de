// Times the mean-field phase diagram (meanfield/phase_diagram.hpp): a tanh grid of N × N
// points, σ_w² ∈ [0.5, 3], σ_b² ∈ [0, 0.25] (the review's ranges), q*, χ_1, c*, χ_c and ξ_c at
// every point. Usage: bench_meanfield_grid N THREADS [CSV]   prints one JSON line; with CSV
// also writes the grid (sw2, sb2, q_star, chi1, xi_c) for bench/compare_meanfield.py to check.
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "deepctl/meanfield/phase_diagram.hpp"

using namespace deepctl::meanfield;

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 256, threads = argc > 2 ? std::atoi(argv[2]) : 2;
  if (n <= 0 || threads <= 0) {
    std::fprintf(stderr, "bench_meanfield_grid: N and THREADS must be positive integers\n");
    return 2;
  }
  omp_set_num_threads(threads);
  const ActivationMoments tanh(deepctl::Activation::parse("tanh"));
  const auto sw2 = linspace(0.5, 3.0, n), sb2 = linspace(0.0, 0.25, n);
  phase_diagram(tanh, linspace(0.5, 3.0, 8), linspace(0.0, 0.25, 8));  // warm-up
  const auto t0 = std::chrono::steady_clock::now();
  const PhaseGrid grid = phase_diagram(tanh, sw2, sb2);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"points\": %d, \"threads\": %d, \"seconds\": %.4f}\n", n * n, threads, s);
  if (argc > 3) {
    std::ofstream csv(argv[3]);
    csv.precision(17);
    csv << "sw2,sb2,q_star,chi1,xi_c\n";
    for (std::size_t i = 0; i < sb2.size(); ++i)
      for (std::size_t j = 0; j < sw2.size(); ++j) {
        const Analysis& a = grid.at(i, j);
        csv << sw2[j] << "," << sb2[i] << "," << a.q_star << "," << a.chi1 << "," << a.xi_c << "\n";
      }
  }
}
