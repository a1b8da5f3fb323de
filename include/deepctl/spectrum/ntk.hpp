// Linearised training dynamics: the empirical neural tangent kernel (REFERENCE F14).
//
//   Θ(x, x′) = ∇_θ f(x; θ) ∇_θ f(x′; θ)ᵀ      (k × k blocks for k outputs)
// With J the stacked per-sample output Jacobians (row s·k + j is ∇_θ u_j(x_s)), Θ = J Jᵀ.
// Each row comes from the costate pass of one sample with p_T = −e_j (so −Σ f_θᵀ p = ∇_θ u_j).
//
// Full-batch gradient descent θ ← θ − η ∇J on J = (1/n) Σ_s Φ(u_s, y_s) moves the outputs, to
// first order in η, by the kernel dynamics in function space
//     u ← u − (η/n) Θ ∇_u Φ(u)      (∇_u Φ stacked per sample),
// which for squared error is linear: u_k − y = (I − ηΘ/n)^k (u_0 − y). For wide networks Θ
// barely moves during training, so the loss curve of the kernel dynamics with Θ_0 predicts the
// actual one (Jacot et al. 2018; Du et al. 2019).
//
// Two-layer ReLU net with unit-norm inputs, first-layer weights w ~ N(0, I) (Du et al.):
//   H∞_ij = E_w[x_iᵀx_j 1{wᵀx_i ≥ 0, wᵀx_j ≥ 0}] = x_iᵀx_j (π − arccos(x_iᵀx_j)) / (2π).
#pragma once

#include <vector>

#include "deepctl/problem/problem.hpp"

namespace deepctl::spectrum {

// J (n·k × num_params), rows in the order sample-major, output-minor.
Mat<double> output_jacobian(const Problem<double>& problem, const Params<double>& theta,
                            CMatRef<double> X);

// Θ = J Jᵀ (n·k × n·k).
Mat<double> empirical_ntk(const Problem<double>& problem, const Params<double>& theta,
                          CMatRef<double> X);

// H∞ of the rows of X (each of unit norm; InputError otherwise).
Mat<double> relu_gram_infinite(CMatRef<double> X);

struct LinearizedTraining {
  std::vector<double> actual;      // J(θ_k) of full-batch gradient descent, k = 0..steps
  std::vector<double> predicted;   // J of the kernel dynamics with Θ_0
  double kernel_change = 0;        // ‖Θ_steps − Θ_0‖_F / ‖Θ_0‖_F
  double smallest_eigenvalue = 0;  // λ_min(Θ_0)
  double largest_eigenvalue = 0;   // λ_max(Θ_0)
};

// Runs `steps` full-batch gradient steps of size lr on (X, Y) from θ and the kernel dynamics
// beside them. The problem should have no L2 running cost (InputError otherwise: the kernel
// dynamics leave it out).
LinearizedTraining compare_linearized_training(const Problem<double>& problem,
                                               const Params<double>& theta, CMatRef<double> X,
                                               CMatRef<double> Y, double lr, Index steps);

}  // namespace deepctl::spectrum
