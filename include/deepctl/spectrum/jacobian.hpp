// Dynamical isometry (REFERENCE F4): the spectrum of J Jᵀ for the input–output Jacobian
// J = ∂x_T/∂x_0 = Π_l D^l W^l of a deep network, D^l = diag(φ′(z^l)), measured exactly and
// predicted by free probability (Pennington, Schoenholz & Ganguli 2017, 2018).
//
// Theory, for L layers of φ at the fixed point q* (inputs of squared length q*), N → ∞:
//   μ_k = E[φ′(√q* z)^{2k}]                 moments of D²
//   mean      m_1 = (σ_w² μ_1)^L = χ_1^L
//   variance  σ² = m_1² L (μ_2/μ_1² − 1 − s_1),  s_1 = −1 Gaussian, 0 orthogonal weights
//   edge      λ_max = min_{m>0} ((1+m)/m) [σ_w² m z_D(m) (1+m)^{g−1}]^L, g = 1 Gaussian, 0
//             orthogonal, z_D = M_{D²}^{-1} with M_{D²}(z) = E[λ/(z − λ)], λ = φ′(√q* z)²;
//             a minimum at m → ∞ is the hard edge (σ_w² max φ′²)^L.
//   density   ρ(x) = −Im M_J(x + i0)/(π x) for x > 0, where M_J(ζ) = E[λ/(ζ − λ)] of J Jᵀ's law is
//             the m with M_J^{-1}(m) = ((1+m)/m) [σ_w² m z_D(m) (1+m)^{g−1}]^L = ζ (the function
//             the edge minimises). Solved for (m, z = z_D(m)) jointly by Newton's method,
//             continued from ζ = x + iY far from the spectrum (m ≈ m_1/ζ, z ≈ μ_1/m) down to
//             Y = 1e-9 x: for Im ζ > 0, Im m < 0 and Im z > 0, so the principal logarithms in
//             log M_J^{-1} stay continuous and the path cannot change branch. The atom at 0 has
//             the mass of φ′ = 0 (the kernel of D; e.g. ½ for ReLU); ρ carries the rest.
// Checks: linear networks with σ_w² = 1 have variance L and edge (L+1)^{L+1}/L^L (Gaussian),
// variance 0 and edge 1 (orthogonal); the density at L = 1 is Marchenko–Pastur's
// √(x(4 − x))/(2πx), and its moments are m_1 and σ² + m_1².
#pragma once

#include "deepctl/meanfield/meanfield.hpp"
#include "deepctl/problem/problem.hpp"

namespace deepctl::spectrum {

// The eigenvalues of J Jᵀ (squared singular values of J, ascending) at input x, J built
// column by column by the layers' jvp on the identity: exact, O(L N³).
Vec<double> jacobian_squared_singular_values(const Problem<double>& problem,
                                             const Params<double>& theta, CVecRef<double> x);

// Matrix-free, for wide networks: JᵀJ v by a tangent pass (the layers' jvp, one row) and a
// costate pass (their vjp with the input costate), never forming J; JᵀJ shares J Jᵀ's nonzero
// eigenvalues. InputError as above.
struct JacobianGram {
  JacobianGram(const Problem<double>& problem, const Params<double>& theta, CVecRef<double> x);
  Index dim() const { return dim_; }
  void apply(CVecRef<double> v, VecRef<double> out);  // out = JᵀJ v

 private:
  const Problem<double>* problem_;
  const Params<double>* theta_;
  Index dim_;
  Workspace<double> ws_;
  std::vector<Mat<double>> tangents_, costates_;  // J's tangents forward; the costates back
  std::vector<Vec<double>> no_tangent_;           // dθ = 0 per layer
};

struct MatrixFreeSpectrum {
  Vec<double> top;             // the largest squared singular values (Lanczos), descending
  double mean = 0;             // (1/n) tr JᵀJ by stochastic Lanczos quadrature
  double variance = 0;         // (1/n) tr (JᵀJ)² − mean², the same quadrature
  Vec<double> nodes, weights;  // the quadrature's density (spectrum/lanczos.hpp)
};
// k top values from `steps` Lanczos steps; moments and density from `probes` Rademacher probes
// of `steps` steps each (Rng(seed)).
MatrixFreeSpectrum jacobian_spectrum_matrix_free(const Problem<double>& problem,
                                                 const Params<double>& theta, CVecRef<double> x,
                                                 Index k, Index steps, Index probes,
                                                 std::uint64_t seed);

struct FreeProbability {
  double mean = 0;      // m_1
  double variance = 0;  // σ²
  double edge = 0;      // λ_max
  double atom = 0;      // mass at λ = 0 (where φ′ = 0)
};

FreeProbability free_probability(const meanfield::ActivationMoments& moments, double sw2,
                                 double q_star, int depth, bool orthogonal);

// ρ(x) at each x > 0 (the density of the law's continuous part; NaN where the continuation
// fails, which the tests never see). InputError on x ≤ 0 or the arguments above.
Vec<double> free_probability_density(const meanfield::ActivationMoments& moments, double sw2,
                                     double q_star, int depth, bool orthogonal, CVecRef<double> x);

// A measured law (values λ_i ≥ 0 with masses w_i: eigenvalues with 1/n each, or stochastic
// Lanczos quadrature's nodes and weights) beside the prediction on `bins` bins uniform in log λ
// from 1e-6 of `top` to 1.2 top: each bin's measured mass and ∫_bin ρ (8 Gauss–Legendre nodes
// in log λ per bin), and the mass below the first bin — measured (the atom at 0 and the
// continuous part's tail, which the rounding of λ ≈ 0 does not tell apart) and predicted
// (1 − Σ predicted).
struct LawHistogram {
  std::vector<double> edges, measured, predicted;
  double below = 0, predicted_below = 0;
};
LawHistogram law_histogram(const std::vector<double>& values, const std::vector<double>& masses,
                           double top, const meanfield::ActivationMoments& moments, double sw2,
                           double q_star, int depth, bool orthogonal, int bins = 40);

}  // namespace deepctl::spectrum
