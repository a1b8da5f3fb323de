#include "deepctl/layer/activation.hpp"

#include <cmath>
#include <unsupported/Eigen/SpecialFunctions>

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

template <class S>
using Arr = Eigen::Array<S, Eigen::Dynamic, 1>;
template <class S>
using In = Eigen::Map<const Arr<S>>;
template <class S>
using Out = Eigen::Map<Arr<S>>;

constexpr double kTwoOverSqrtPi = 1.1283791670955126;  // 2/√π
constexpr double kInvSqrt2Pi = 0.3989422804014327;     // 1/√(2π)
constexpr double kInvSqrt2 = 0.7071067811865476;       // 1/√2

struct Entry {
  const char* name;
  ActivationKind kind;
};
constexpr Entry kEntries[] = {
    {"linear", ActivationKind::Linear},   {"tanh", ActivationKind::Tanh},
    {"relu", ActivationKind::ReLU},       {"leaky_relu", ActivationKind::LeakyReLU},
    {"erf", ActivationKind::Erf},         {"hard_tanh", ActivationKind::HardTanh},
    {"sigmoid", ActivationKind::Sigmoid}, {"softplus", ActivationKind::Softplus},
    {"gelu", ActivationKind::GELU},
};

template <class S>
Arr<S> logistic(const In<S>& a) {
  return S(1) / (S(1) + (-a).exp());
}

template <class S>
Arr<S> std_normal_pdf(const In<S>& a) {
  return S(kInvSqrt2Pi) * (S(-0.5) * a.square()).exp();
}

}  // namespace

Activation Activation::parse(const std::string& text) {
  std::string base = text;
  double slope = 0.01;
  if (auto colon = text.find(':'); colon != std::string::npos) {
    base = text.substr(0, colon);
    const std::string number = text.substr(colon + 1);
    char* end = nullptr;
    slope = std::strtod(number.c_str(), &end);
    if (base != "leaky_relu" || number.empty() || *end != '\0' || !std::isfinite(slope))
      throw InputError("activation '" + text +
                       "': only leaky_relu takes a parameter, written leaky_relu:SLOPE");
  }
  for (const auto& e : kEntries)
    if (base == e.name) return Activation(e.kind, slope);
  std::string known;
  for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
  throw InputError("unknown activation '" + text + "'; expected one of " + known);
}

const std::vector<std::string>& Activation::names() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v;
    for (const auto& e : kEntries) v.emplace_back(e.name);
    return v;
  }();
  return all;
}

std::string Activation::name() const {
  for (const auto& e : kEntries)
    if (e.kind == kind_) {
      if (kind_ == ActivationKind::LeakyReLU && slope_ != 0.01)
        return std::string(e.name) + ":" + std::to_string(slope_);
      return e.name;
    }
  return "?";
}

template <class S>
void Activation::value(const S* a_ptr, S* y_ptr, Index n) const {
  In<S> a(a_ptr, n);
  Out<S> y(y_ptr, n);
  switch (kind_) {
    case ActivationKind::Linear:
      y = a;
      break;
    case ActivationKind::Tanh:
      y = a.tanh();
      break;
    case ActivationKind::ReLU:
      y = a.max(S(0));
      break;
    case ActivationKind::LeakyReLU:
      y = (a > S(0)).select(a, S(slope_) * a);
      break;
    case ActivationKind::Erf:
      y = a.erf();
      break;
    case ActivationKind::HardTanh:
      y = a.max(S(-1)).min(S(1));
      break;
    case ActivationKind::Sigmoid:
      y = logistic<S>(a);
      break;
    case ActivationKind::Softplus:
      y = a.max(S(0)) + (-a.abs()).exp().log1p();
      break;
    case ActivationKind::GELU:
      y = a * S(0.5) * (S(1) + (S(kInvSqrt2) * a).erf());
      break;
  }
}

