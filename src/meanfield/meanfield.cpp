#include "deepctl/meanfield/meanfield.hpp"

#include <cmath>
#include <limits>
#include <numbers>

#include "deepctl/core/error.hpp"
#include "deepctl/core/roots.hpp"
#include "deepctl/meanfield/gaussian.hpp"

namespace deepctl::meanfield {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kCriticalTolerance = 1e-12;  // |χ_1 − 1| below this is "critical"

enum Which { kValue = 0, kDerivative = 1, kCurvature = 2 };

// φ, φ′ or φ φ″ at the points u.
std::vector<double> evaluate(const Activation& act, const std::vector<double>& u, int which) {
  std::vector<double> out(u.size());
  const Index n = static_cast<Index>(u.size());
  if (which == kValue) act.value(u.data(), out.data(), n);
  if (which == kDerivative) act.derivative(u.data(), out.data(), n);
  if (which == kCurvature) {
    std::vector<double> phi(u.size());
    act.value(u.data(), phi.data(), n);
    act.second_derivative(u.data(), out.data(), n);
    for (std::size_t i = 0; i < u.size(); ++i) out[i] *= phi[i];
  }
  return out;
}

double normal_pdf(double x) {
  return std::exp(-x * x / 2) / std::sqrt(2 * kPi);
}

}  // namespace

ActivationMoments::ActivationMoments(Activation activation, bool closed_forms) : act_(activation) {
  switch (closed_forms ? act_.kind() : ActivationKind::Tanh) {
    case ActivationKind::Linear:
      form_ = Form::Linear;
      break;
    case ActivationKind::ReLU:
      form_ = Form::ReLU;
      break;
    case ActivationKind::Erf:
      form_ = Form::Erf;
      break;
    case ActivationKind::HardTanh:
      form_ = Form::HardTanh;
      break;
    default:
      form_ = Form::Quadrature;
  }
  if (act_.kind() == ActivationKind::HardTanh)
    features_ = {-1.0, 1.0};
  else if (act_.kind() != ActivationKind::Linear)
    features_ = {0.0};
}

double ActivationMoments::quadrature_1d(double q, int which, int power) const {
  if (!(q >= 0) || std::isinf(q)) return kNaN;
  const auto rule = GaussianRule::for_argument(std::sqrt(q), 0.0, features_);
  std::vector<double> v = evaluate(act_, rule.arguments(std::sqrt(q), 0.0), which);
  for (double& x : v) {
    const double base = x;
    for (int p = 1; p < power; ++p) x *= base;
  }
  return rule.sum(v);
}

ActivationMoments::LengthMoments ActivationMoments::length_moments(double q) const {
  if (form_ != Form::Quadrature || !(q >= 0) || std::isinf(q))
    return {second_moment(q), derivative_moment(q), curvature_moment(q)};
  const auto rule = GaussianRule::for_argument(std::sqrt(q), 0.0, features_);
  const std::vector<double> u = rule.arguments(std::sqrt(q), 0.0);
  const Index n = static_cast<Index>(u.size());
  std::vector<double> phi(u.size()), d1(u.size()), d2(u.size());
  act_.value_and_derivatives(u.data(), phi.data(), d1.data(), d2.data(), n);
  LengthMoments m{0, 0, 0};
  for (std::size_t i = 0; i < u.size(); ++i) {
    const double w = rule.weights()[i];
    m.second += w * phi[i] * phi[i];
    m.derivative += w * d1[i] * d1[i];
    m.curvature += w * phi[i] * d2[i];
  }
  return m;
}

double ActivationMoments::mean(double q) const {
  return quadrature_1d(q, kValue, 1);
}

double ActivationMoments::second_moment(double q) const {
  switch (form_) {
    case Form::Linear:
      return q;
    case Form::ReLU:
      return q / 2;
    case Form::Erf:
      return std::isinf(q) ? 1.0 : 2 / kPi * std::asin(2 * q / (1 + 2 * q));
    case Form::HardTanh: {
      if (q == 0) return 0;
      const double a = 1 / std::sqrt(q), p = std::erf(a / std::sqrt(2.0));
      return q * (p - 2 * a * normal_pdf(a)) + 1 - p;
    }
    case Form::Quadrature:
      break;
  }
  return quadrature_1d(q, kValue, 2);
}

double ActivationMoments::derivative_moment(double q, int k) const {
  switch (form_) {
    case Form::Linear:
      return 1;
    case Form::ReLU:
      return 0.5;
    case Form::Erf:
      return std::pow(4 / kPi, k) / std::sqrt(1 + 4 * k * q);
    case Form::HardTanh:
      return q == 0 ? 1.0 : std::erf(1 / std::sqrt(2 * q));
    case Form::Quadrature:
      break;
  }
  return quadrature_1d(q, kDerivative, 2 * k);
}

