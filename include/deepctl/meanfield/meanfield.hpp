// Mean-field signal propagation through wide random networks z^l = W^l φ(z^{l−1}) + b^l with
// W_ij ~ N(0, σ_w²/N), b_i ~ N(0, σ_b²) (variances, REFERENCE C7; F2, F3).
//
//   length map       q ↦ Q(q) = σ_w² E[φ(√q z)²] + σ_b²
//   correlation map  c ↦ C(c) = (σ_w² E[φ(u1) φ(u2)] + σ_b²) / q*,
//                    u1 = √q* z1, u2 = √q* (c z1 + √(1−c²) z2)
//   χ_1 = σ_w² E[φ′(√q* z)²]                     slope of C at c = 1
//   χ_c = σ_w² E[φ′(u1) φ′(u2)] at c*             slope of C at c*
//   χ_q = σ_w² E[φ′² + φ φ″](√q* z) = Q′(q*)      (Stein's lemma)
//   ξ_q = −1/ln χ_q,  ξ_c = −1/ln χ_c,  ξ_∇ = −1/ln χ_1 (negative: gradients explode)
//   phase: ordered χ_1 < 1 (c* = 1), chaotic χ_1 > 1 (c* < 1), critical χ_1 = 1
//   critical line, by q* > 0: σ_w²(q*) = 1/E[φ′(√q* z)²], σ_b²(q*) = q* − σ_w²(q*) E[φ(√q* z)²]
//
// Expectations use closed forms where they exist (linear, ReLU arc-cosine kernel, erf, and the
// one-dimensional hard-tanh moments) and composite Gauss–Legendre quadrature otherwise
// (gaussian.hpp); everything is float64.
//
// Undefined values are NaN and infinite ones +inf: q* = +inf when the length map diverges
// (ReLU with σ_w² ≥ 2 and σ_b² > 0); q* = 0 when σ_b² = 0 and the origin attracts (then c*,
// χ_c and ξ_c are undefined); ξ = +inf exactly at criticality.
#pragma once

#include <string>
#include <vector>

#include "deepctl/layer/activation.hpp"

namespace deepctl::meanfield {

// Gaussian expectations of one activation and its derivatives.
class ActivationMoments {
 public:
  // closed_forms = false forces quadrature everywhere (to test the closed forms against it).
  explicit ActivationMoments(Activation activation, bool closed_forms = true);
  const Activation& activation() const { return act_; }

  double mean(double q) const;                          // E[φ(√q z)]
  double second_moment(double q) const;                 // E[φ(√q z)²]
  double derivative_moment(double q, int k = 1) const;  // μ_k = E[φ′(√q z)^{2k}]
  double curvature_moment(double q) const;  // E[φ φ″](√q z), delta terms at kinks included
  // The three moments of the length map at once (one pass over the nodes):
  // E[φ²], μ_1 = E[φ′²] and E[φ φ″], so Q(q) = σ_w² E[φ²] + σ_b² and Q′(q) = σ_w² (μ_1 + E[φ φ″]).
  struct LengthMoments {
    double second, derivative, curvature;
  };
  LengthMoments length_moments(double q) const;
  double covariance(double q11, double q22, double c) const;             // E[φ(u1) φ(u2)]
  double derivative_covariance(double q11, double q22, double c) const;  // E[φ′(u1) φ′(u2)]
  // a_k = E[φ(√q z) He_k(z)]/√k!, k = 0..K: φ(√q z) = Σ a_k He_k(z)/√k!, so by Mehler's
  // formula E[φ(u1) φ(u2)] = Σ a_k² c^k when both lengths are q.
  std::vector<double> hermite_coefficients(double q, int K) const;

 private:
  enum class Form { Linear, ReLU, Erf, HardTanh, Quadrature };
  // E[g(u1) h(u2)] by the conditional decomposition u2 | z1 (derivative: g = φ′, h = φ′).
  double quadrature_covariance(double q11, double q22, double c, bool derivative) const;
  double quadrature_1d(double q, int which, int power) const;
  // ∫Dz g(√q z)-style sums share this rule; for_argument(√q, 0, features_).
  Activation act_;
  Form form_;
  std::vector<double> features_;  // kinks and transition centres of φ, in its argument
};

// Divergent: the length map has no finite fixed point (q* = +inf).
enum class Phase { Ordered, Critical, Chaotic, Divergent };
std::string phase_name(Phase phase);
// The phase of a finite q* from χ_1: critical within 1e-12 of 1, else ordered or chaotic.
Phase phase_of(double chi1);
// ξ = −1/ln χ: +inf at χ = 1, negative for χ > 1, NaN where χ is not positive and finite.
double depth_scale(double chi);

double length_map(const ActivationMoments& m, double sw2, double sb2, double q);
// C(c) for two inputs of squared length q each (the normalised correlation map).
double correlation_map(const ActivationMoments& m, double sw2, double sb2, double q, double c);

struct Analysis {
  double q_star = 0, c_star = 0;
  double chi1 = 0, chi_q = 0, chi_c = 0;
  double xi_q = 0, xi_c = 0, xi_grad = 0;
  Phase phase = Phase::Ordered;
};

// Fixed points, slopes, depth scales and phase of (σ_w², σ_b²). q* is the fixed point reached
// by iterating the length map from q = 1; c* the one reached from c ∈ (0, 1).
// With dropout of keep probability ρ < 1 (F3): q = (σ_w²/ρ) E[φ²] + σ_b² while the off-diagonal
// map is unchanged, so C(1) < 1, c* < 1 everywhere and ξ_c stays finite: no critical point.
Analysis analyze(const ActivationMoments& m, double sw2, double sb2, double keep = 1.0);

struct CriticalPoint {
  double sw2 = 0;     // NaN where the activation has no critical point at this σ_b²
  double q_star = 0;  // the q* on the critical line there (0: the limit q* → 0)
};
// The critical σ_w² at a given σ_b² ≥ 0 (χ_1 = 1).
CriticalPoint critical_point(const ActivationMoments& m, double sb2);

}  // namespace deepctl::meanfield