template <class S>
void Activation::derivative(const S* a_ptr, S* d_ptr, Index n) const {
  In<S> a(a_ptr, n);
  Out<S> d(d_ptr, n);
  switch (kind_) {
    case ActivationKind::Linear:
      d.setOnes();
      break;
    case ActivationKind::Tanh:
      d = S(1) - a.tanh().square();
      break;
    case ActivationKind::ReLU:
      d = (a > S(0)).select(Arr<S>::Ones(n), S(0));
      break;
    case ActivationKind::LeakyReLU:
      d = (a > S(0)).select(Arr<S>::Ones(n), S(slope_));
      break;
    case ActivationKind::Erf:
      d = S(kTwoOverSqrtPi) * (-a.square()).exp();
      break;
    case ActivationKind::HardTanh:
      d = (a.abs() < S(1)).select(Arr<S>::Ones(n), S(0));
      break;
    case ActivationKind::Sigmoid: {
      const Arr<S> s = logistic<S>(a);
      d = s * (S(1) - s);
      break;
    }
    case ActivationKind::Softplus:
      d = logistic<S>(a);
      break;
    case ActivationKind::GELU:
      d = S(0.5) * (S(1) + (S(kInvSqrt2) * a).erf()) + a * std_normal_pdf<S>(a);
      break;
  }
}

template <class S>
void Activation::value_and_derivative(const S* a_ptr, S* y_ptr, S* d_ptr, Index n) const {
  value(a_ptr, y_ptr, n);
  Out<S> d(d_ptr, n);
  In<S> y(y_ptr, n);
  switch (kind_) {
    case ActivationKind::Tanh:
      d = S(1) - y.square();
      break;
    case ActivationKind::Sigmoid:
      d = y * (S(1) - y);
      break;
    default:
      derivative(a_ptr, d_ptr, n);
  }
}

template <class S>
void Activation::value_and_derivatives(const S* a_ptr, S* y_ptr, S* d_ptr, S* d2_ptr,
                                       Index n) const {
  value_and_derivative(a_ptr, y_ptr, d_ptr, n);
  In<S> y(y_ptr, n), d(d_ptr, n);
  Out<S> d2(d2_ptr, n);
  switch (kind_) {
    case ActivationKind::Tanh:
      d2 = S(-2) * y * d;
      break;
    case ActivationKind::Sigmoid:
      d2 = d * (S(1) - S(2) * y);
      break;
    default:
      second_derivative(a_ptr, d2_ptr, n);
  }
}

template <class S>
void Activation::second_derivative(const S* a_ptr, S* d2_ptr, Index n) const {
  In<S> a(a_ptr, n);
  Out<S> d2(d2_ptr, n);
  switch (kind_) {
    case ActivationKind::Linear:
    case ActivationKind::ReLU:
    case ActivationKind::LeakyReLU:
    case ActivationKind::HardTanh:
      d2.setZero();
      break;
    case ActivationKind::Tanh: {
      const Arr<S> t = a.tanh();
      d2 = S(-2) * t * (S(1) - t.square());
      break;
    }
    case ActivationKind::Erf:
      d2 = S(-2 * kTwoOverSqrtPi) * a * (-a.square()).exp();
      break;
    case ActivationKind::Sigmoid: {
      const Arr<S> s = logistic<S>(a);
      d2 = s * (S(1) - s) * (S(1) - S(2) * s);
      break;
    }
    case ActivationKind::Softplus: {
      const Arr<S> s = logistic<S>(a);
      d2 = s * (S(1) - s);
      break;
    }
    case ActivationKind::GELU:
      d2 = std_normal_pdf<S>(a) * (S(2) - a.square());
      break;
  }
}

#define DEEPCTL_INSTANTIATE(S)                                                      \
  template void Activation::value<S>(const S*, S*, Index) const;                    \
  template void Activation::value_and_derivative<S>(const S*, S*, S*, Index) const; \
  template void Activation::derivative<S>(const S*, S*, Index) const;               \
  template void Activation::second_derivative<S>(const S*, S*, Index) const;        \
  template void Activation::value_and_derivatives<S>(const S*, S*, S*, S*, Index) const;
DEEPCTL_INSTANTIATE(float)
DEEPCTL_INSTANTIATE(double)
#undef DEEPCTL_INSTANTIATE

}  // namespace deepctl
