#include "deepctl/meanfield/phase_diagram.hpp"

#include <cmath>
#include <limits>

#include "deepctl/core/error.hpp"

namespace deepctl::meanfield {
namespace {

constexpr int kHermiteTerms = 128;
constexpr double kTailTolerance = 1e-11;

bool has_closed_c_map(const Activation& a) {
  const auto k = a.kind();
  return k == ActivationKind::Linear || k == ActivationKind::ReLU || k == ActivationKind::Erf;
}

// q* by safeguarded Newton from q0 (a neighbour's q*, or Q(1)): where Q′ ≥ 1 or the step
// would leave (0, ∞) it takes a fixed-point step q ← Q(q) instead, which moves towards the
// attracting fixed point. q = NaN when it does not settle (the caller then brackets). The
// moments are those of the last evaluation, within 1e-14 relative of q.
struct LengthSolution {
  double q;
  ActivationMoments::LengthMoments moments;
};
LengthSolution newton_length(const ActivationMoments& m, double sw2, double sb2, double q0) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  double q = q0 > 0 && std::isfinite(q0) ? q0 : length_map(m, sw2, sb2, 1.0);
  for (int it = 0; it < 100; ++it) {
    if (!(q > 1e-300) || !std::isfinite(q)) break;
    const auto mom = m.length_moments(q);
    const double Q = sw2 * mom.second + sb2, dF = sw2 * (mom.derivative + mom.curvature) - 1;
    if (std::abs(Q - q) <= 1e-15 * q) return {q, mom};  // the residual is at rounding level
    double next = q - (Q - q) / dF;
    if (!(dF < 0) || !(next > 0)) next = Q;
    if (std::abs(next - q) <= 1e-14 * q) return {next, mom};
    q = next;
  }
  return {nan, {nan, nan, nan}};
}

Analysis grid_point(const ActivationMoments& m, double sw2, double sb2, double q0, double keep) {
  // Dropout (keep < 1) scales the length map's σ_w² by 1/keep only (meanfield.hpp).
  const auto [q, mom] = newton_length(m, sw2 / keep, sb2, q0);
  if (std::isnan(q)) return analyze(m, sw2, sb2, keep);  // q* = 0, ∞, or a hard case
  Analysis r;
  r.q_star = q;
  r.chi1 = sw2 * mom.derivative;
  r.chi_q = sw2 / keep * (mom.derivative + mom.curvature);
  r.phase = phase_of(r.chi1);
  r.xi_q = depth_scale(r.chi_q);
  r.xi_grad = depth_scale(r.chi1);
  if (r.phase != Phase::Chaotic && keep == 1) {
    r.c_star = 1;
    r.chi_c = r.chi1;
  } else if (has_closed_c_map(m.activation())) {
    // Newton from c = 0 on the convex G(c) = C(c) − c climbs monotonically to c*.
    double c = 0;
    for (int it = 0; it < 100; ++it) {
      const double G = correlation_map(m, sw2, sb2, q, c) - c;
      const double dG = sw2 * m.derivative_covariance(q, q, c) - 1;
      const double step = G / dG;
      c = std::min(c - step, 1.0);
      if (std::abs(step) <= 1e-15) break;
    }
    r.c_star = c;
    r.chi_c = sw2 * m.derivative_covariance(q, q, c);
  } else {
    std::vector<double> a2;
    double c = 0, value = 0, slope = 0;
    auto series = [&](double x, double& v, double& dv) {
      v = dv = 0;
      for (std::size_t k = a2.size(); k-- > 0;) {  // Horner for Σ a_k² x^k and its derivative
        dv = dv * x + v;
        v = v * x + a2[k];
      }
    };
    bool settled = false;
    for (int terms : {kHermiteTerms / 2, kHermiteTerms * 2}) {  // few terms suffice far from c = 1
      const std::vector<double> a = m.hermite_coefficients(q, terms);
      a2.resize(a.size());
      double captured = 0;
      for (std::size_t k = 0; k < a.size(); ++k) captured += a2[k] = a[k] * a[k];
      c = 0;
      for (int it = 0; it < 100; ++it) {
        series(c, value, slope);
        const double G = (sw2 * value + sb2) / q - c, dG = sw2 * slope / q - 1;
        const double step = G / dG;
        c = std::min(c - step, 1.0);
        if (std::abs(step) <= 1e-15) break;
      }
      const double tail = std::max(mom.second - captured, 0.0) * std::pow(c, terms + 1);
      settled = c >= 0 && c < 1 && sw2 * tail / q <= kTailTolerance;
      if (settled) break;
    }
    if (!settled) return analyze(m, sw2, sb2, keep);
    series(c, value, slope);
    r.c_star = c;
    r.chi_c = sw2 * slope / q;
  }
  r.xi_c = depth_scale(r.chi_c);
  return r;
}

}  // namespace

PhaseGrid phase_diagram(const ActivationMoments& m, const std::vector<double>& sw2,
                        const std::vector<double>& sb2, double keep) {
  if (!(keep > 0 && keep <= 1))
    throw InputError("keep (the dropout keep probability) must be in (0, 1], got " +
                     std::to_string(keep));
  PhaseGrid grid{sw2, sb2, std::vector<Analysis>(sw2.size() * sb2.size())};
  for (double v : sw2)
    if (!(v > 0))
      throw InputError("phase diagram: sw2 values must be positive, got " + std::to_string(v));
  for (double v : sb2)
    if (!(v >= 0))
      throw InputError("phase diagram: sb2 values must be non-negative, got " + std::to_string(v));
  // One row of constant σ_b² per task, swept in σ_w² so that Newton starts from the
  // neighbour's q*: the result is the same for any thread count.
  const long rows = static_cast<long>(sb2.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (long i = 0; i < rows; ++i) {
    double q0 = 0;
    for (std::size_t j = 0; j < sw2.size(); ++j) {
      Analysis& a = grid.points[i * sw2.size() + j];
      a = grid_point(m, sw2[j], sb2[i], q0, keep);
      q0 = a.q_star;
    }
  }
  return grid;
}

}  // namespace deepctl::meanfield
