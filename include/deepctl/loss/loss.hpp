// Terminal losses Φ(z, y) on the network output z = x_T, written as an activation ρ of a
// residual r(z, y) (Crocoddyl's residual costs): Φ = ρ(r). Both losses here have R = ∂r/∂z = I,
// so the gradient is ∇_z Φ = ∇ρ(r) and the Gauss–Newton block is Rᵀ ∇²ρ R = ∇²ρ(r).
//
//   softmax cross-entropy   r = z,      ρ(r) = (Σ_k y_k) logsumexp(r) − ⟨y, r⟩
//                           ∇ρ = (Σ_k y_k) softmax(r) − y,   ∇²ρ = (Σ_k y_k)(diag π − π πᵀ)
//                           (y one-hot or a probability vector; π = softmax(r))
//   squared error           r = z − y,  ρ(r) = ½‖r‖²,  ∇ρ = r,  ∇²ρ = I
//
// The objective averages Φ over the batch (C2); the 1/B enters the costate p_T = −(1/B)∇Φ only
// in Problem::adjoint, never here.
#pragma once

#include <memory>
#include <string>

#include "deepctl/core/types.hpp"

namespace deepctl {

template <class S>
class Loss {
 public:
  virtual ~Loss() = default;
  virtual std::string name() const = 0;
  // phi[s] = Φ(z^s, y^s) for each row s.
  virtual void value(CMatRef<S> z, CMatRef<S> y, VecRef<S> phi) const = 0;
  // grad.row(s) = ∇_z Φ(z^s, y^s).
  virtual void gradient(CMatRef<S> z, CMatRef<S> y, MatRef<S> grad) const = 0;
  // G = ∇²_z Φ(z, y) through the residual (the Gauss–Newton block) for one sample z, y.
  virtual void gauss_newton(CVecRef<S> z, CVecRef<S> y, MatRef<S> G) const = 0;
  // Whether targets are class indicators (one-hot rows), so that accuracy is meaningful.
  virtual bool classification() const = 0;
};

template <class S>
class SoftmaxCrossEntropy final : public Loss<S> {
 public:
  std::string name() const override { return "cross_entropy"; }
  void value(CMatRef<S> z, CMatRef<S> y, VecRef<S> phi) const override;
  void gradient(CMatRef<S> z, CMatRef<S> y, MatRef<S> grad) const override;
  void gauss_newton(CVecRef<S> z, CVecRef<S> y, MatRef<S> G) const override;
  bool classification() const override { return true; }
};

template <class S>
class SquaredError final : public Loss<S> {
 public:
  std::string name() const override { return "squared_error"; }
  void value(CMatRef<S> z, CMatRef<S> y, VecRef<S> phi) const override;
  void gradient(CMatRef<S> z, CMatRef<S> y, MatRef<S> grad) const override;
  void gauss_newton(CVecRef<S> z, CVecRef<S> y, MatRef<S> G) const override;
  bool classification() const override { return false; }
};

// "cross_entropy" or "squared_error"; throws InputError naming the value otherwise.
template <class S>
std::unique_ptr<Loss<S>> make_loss(const std::string& name);

// π = softmax of each row of z (max-shifted), the class probabilities of a cross-entropy net.
Mat<double> softmax_rows(CMatRef<double> z);

// Fraction of rows whose arg-max of z equals the arg-max of y.
template <class S>
double accuracy(CMatRef<S> z, CMatRef<S> y);

}  // namespace deepctl
