// Seeded synthetic problems.
//
//   two_spirals        2 classes; class c at angle θ = 4π·u (u ~ U(0,1)), radius θ/(4π), point
//                      (−1)^c (r cos θ, r sin θ) + noise·N(0, I₂)
//   gaussian_mixture   `classes` Gaussians N(μ_c, I) in R^dim, μ_c ~ N(0, separation²·I)
//   teacher_student    regression y = Σ_j v_j tanh(w_jᵀ x) / √hidden + noise·ε, x ~ N(0, I),
//                      w_j ~ N(0, I/dim), v_j ~ N(0, 1): a random one-hidden-layer teacher
//   sine               regression y = sin x + noise·ε, x ~ U(−π, π), the input x repeated `dim`
//                      times (the E-MSA toy of Li, Chen, Tai & E; REFERENCE F9 (d))
#pragma once

#include "deepctl/data/dataset.hpp"

namespace deepctl {

Dataset two_spirals(Index n, double noise, Rng& rng);
Dataset gaussian_mixture(Index n, Index classes, Index dim, double separation, Rng& rng);
Dataset teacher_student(Index n, Index dim, Index hidden, double noise, Rng& rng);
Dataset sine(Index n, Index dim, double noise, Rng& rng);

}  // namespace deepctl