double ActivationMoments::curvature_moment(double q) const {
  switch (form_) {
    case Form::Linear:
    case Form::ReLU:
      return 0;  // φ″ = δ(u) for ReLU, and φ(0) = 0
    case Form::Erf:
      return -8 * q / (kPi * (1 + 2 * q) * std::sqrt(1 + 4 * q));
    case Form::HardTanh: {
      if (q == 0) return 0;
      const double a = 1 / std::sqrt(q);  // φ″ = δ(u + 1) − δ(u − 1)
      return -2 * a * normal_pdf(a);
    }
    case Form::Quadrature:
      break;
  }
  return quadrature_1d(q, kCurvature, 1);  // leaky ReLU's δ(u) meets φ(0) = 0
}

std::vector<double> ActivationMoments::hermite_coefficients(double q, int K) const {
  const auto rule = GaussianRule::for_argument(std::sqrt(q), 0.0, features_);
  const std::vector<double> phi = evaluate(act_, rule.arguments(std::sqrt(q), 0.0), kValue);
  std::vector<double> a(K + 1, 0.0), root(K + 2), inv_root(K + 2);
  for (int k = 0; k <= K + 1; ++k) {
    root[k] = std::sqrt(double(k));
    inv_root[k] = k > 0 ? 1 / root[k] : 0.0;
  }
  // Orthonormal Hermite values h_k = He_k/√k! at every node by h_{k+1} = (z h_k − √k
  // h_{k−1})/√(k+1), swept over k with the nodes innermost (vectorised).
  const std::size_t n = phi.size();
  std::vector<double> wf(n), prev(n, 0.0), cur(n, 1.0), next(n);
  for (std::size_t i = 0; i < n; ++i) wf[i] = rule.weights()[i] * phi[i];
  const std::vector<double>& z = rule.z();
  for (int k = 0; k <= K; ++k) {
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      sum += wf[i] * cur[i];
      next[i] = (z[i] * cur[i] - root[k] * prev[i]) * inv_root[k + 1];
    }
    a[k] = sum;
    std::swap(prev, cur);
    std::swap(cur, next);
  }
  return a;
}

double ActivationMoments::quadrature_covariance(double q11, double q22, double c,
                                                bool derivative) const {
  // u1 = √q11 z1; given z1, u2 = √q22 (c z1 + s z2) with s = √(1 − c²), carried as
  // √((1 − c)(1 + c)) to keep digits near c = 1. The inner expectation, a function of z1, has
  // transitions of width s/|c| in z1 where √q22 c z1 meets a feature: the outer rule refines
  // there too.
  const int which = derivative ? kDerivative : kValue;
  if (c == 0) {  // independent: a product of one-dimensional expectations
    const double e1 = quadrature_1d(q11, which, 1);
    return q11 == q22 ? e1 * e1 : e1 * quadrature_1d(q22, which, 1);
  }
  const double r11 = std::sqrt(q11), r22 = std::sqrt(q22);
  const double s = std::sqrt((1 - c) * (1 + c)), a = r22 * s;
  std::vector<Feature> outer_features;
  for (double u : features_) {
    outer_features.push_back({u / r11, 0.5 / r11});
    if (c != 0) outer_features.push_back({u / (r22 * c), std::max(s, 1e-300) / std::abs(c)});
  }
  const GaussianRule outer(outer_features);
  const std::vector<double> g = evaluate(act_, outer.arguments(r11, 0.0), which);
  double total = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (outer.weights()[i] < 1e-300) continue;
    const double b = r22 * c * outer.z()[i];
    const auto inner = GaussianRule::for_argument(a, b, features_);
    total += outer.weights()[i] * g[i] * inner.sum(evaluate(act_, inner.arguments(a, b), which));
  }
  return total;
}

double ActivationMoments::covariance(double q11, double q22, double c) const {
  if (c < -1 || c > 1)
    throw InputError("correlation c = " + std::to_string(c) + " outside [-1, 1]");
  const double q12 = c * std::sqrt(q11 * q22);
  switch (form_) {
    case Form::Linear:
      return q12;
    case Form::ReLU: {
      const double t = std::acos(c);
      return std::sqrt(q11 * q22) * (std::sin(t) + (kPi - t) * c) / (2 * kPi);
    }
    case Form::Erf:
      return 2 / kPi * std::asin(2 * q12 / std::sqrt((1 + 2 * q11) * (1 + 2 * q22)));
    default:
      break;
  }
  return quadrature_covariance(q11, q22, c, false);
}

double ActivationMoments::derivative_covariance(double q11, double q22, double c) const {
  if (c < -1 || c > 1)
    throw InputError("correlation c = " + std::to_string(c) + " outside [-1, 1]");
  switch (form_) {
    case Form::Linear:
      return 1;
    case Form::ReLU:
      return (kPi - std::acos(c)) / (2 * kPi);
    case Form::Erf: {
      const double q12 = c * std::sqrt(q11 * q22);
      return 4 / kPi / std::sqrt((1 + 2 * q11) * (1 + 2 * q22) - 4 * q12 * q12);
    }
    default:
      break;
  }
  return quadrature_covariance(q11, q22, c, true);
}

double depth_scale(double chi) {
  if (!std::isfinite(chi) || chi <= 0) return kNaN;
  if (chi == 1) return kInf;
  return -1 / std::log(chi);
}

Phase phase_of(double chi1) {
  if (std::abs(chi1 - 1) <= kCriticalTolerance) return Phase::Critical;
  return chi1 < 1 ? Phase::Ordered : Phase::Chaotic;
}

