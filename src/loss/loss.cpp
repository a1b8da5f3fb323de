#include "deepctl/loss/loss.hpp"

#include <cmath>

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

// Row-wise log Σ_k exp(r_k), shifted by the row maximum for stability.
template <class S>
Vec<S> logsumexp_rows(CMatRef<S> r) {
  const Vec<S> m = r.rowwise().maxCoeff();
  return m.array() + (r.colwise() - m).array().exp().rowwise().sum().log();
}

}  // namespace

template <class S>
void SoftmaxCrossEntropy<S>::value(CMatRef<S> z, CMatRef<S> y, VecRef<S> phi) const {
  const Vec<S> mass = y.rowwise().sum();
  phi = mass.cwiseProduct(logsumexp_rows<S>(z)) - z.cwiseProduct(y).rowwise().sum();
}

template <class S>
void SoftmaxCrossEntropy<S>::gradient(CMatRef<S> z, CMatRef<S> y, MatRef<S> grad) const {
  const Vec<S> lse = logsumexp_rows<S>(z);
  const Vec<S> mass = y.rowwise().sum();
  grad = ((z.colwise() - lse).array().exp().colwise() * mass.array()).matrix() - y;
}

template <class S>
void SoftmaxCrossEntropy<S>::gauss_newton(CVecRef<S> z, CVecRef<S> y, MatRef<S> G) const {
  const S m = z.maxCoeff();
  Vec<S> pi = (z.array() - m).exp().matrix();
  pi /= pi.sum();
  G = -pi * pi.transpose();
  G.diagonal() += pi;
  G *= y.sum();
}

template <class S>
void SquaredError<S>::value(CMatRef<S> z, CMatRef<S> y, VecRef<S> phi) const {
  phi = S(0.5) * (z - y).rowwise().squaredNorm();
}

template <class S>
void SquaredError<S>::gradient(CMatRef<S> z, CMatRef<S> y, MatRef<S> grad) const {
  grad = z - y;
}

template <class S>
void SquaredError<S>::gauss_newton(CVecRef<S> z, CVecRef<S>, MatRef<S> G) const {
  G.setIdentity(z.size(), z.size());
}

template <class S>
std::unique_ptr<Loss<S>> make_loss(const std::string& name) {
  if (name == "cross_entropy") return std::make_unique<SoftmaxCrossEntropy<S>>();
  if (name == "squared_error") return std::make_unique<SquaredError<S>>();
  throw InputError("unknown loss '" + name + "'; expected cross_entropy or squared_error");
}

Mat<double> softmax_rows(CMatRef<double> z) {
  Mat<double> pi = (z.colwise() - z.rowwise().maxCoeff()).array().exp().matrix();
  pi.array().colwise() /= pi.rowwise().sum().array();
  return pi;
}

template <class S>
double accuracy(CMatRef<S> z, CMatRef<S> y) {
  if (z.rows() == 0) return 0.0;
  Index correct = 0;
  for (Index s = 0; s < z.rows(); ++s) {
    Index kz, ky;
    z.row(s).maxCoeff(&kz);
    y.row(s).maxCoeff(&ky);
    correct += kz == ky;
  }
  return static_cast<double>(correct) / static_cast<double>(z.rows());
}

template class SoftmaxCrossEntropy<float>;
template class SoftmaxCrossEntropy<double>;
template class SquaredError<float>;
template class SquaredError<double>;
template std::unique_ptr<Loss<float>> make_loss<float>(const std::string&);
template std::unique_ptr<Loss<double>> make_loss<double>(const std::string&);
template double accuracy<float>(CMatRef<float>, CMatRef<float>);
template double accuracy<double>(CMatRef<double>, CMatRef<double>);

}  // namespace deepctl
