// Pointwise activations φ with their first and second derivatives φ′ and φ″.
//
//   linear      φ(a) = a
//   tanh        φ(a) = tanh a,                 φ′ = 1 − φ²,              φ″ = −2φφ′
//   relu        φ(a) = max(a, 0),              φ′ = [a > 0],             φ″ = 0
//   leaky_relu  φ(a) = a if a > 0 else s·a,    φ′ = 1 or s (s = slope),  φ″ = 0
//   erf         φ(a) = erf a,                  φ′ = 2/√π e^{−a²},        φ″ = −2aφ′
//   hard_tanh   φ(a) = clip(a, −1, 1),         φ′ = [|a| < 1],           φ″ = 0
//   sigmoid     φ(a) = 1/(1 + e^{−a}),         φ′ = φ(1 − φ),            φ″ = φ′(1 − 2φ)
//   softplus    φ(a) = log(1 + e^a),           φ′ = sigmoid a,           φ″ = σ(1 − σ)
//   gelu        φ(a) = a Φ(a) (exact, Φ the standard normal CDF),
//               φ′ = Φ(a) + a ϕ(a),            φ″ = ϕ(a)(2 − a²)
// Derivatives at kinks take the right-continuous convention except relu, where φ′(0) = 0.
// The same object serves the finite network (over batches) and the mean-field kernel maps (over
// quadrature nodes): both call the array routines below on contiguous memory.
#pragma once

#include <string>

#include "deepctl/core/types.hpp"

namespace deepctl {

enum class ActivationKind { Linear, Tanh, ReLU, LeakyReLU, Erf, HardTanh, Sigmoid, Softplus, GELU };

class Activation {
 public:
  explicit Activation(ActivationKind kind = ActivationKind::Linear, double slope = 0.01)
      : kind_(kind), slope_(slope) {}

  // Parses "tanh", "relu", "leaky_relu" (slope 0.01) or "leaky_relu:0.2", "erf", "hard_tanh",
  // "sigmoid", "softplus", "gelu", "linear". Throws InputError naming the value otherwise.
  static Activation parse(const std::string& text);
  // Every name parse() accepts, for messages and for test suites that sweep all activations.
  static const std::vector<std::string>& names();

  ActivationKind kind() const { return kind_; }
  double slope() const { return slope_; }
  std::string name() const;

  // y[i] = φ(a[i]) for i < n.
  template <class S>
  void value(const S* a, S* y, Index n) const;
  // y[i] = φ(a[i]) and d[i] = φ′(a[i]), fused where φ′ follows from φ.
  template <class S>
  void value_and_derivative(const S* a, S* y, S* d, Index n) const;
  // d[i] = φ′(a[i]).
  template <class S>
  void derivative(const S* a, S* d, Index n) const;
  // d2[i] = φ″(a[i]).
  template <class S>
  void second_derivative(const S* a, S* d2, Index n) const;
  // φ, φ′ and φ″ together (one transcendental evaluation for tanh and sigmoid).
  template <class S>
  void value_and_derivatives(const S* a, S* y, S* d, S* d2, Index n) const;

 private:
  ActivationKind kind_;
  double slope_;
};

}  // namespace deepctl
