#include "deepctl/layer/dense.hpp"

#include <cmath>

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

template <class S>
struct DenseData : LayerData {
  DenseData(Index batch, Index out)
      : LayerData(batch), pre(batch, out), dphi(batch, out), delta(batch, out) {}
  Mat<S> pre;    // a = x Wᵀ + b
  Mat<S> dphi;   // φ′(a)
  Mat<S> delta;  // δ = φ′(a) ⊙ p_next (vjp) or W dx + dW x + db (jvp)
};

}  // namespace

WeightSet parse_weight_set(const std::string& text) {
  if (text == "real") return WeightSet::Real;
  if (text == "binary") return WeightSet::Binary;
  if (text == "ternary") return WeightSet::Ternary;
  throw InputError("unknown weights '" + text + "'; expected real, binary or ternary");
}

template <class S>
Dense<S>::Dense(Index in, Index out, Activation activation, WeightSet weights)
    : in_(in), out_(out), activation_(activation), weights_(weights), scale_(1.0) {
  if (in <= 0 || out <= 0)
    throw InputError("dense layer: widths must be positive, got " + std::to_string(in) + " -> " +
                     std::to_string(out));
  if (weights != WeightSet::Real) scale_ = 1.0 / std::sqrt(double(in));
}

template <class S>
std::string Dense<S>::describe() const {
  return "dense(" + std::to_string(in_) + " -> " + std::to_string(out_) + ", " +
         activation_.name() +
         (weights_ == WeightSet::Binary    ? ", binary"
          : weights_ == WeightSet::Ternary ? ", ternary"
                                           : "") +
         ")";
}

template <class S>
std::unique_ptr<LayerData> Dense<S>::make_data(Index batch) const {
  return std::make_unique<DenseData<S>>(batch, out_);
}

template <class S>
void Dense<S>::forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const {
  check_batch(describe(), data, x.rows());
  auto& d = static_cast<DenseData<S>&>(data);
  Eigen::Map<const Mat<S>> W(theta.data(), out_, in_);
  Eigen::Map<const Vec<S>> b(theta.data() + out_ * in_, out_);
  d.pre.noalias() = x * W.transpose();
  if (weights_ != WeightSet::Real) d.pre *= S(scale_);
  d.pre.rowwise() += b.transpose();
  activation_.value_and_derivative(d.pre.data(), y.data(), d.dphi.data(), d.pre.size());
}

template <class S>
void Dense<S>::vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
                   VecRef<S> g) const {
  auto& d = static_cast<DenseData<S>&>(data);
  Eigen::Map<const Mat<S>> W(theta.data(), out_, in_);
  d.delta = d.dphi.cwiseProduct(p_next);
  if (g.size() > 0) {
    Eigen::Map<Mat<S>> gW(g.data(), out_, in_);
    gW.noalias() = d.delta.transpose() * x;
    g.tail(out_) = d.delta.colwise().sum().transpose();
    if (weights_ != WeightSet::Real) gW *= S(scale_);
  }
  if (p.rows() > 0) {
    p.noalias() = d.delta * W;
    if (weights_ != WeightSet::Real) p *= S(scale_);
  }
}

template <class S>
void Dense<S>::jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx,
                   CVecRef<S> dtheta, MatRef<S> dy) const {
  auto& d = static_cast<DenseData<S>&>(data);
  Eigen::Map<const Mat<S>> W(theta.data(), out_, in_);
  Eigen::Map<const Mat<S>> dW(dtheta.data(), out_, in_);
  Eigen::Map<const Vec<S>> db(dtheta.data() + out_ * in_, out_);
  d.delta.noalias() = dx * W.transpose();
  d.delta.noalias() += x * dW.transpose();
  if (weights_ != WeightSet::Real) d.delta *= S(scale_);
  d.delta.rowwise() += db.transpose();
  dy = d.dphi.cwiseProduct(d.delta);
}

template <class S>
void Dense<S>::init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const {
  if (weights_ == WeightSet::Real) {
    init.weights(rng, out_, in_, in_, out_, theta.data());
  } else {
    const std::uint64_t values = weights_ == WeightSet::Binary ? 2 : 3;
    for (Index i = 0; i < out_ * in_; ++i) {
      const auto v = rng.uniform_int(values);
      theta[i] = weights_ == WeightSet::Binary ? S(v == 0 ? -1 : 1) : S(double(v) - 1);
    }
  }
  init.biases(rng, out_, theta.data() + out_ * in_);
}

template <class S>
KroneckerShape Dense<S>::kronecker_shape() const {
  if (weights_ != WeightSet::Real) return {};
  return {out_, in_};
}

template <class S>
void Dense<S>::kronecker_rows(LayerData& data, CMatRef<S> x, Mat<S>& patches,
                              Mat<S>& deltas) const {
  if (weights_ != WeightSet::Real) return Layer<S>::kronecker_rows(data, x, patches, deltas);
  patches.resize(x.rows(), in_ + 1);
  patches << x, Mat<S>::Ones(x.rows(), 1);
  deltas = static_cast<DenseData<S>&>(data).delta;
}

template class Dense<float>;
template class Dense<double>;

}  // namespace deepctl
