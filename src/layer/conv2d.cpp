#include "deepctl/layer/conv2d.hpp"

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

template <class S>
struct ConvData : LayerData {
  ConvData(Index batch, Index out_size, Index patch, Index positions)
      : LayerData(batch),
        pre(batch, out_size),
        dphi(batch, out_size),
        delta(batch, out_size),
        col(patch, positions),
        dcol(patch, positions) {}
  Mat<S> pre, dphi, delta;  // a, φ′(a), δ — one sample per row, (M, H_o, W_o) flattened
  Mat<S> col, dcol;         // one sample's patch matrix and its costate
};

}  // namespace

Shape Conv2dGeometry::output() const {
  const Index h = (input.height + 2 * padding - kernel) / stride + 1;
  const Index w = (input.width + 2 * padding - kernel) / stride + 1;
  return {out_channels, h, w};
}

template <class S>
Conv2d<S>::Conv2d(const Conv2dGeometry& geometry, Activation activation)
    : geo_(geometry), activation_(activation) {
  const auto& in = geo_.input;
  if (geo_.out_channels <= 0 || geo_.kernel <= 0 || geo_.stride <= 0 || geo_.padding < 0)
    throw InputError(
        "conv2d layer: channels, kernel and stride must be positive and padding "
        "non-negative");
  if (in.height + 2 * geo_.padding < geo_.kernel || in.width + 2 * geo_.padding < geo_.kernel)
    throw InputError("conv2d layer: kernel " + std::to_string(geo_.kernel) +
                     " is larger than the padded input " + std::to_string(in.height) + "x" +
                     std::to_string(in.width));
  out_ = geo_.output();
}

template <class S>
std::string Conv2d<S>::describe() const {
  const auto& in = geo_.input;
  return "conv2d(" + std::to_string(in.channels) + "x" + std::to_string(in.height) + "x" +
         std::to_string(in.width) + " -> " + std::to_string(out_.channels) + "x" +
         std::to_string(out_.height) + "x" + std::to_string(out_.width) +
         ", k=" + std::to_string(geo_.kernel) + ", " + activation_.name() + ")";
}

template <class S>
std::unique_ptr<LayerData> Conv2d<S>::make_data(Index batch) const {
  return std::make_unique<ConvData<S>>(batch, out_.size(), geo_.patch_size(),
                                       out_.height * out_.width);
}

template <class S>
void Conv2d<S>::im2col(const S* x, Mat<S>& col) const {
  const auto& in = geo_.input;
  const Index k = geo_.kernel;
  for (Index c = 0; c < in.channels; ++c)
    for (Index ki = 0; ki < k; ++ki)
      for (Index kj = 0; kj < k; ++kj) {
        S* row = col.row((c * k + ki) * k + kj).data();
        for (Index oy = 0; oy < out_.height; ++oy) {
          const Index iy = oy * geo_.stride - geo_.padding + ki;
          for (Index ox = 0; ox < out_.width; ++ox) {
            const Index ix = ox * geo_.stride - geo_.padding + kj;
            const bool inside = iy >= 0 && iy < in.height && ix >= 0 && ix < in.width;
            row[oy * out_.width + ox] = inside ? x[(c * in.height + iy) * in.width + ix] : S(0);
          }
        }
      }
}

template <class S>
void Conv2d<S>::col2im_add(const Mat<S>& col, S* x) const {
  const auto& in = geo_.input;
  const Index k = geo_.kernel;
  for (Index c = 0; c < in.channels; ++c)
    for (Index ki = 0; ki < k; ++ki)
      for (Index kj = 0; kj < k; ++kj) {
        const S* row = col.row((c * k + ki) * k + kj).data();
        for (Index oy = 0; oy < out_.height; ++oy) {
          const Index iy = oy * geo_.stride - geo_.padding + ki;
          if (iy < 0 || iy >= in.height) continue;
          for (Index ox = 0; ox < out_.width; ++ox) {
            const Index ix = ox * geo_.stride - geo_.padding + kj;
            if (ix >= 0 && ix < in.width)
              x[(c * in.height + iy) * in.width + ix] += row[oy * out_.width + ox];
          }
        }
      }
}

