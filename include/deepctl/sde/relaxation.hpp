// Deep relaxation (Chaudhari, Oberman, Osher, Soatto & Carlier 2018; REFERENCE F23): the loss
// f smoothed by the viscous Hamilton–Jacobi equation
//     u_t = −½|∇u|² + (β⁻¹/2) Δu,   u(x, 0) = f(x),
// solved by Cole–Hopf, u(x, t) = −β⁻¹ ln (G_{β⁻¹t} * e^{−βf})(x) with the heat kernel
// G_s(z) = (2πs)^{−1/2} e^{−z²/(2s)}, and ∇u = (x − ⟨y⟩)/t under ρ(y) ∝ e^{−βf(y) − β(x−y)²/(2t)}
// (local entropy with γ = 1/t: Entropy-SGD's step). The inviscid limit is the Moreau envelope
// (Hopf–Lax) u(x, t) = min_y f(y) + (x − y)²/(2t). u is the value function of the control
// problem min_α E[f(x(t)) + ½∫|α|² ds], dx = α ds + √(β⁻¹) dW, with α* = −∇u.
// For f = ½ax²: Moreau ax²/(2(1 + at)), viscous ax²/(2(1 + at)) + ln(1 + at)/(2β) (d = 1).
// One-dimensional oracles here, each on a uniform grid.
#pragma once

#include <functional>
#include <vector>

namespace deepctl::sde {

using ScalarFunction = std::function<double(double)>;

// u(x, t) by Cole–Hopf: the convolution by the trapezoid rule on [x − 12√(t/β), x + 12√(t/β)]
// with `points` nodes, evaluated stably (log-sum-exp). InputError unless t > 0 and β > 0.
double cole_hopf(const ScalarFunction& f, double x, double t, double beta, int points = 20001);

// ∇u(x, t) = (x − ⟨y⟩)/t by the same quadrature (the local-entropy gradient with γ = 1/t).
double cole_hopf_gradient(const ScalarFunction& f, double x, double t, double beta,
                          int points = 20001);

// The Moreau envelope min_y f(y) + (x − y)²/(2t), by brute force over y on [lo, hi] (`points`).
double hopf_lax(const ScalarFunction& f, double x, double t, double lo, double hi,
                int points = 200001);

// u(·, t) on the grid x_j = lo + j(hi − lo)/(n − 1) by explicit finite differences (central
// differences, Δt = βΔx²/4, within the bound βΔx²/2), with u held at its Cole–Hopf values on the
// two boundary nodes. InputError unless n ≥ 3, hi > lo, t > 0, β > 0.
std::vector<double> viscous_hj_finite_differences(const ScalarFunction& f, double lo, double hi,
                                                  int n, double t, double beta);

}  // namespace deepctl::sde
