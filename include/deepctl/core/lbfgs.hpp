// Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4 with the two-loop recursion, 7.5) for
// minimising a smooth f: Rⁿ → R given f and ∇f together. Written here (no Debian library
// offers a small C++ L-BFGS over Eigen vectors); E-MSA's inner maximisation uses it, as the
// authors' code does (≤ 10 iterations, warm start).
//
// Each iteration: direction d = −H∇f from the last `memory` pairs (s, y) with the initial
// scaling γ = sᵀy / yᵀy, then a backtracking line search from step 1 until the Armijo
// condition f(x + αd) ≤ f(x) + c₁ α ∇fᵀd holds (c₁ = 1e-4, halving, at most 30 halvings).
// Pairs with sᵀy ≤ 1e-12‖s‖‖y‖ are skipped (curvature condition), so H stays positive definite.
// The search stops early when no step decreases f: in double precision that happens once
// ‖∇f‖² / curvature falls below the rounding of f, so gradient tolerances far below
// 1e-8 · |f| are not reachable.
#pragma once

#include <functional>

#include "deepctl/core/types.hpp"

namespace deepctl {

struct LbfgsOptions {
  int max_iterations = 10;
  int memory = 10;
  double gradient_tolerance = 1e-10;  // stop when ‖∇f‖ ≤ this
};

struct LbfgsResult {
  int iterations = 0;
  double value = 0;
  bool converged = false;  // the gradient tolerance was met
};

// Minimises f from x (overwritten with the result). fg(x, grad) returns f(x) and writes ∇f(x).
LbfgsResult lbfgs_minimize(const std::function<double(const Vec<double>&, Vec<double>&)>& fg,
                           Vec<double>& x, const LbfgsOptions& options = {});

}  // namespace deepctl
