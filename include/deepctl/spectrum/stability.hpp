// Forward stability per layer (Haber & Ruthotto; REFERENCE F6 (c)): at sample inputs, the
// eigenvalues of each width-keeping layer's Jacobian f_x (columns by jvp, n ≤ 1024).
// - every such layer: ρ(f_x), its largest |eigenvalue| (> 1: the layer can amplify a
//   perturbation along an eigendirection), and |det f_x|;
// - a layer read as a step of an ODE x' = g(x): for residual layers x + h g(x) the field's
//   eigenvalues λ = (eig f_x − 1)/h; for ODE blocks those of g_x at the block's input, with the
//   nominal step h = T/N. max Re λ ≤ 0 is a stable field (≈ 0 loses no information), and the
//   explicit scheme is stable along λ when |R(hλ)| ≤ 1, R(z) = 1 + z bᵀ(I − zA)⁻¹𝟙 the
//   scheme's stability function (1 + z for Euler and residual steps; Σ_{k≤4} z^k/k! for RK4).
// Values are the largest over the samples.
#pragma once

#include <complex>
#include <string>
#include <vector>

#include "deepctl/layer/ode_block.hpp"
#include "deepctl/problem/problem.hpp"

namespace deepctl::spectrum {

struct LayerStability {
  Index layer = 0;
  std::string kind;
  double spectral_radius = 0;    // max |eig f_x|
  double abs_determinant = 0;    // max |det f_x|
  bool is_step = false;          // residual or ODE block: the field's values below are set
  double step = 0;               // h
  double max_real = 0;           // max Re λ(g_x)
  double max_amplification = 0;  // max |R(hλ)|
};

// R(z) of an explicit Runge–Kutta tableau.
std::complex<double> stability_function(const ButcherTableau& tableau, std::complex<double> z);

// The width-keeping layers of the problem at the rows of X (inputs of the network); layers that
// change the width or are wider than 1024 are left out.
std::vector<LayerStability> layer_stability(const Problem<double>& problem,
                                            const Params<double>& theta, CMatRef<double> X);

}  // namespace deepctl::spectrum
