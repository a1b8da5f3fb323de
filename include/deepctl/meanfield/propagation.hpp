// Mean-field theory and measurement over the layer list that trains (REFERENCE F2 (e), F5):
// one description, two views.
//
// For two inputs x_a, x_b the pre-activations z = W x + b of every weight layer t have, at
// infinite width, per-unit second moments q^t_ab = σ_w² k^t_ab + σ_b² where k^t_ab = x_a·x_b / n
// of the layer's input; the layer's output then has
//   Dense     x' = φ(z):        k'_ab = E[φ(u_a) φ(u_b)], (u_a, u_b) ~ N(0, q^t)
//   Residual  x' = x + h φ(z):  k'_ab = k_ab + h (m_a μ_b + m_b μ_a) + h² E[φ(u_a) φ(u_b)]
//                               (Yang & Schoenholz 2017), m = the input's per-unit mean and
//                               μ = E[φ(u)]: z_i is independent of x_i as N → ∞, so the cross
//                               term x_a·φ(z_b)/n tends to m_a μ_b (zero for odd φ); the means
//                               propagate as m' = μ (dense) and m' = m + h μ (residual)
// predict_pair() iterates these maps from the inputs' own k^0; measure_pair() reads the same
// quantities off a finite network's rollout. Layers without a kernel map (conv, pooling) raise
// InputError naming the layer. The initialiser must be gaussian or orthogonal (σ_w², σ_b²).
#pragma once

#include <vector>

#include "deepctl/meanfield/meanfield.hpp"
#include "deepctl/problem/problem.hpp"

namespace deepctl::meanfield {

// Pre-activation statistics of one weight layer for a pair of inputs.
struct PairKernel {
  double q11 = 0, q22 = 0;  // per-unit second moments
  double c = 0;             // correlation q12 / √(q11 q22)
};

std::vector<PairKernel> predict_pair(const Problem<double>& problem, const Initializer& init,
                                     CVecRef<double> x1, CVecRef<double> x2);

std::vector<PairKernel> measure_pair(const Problem<double>& problem, const Params<double>& theta,
                                     CVecRef<double> x1, CVecRef<double> x2);

}  // namespace deepctl::meanfield
