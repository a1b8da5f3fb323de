#include "deepctl/layer/hamiltonian.hpp"

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

template <class S>
struct HamiltonianData : LayerData {
  HamiltonianData(Index batch, Index m)
      : LayerData(batch), z_half(batch, m), du(batch, m), dv(batch, m), s(batch, m) {}
  Mat<S> z_half;  // z'
  Mat<S> du, dv;  // σ′(u), σ′(v)
  Mat<S> s;       // scratch
};

}  // namespace

template <class S>
Hamiltonian<S>::Hamiltonian(Index width, Activation activation, double step)
    : m_(width / 2), activation_(activation), h_(step) {
  if (width <= 0 || width % 2 != 0)
    throw InputError("hamiltonian: the state (y, z) needs an even, positive width, got " +
                     std::to_string(width));
  if (!(step > 0)) throw InputError("hamiltonian: step h must be positive");
}

template <class S>
std::string Hamiltonian<S>::describe() const {
  return "hamiltonian(" + std::to_string(2 * m_) + ", " + activation_.name() + ", h " +
         std::to_string(h_) + ")";
}

template <class S>
std::unique_ptr<LayerData> Hamiltonian<S>::make_data(Index batch) const {
  return std::make_unique<HamiltonianData<S>>(batch, m_);
}

template <class S>
void Hamiltonian<S>::forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> out) const {
  check_batch(describe(), data, x.rows());
  auto& d = static_cast<HamiltonianData<S>&>(data);
  Eigen::Map<const Mat<S>> K(theta.data(), m_, m_);
  const auto b = theta.tail(m_).transpose();
  const S h = S(h_);
  Mat<S> a = x.leftCols(m_) * K;  // u = y K + b
  a.rowwise() += b;
  activation_.value_and_derivative(a.data(), d.s.data(), d.du.data(), a.size());
  d.z_half = x.rightCols(m_) - h * d.s;
  a.noalias() = d.z_half * K.transpose();  // v = z' Kᵀ + b
  a.rowwise() += b;
  activation_.value_and_derivative(a.data(), d.s.data(), d.dv.data(), a.size());
  out.leftCols(m_) = x.leftCols(m_) + h * d.s;
  out.rightCols(m_) = d.z_half;
}

template <class S>
void Hamiltonian<S>::vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next,
                         MatRef<S> p, VecRef<S> g) const {
  auto& d = static_cast<HamiltonianData<S>&>(data);
  Eigen::Map<const Mat<S>> K(theta.data(), m_, m_);
  const S h = S(h_);
  const Mat<S> delta_v = h * d.dv.cwiseProduct(p_next.leftCols(m_));
  const Mat<S> p_half = p_next.rightCols(m_) + delta_v * K;
  const Mat<S> delta_u = -h * d.du.cwiseProduct(p_half);
  if (g.size() > 0) {
    Eigen::Map<Mat<S>> gK(g.data(), m_, m_);
    gK.noalias() = delta_v.transpose() * d.z_half;
    gK.noalias() += x.leftCols(m_).transpose() * delta_u;
    g.tail(m_) = (delta_v + delta_u).colwise().sum().transpose();
  }
  if (p.rows() > 0) {
    p.leftCols(m_) = p_next.leftCols(m_) + delta_u * K.transpose();
    p.rightCols(m_) = p_half;
  }
}

template <class S>
void Hamiltonian<S>::jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx,
                         CVecRef<S> dtheta, MatRef<S> dy) const {
  auto& d = static_cast<HamiltonianData<S>&>(data);
  Eigen::Map<const Mat<S>> K(theta.data(), m_, m_), dK(dtheta.data(), m_, m_);
  const auto db = dtheta.tail(m_).transpose();
  const S h = S(h_);
  Mat<S> du = dx.leftCols(m_) * K + x.leftCols(m_) * dK;
  du.rowwise() += db;
  const Mat<S> dz_half = dx.rightCols(m_) - h * d.du.cwiseProduct(du);
  Mat<S> dv = dz_half * K.transpose() + d.z_half * dK.transpose();
  dv.rowwise() += db;
  dy.leftCols(m_) = dx.leftCols(m_) + h * d.dv.cwiseProduct(dv);
  dy.rightCols(m_) = dz_half;
}

template <class S>
void Hamiltonian<S>::inverse(CMatRef<S> x_next, CVecRef<S> theta, MatRef<S> x) const {
  Eigen::Map<const Mat<S>> K(theta.data(), m_, m_);
  const auto b = theta.tail(m_).transpose();
  const S h = S(h_);
  Mat<S> a = x_next.rightCols(m_) * K.transpose();
  a.rowwise() += b;
  Mat<S> s(a.rows(), a.cols());
  activation_.value(a.data(), s.data(), a.size());
  x.leftCols(m_) = x_next.leftCols(m_) - h * s;  // y = y' − h σ(K z' + b)
  a.noalias() = x.leftCols(m_) * K;
  a.rowwise() += b;
  activation_.value(a.data(), s.data(), a.size());
  x.rightCols(m_) = x_next.rightCols(m_) + h * s;  // z = z' + h σ(Kᵀ y + b)
}

template <class S>
void Hamiltonian<S>::init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const {
  init.weights(rng, m_, m_, m_, m_, theta.data());
  init.biases(rng, m_, theta.data() + m_ * m_);
}

template class Hamiltonian<float>;
template class Hamiltonian<double>;

}  // namespace deepctl
