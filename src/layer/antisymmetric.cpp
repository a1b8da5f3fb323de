#include "deepctl/layer/antisymmetric.hpp"

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

template <class S>
struct AntisymmetricData : LayerData {
  AntisymmetricData(Index batch, Index n) : LayerData(batch), dphi(batch, n), delta(batch, n) {}
  Mat<S> K, dphi, delta;
};

}  // namespace

template <class S>
Antisymmetric<S>::Antisymmetric(Index width, Activation activation, double gamma)
    : n_(width), activation_(activation), gamma_(gamma) {
  if (width <= 0)
    throw InputError("antisymmetric: width must be positive, got " + std::to_string(width));
  if (!(gamma >= 0))
    throw InputError("antisymmetric: gamma must be >= 0, got " + std::to_string(gamma));
}

template <class S>
std::string Antisymmetric<S>::describe() const {
  return "antisymmetric(" + std::to_string(n_) + ", " + activation_.name() + ", gamma " +
         std::to_string(gamma_) + ")";
}

template <class S>
Mat<S> Antisymmetric<S>::matrix(CVecRef<S> theta) const {
  Eigen::Map<const Mat<S>> W(theta.data(), n_, n_);
  Mat<S> K = W - W.transpose();
  K.diagonal().array() -= S(gamma_);
  return K;
}

template <class S>
std::unique_ptr<LayerData> Antisymmetric<S>::make_data(Index batch) const {
  return std::make_unique<AntisymmetricData<S>>(batch, n_);
}

template <class S>
void Antisymmetric<S>::forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const {
  check_batch(describe(), data, x.rows());
  auto& d = static_cast<AntisymmetricData<S>&>(data);
  d.K = matrix(theta);
  Mat<S> a = x * d.K.transpose();
  a.rowwise() += theta.tail(n_).transpose();
  activation_.value_and_derivative(a.data(), y.data(), d.dphi.data(), a.size());
}

template <class S>
void Antisymmetric<S>::vjp(LayerData& data, CMatRef<S> x, CVecRef<S>, CMatRef<S> p_next,
                           MatRef<S> p, VecRef<S> g) const {
  auto& d = static_cast<AntisymmetricData<S>&>(data);
  d.delta = d.dphi.cwiseProduct(p_next);
  if (g.size() > 0) {
    const Mat<S> outer = d.delta.transpose() * x;  // Σ_s δ xᵀ
    Eigen::Map<Mat<S>> gW(g.data(), n_, n_);
    gW = outer - outer.transpose();
    g.tail(n_) = d.delta.colwise().sum().transpose();
  }
  if (p.rows() > 0) p.noalias() = d.delta * d.K;
}

template <class S>
void Antisymmetric<S>::jvp(LayerData& data, CMatRef<S> x, CVecRef<S>, CMatRef<S> dx,
                           CVecRef<S> dtheta, MatRef<S> dy) const {
  auto& d = static_cast<AntisymmetricData<S>&>(data);
  Eigen::Map<const Mat<S>> dW(dtheta.data(), n_, n_);
  const Mat<S> dK = dW - dW.transpose();
  Mat<S> da = dx * d.K.transpose() + x * dK.transpose();
  da.rowwise() += dtheta.tail(n_).transpose();
  dy = d.dphi.cwiseProduct(da);
}

template <class S>
void Antisymmetric<S>::init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const {
  init.weights(rng, n_, n_, n_, n_, theta.data());
  init.biases(rng, n_, theta.data() + n_ * n_);
}

template class Antisymmetric<float>;
template class Antisymmetric<double>;

}  // namespace deepctl