std::string phase_name(Phase phase) {
  switch (phase) {
    case Phase::Ordered:
      return "ordered";
    case Phase::Critical:
      return "critical";
    case Phase::Chaotic:
      return "chaotic";
    case Phase::Divergent:
      return "divergent";
  }
  return "?";
}

double length_map(const ActivationMoments& m, double sw2, double sb2, double q) {
  return sw2 * m.second_moment(q) + sb2;
}

double correlation_map(const ActivationMoments& m, double sw2, double sb2, double q, double c) {
  return (sw2 * m.covariance(q, q, c) + sb2) / q;
}

namespace {

void check_variances(double sw2, double sb2) {
  if (!(sw2 > 0) || !std::isfinite(sw2))
    throw InputError("sw2 (σ_w², a variance) must be positive and finite, got " +
                     std::to_string(sw2));
  if (!(sb2 >= 0) || !std::isfinite(sb2))
    throw InputError("sb2 (σ_b², a variance) must be non-negative and finite, got " +
                     std::to_string(sb2));
}

// The fixed point of the length map reached by iterating from q = 1 (the map is increasing).
double length_fixed_point(const ActivationMoments& m, double sw2, double sb2) {
  auto F = [&](double q) { return length_map(m, sw2, sb2, q) - q; };
  const double f1 = F(1.0);
  if (f1 == 0) return 1.0;
  if (f1 > 0) {
    double lo = 1, hi = 2;
    while (F(hi) > 0) {
      lo = hi;
      hi *= 2;
      if (hi > 1e15) return kInf;
    }
    return brent_root(F, lo, hi);
  }
  double lo = 0.5, hi = 1;
  while (F(lo) < 0) {
    hi = lo;
    lo /= 4;
    if (lo < 1e-14) return 0.0;  // (σ_b² > 0 keeps F(q) > 0 below σ_b²: only σ_b² = 0 gets here)
  }
  return brent_root(F, lo, hi);
}

}  // namespace

Analysis analyze(const ActivationMoments& m, double sw2, double sb2, double keep) {
  check_variances(sw2, sb2);
  if (!(keep > 0 && keep <= 1))
    throw InputError("keep (the dropout keep probability) must be in (0, 1], got " +
                     std::to_string(keep));
  Analysis r;
  r.q_star = length_fixed_point(m, sw2 / keep, sb2);
  r.chi1 = sw2 * m.derivative_moment(r.q_star);
  r.phase = std::isinf(r.q_star) ? Phase::Divergent : phase_of(r.chi1);
  r.xi_grad = depth_scale(r.chi1);
  const bool finite_length = r.q_star > 0 && std::isfinite(r.q_star);
  r.chi_q = finite_length
                ? sw2 / keep * (m.derivative_moment(r.q_star) + m.curvature_moment(r.q_star))
                : kNaN;
  r.xi_q = depth_scale(r.chi_q);
  if (!finite_length) {
    r.c_star = r.chi_c = r.xi_c = kNaN;
    return r;
  }
  if (r.phase != Phase::Chaotic && keep == 1) {
    r.c_star = 1;
    r.chi_c = r.chi1;
  } else {
    auto G = [&](double c) { return correlation_map(m, sw2, sb2, r.q_star, c) - c; };
    double delta = 0.5;
    while (G(1 - delta) >= 0 && delta > 1e-12) delta /= 2;
    r.c_star = G(0) <= 0 ? 0.0 : brent_root(G, 0.0, 1 - delta, 1e-15);
    r.chi_c = sw2 * m.derivative_covariance(r.q_star, r.q_star, r.c_star);
  }
  r.xi_c = depth_scale(r.chi_c);
  return r;
}

CriticalPoint critical_point(const ActivationMoments& m, double sb2) {
  check_variances(1.0, sb2);
  const auto kind = m.activation().kind();
  if (kind == ActivationKind::Linear || kind == ActivationKind::ReLU)
    // μ_1 is constant, so σ_b²(q*) ≡ 0: critical only at σ_b² = 0, for every q*.
    return {sb2 == 0 ? 1 / m.derivative_moment(1.0) : kNaN, kNaN};
  double phi0 = 0, dphi0 = 0;
  const double zero = 0;
  m.activation().value(&zero, &phi0, 1);
  m.activation().derivative(&zero, &dphi0, 1);
  if (sb2 == 0 && phi0 == 0 && dphi0 != 0) return {1 / (dphi0 * dphi0), 0.0};  // the limit q* → 0
  auto excess = [&](double q) { return q - m.second_moment(q) / m.derivative_moment(q) - sb2; };
  double lo = 1e-8, f_lo = excess(lo);
  for (double hi = lo * 1.5; hi < 1e8; lo = hi, hi *= 1.5) {
    const double f_hi = excess(hi);
    if ((f_lo > 0) != (f_hi > 0)) {
      const double q = brent_root(excess, lo, hi);
      return {1 / m.derivative_moment(q), q};
    }
    f_lo = f_hi;
  }
  return {kNaN, kNaN};
}

}  // namespace deepctl::meanfield