template <class S>
void Conv2d<S>::forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const {
  check_batch(describe(), data, x.rows());
  auto& d = static_cast<ConvData<S>&>(data);
  const Index M = geo_.out_channels, P = out_.height * out_.width;
  Eigen::Map<const Mat<S>> K(theta.data(), M, geo_.patch_size());
  Eigen::Map<const Vec<S>> b(theta.data() + K.size(), M);
  for (Index s = 0; s < x.rows(); ++s) {
    im2col(x.row(s).data(), d.col);
    Eigen::Map<Mat<S>> a(d.pre.row(s).data(), M, P);
    a.noalias() = K * d.col;
    a.colwise() += b;
  }
  activation_.value_and_derivative(d.pre.data(), y.data(), d.dphi.data(), d.pre.size());
}

template <class S>
void Conv2d<S>::vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
                    VecRef<S> g) const {
  auto& d = static_cast<ConvData<S>&>(data);
  const Index M = geo_.out_channels, P = out_.height * out_.width;
  Eigen::Map<const Mat<S>> K(theta.data(), M, geo_.patch_size());
  const bool parameters = g.size() > 0;
  Eigen::Map<Mat<S>> gK(g.data(), parameters ? M : 0, geo_.patch_size());
  auto gb = g.tail(parameters ? M : 0);
  d.delta = d.dphi.cwiseProduct(p_next);
  gK.setZero();
  gb.setZero();
  if (p.rows() > 0) p.setZero();
  for (Index s = 0; s < x.rows(); ++s) {
    Eigen::Map<const Mat<S>> delta(d.delta.row(s).data(), M, P);
    if (parameters) {
      im2col(x.row(s).data(), d.col);
      gK.noalias() += delta * d.col.transpose();
      gb += delta.rowwise().sum();
    }
    if (p.rows() > 0) {
      d.dcol.noalias() = K.transpose() * delta;
      col2im_add(d.dcol, p.row(s).data());
    }
  }
}

template <class S>
void Conv2d<S>::jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx,
                    CVecRef<S> dtheta, MatRef<S> dy) const {
  auto& d = static_cast<ConvData<S>&>(data);
  const Index M = geo_.out_channels, P = out_.height * out_.width;
  Eigen::Map<const Mat<S>> K(theta.data(), M, geo_.patch_size());
  Eigen::Map<const Mat<S>> dK(dtheta.data(), M, geo_.patch_size());
  Eigen::Map<const Vec<S>> db(dtheta.data() + K.size(), M);
  for (Index s = 0; s < x.rows(); ++s) {
    Eigen::Map<Mat<S>> da(d.delta.row(s).data(), M, P);
    im2col(dx.row(s).data(), d.col);
    da.noalias() = K * d.col;
    im2col(x.row(s).data(), d.col);
    da.noalias() += dK * d.col;
    da.colwise() += db;
  }
  dy = d.dphi.cwiseProduct(d.delta);
}

template <class S>
void Conv2d<S>::kronecker_rows(LayerData& data, CMatRef<S> x, Mat<S>& patches,
                               Mat<S>& deltas) const {
  auto& d = static_cast<ConvData<S>&>(data);
  const Index M = geo_.out_channels, P = out_.height * out_.width;
  patches.resize(x.rows() * P, geo_.patch_size() + 1);
  patches.col(geo_.patch_size()).setOnes();
  deltas.resize(x.rows() * P, M);
  for (Index s = 0; s < x.rows(); ++s) {
    im2col(x.row(s).data(), d.col);
    patches.block(s * P, 0, P, geo_.patch_size()) = d.col.transpose();
    deltas.middleRows(s * P, P) = Eigen::Map<const Mat<S>>(d.delta.row(s).data(), M, P).transpose();
  }
}

template <class S>
void Conv2d<S>::init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const {
  const Index fan_in = geo_.patch_size();
  const Index fan_out = geo_.out_channels * geo_.kernel * geo_.kernel;
  init.weights(rng, geo_.out_channels, fan_in, fan_in, fan_out, theta.data());
  init.biases(rng, geo_.out_channels, theta.data() + geo_.out_channels * fan_in);
}

template class Conv2d<float>;
template class Conv2d<double>;

}  // namespace deepctl
