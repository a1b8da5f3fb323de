#include "deepctl/layer/pool.hpp"

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

struct PoolData : LayerData {
  PoolData(Index batch, Index out) : LayerData(batch), argmax(batch, out) {}
  Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> argmax;  // max mode
};

std::string shape_text(const Shape& s) {
  return std::to_string(s.channels) + "x" + std::to_string(s.height) + "x" +
         std::to_string(s.width);
}

}  // namespace

template <class S>
Pool2d<S>::Pool2d(Shape input, PoolMode mode, Index kernel, Index stride)
    : in_(input), mode_(mode), kernel_(kernel), stride_(stride) {
  if (kernel <= 0 || stride <= 0)
    throw InputError(kind() + " layer: kernel and stride must be positive");
  if (input.height < kernel || input.width < kernel)
    throw InputError(kind() + " layer: window " + std::to_string(kernel) +
                     " is larger than the input " + shape_text(input));
  out_ = {in_.channels, (in_.height - kernel) / stride + 1, (in_.width - kernel) / stride + 1};
}

template <class S>
std::string Pool2d<S>::describe() const {
  return kind() + "(" + shape_text(in_) + " -> " + shape_text(out_) +
         ", k=" + std::to_string(kernel_) + ")";
}

template <class S>
std::unique_ptr<LayerData> Pool2d<S>::make_data(Index batch) const {
  return std::make_unique<PoolData>(batch, mode_ == PoolMode::Max ? out_.size() : 0);
}

template <class S>
template <class F>
void Pool2d<S>::for_each_window(F&& visit) const {
  for (Index c = 0; c < in_.channels; ++c)
    for (Index oy = 0; oy < out_.height; ++oy)
      for (Index ox = 0; ox < out_.width; ++ox) {
        const Index o = (c * out_.height + oy) * out_.width + ox;
        for (Index ki = 0; ki < kernel_; ++ki)
          for (Index kj = 0; kj < kernel_; ++kj)
            visit(o, (c * in_.height + oy * stride_ + ki) * in_.width + ox * stride_ + kj,
                  ki == 0 && kj == 0);
      }
}

template <class S>
void Pool2d<S>::forward(LayerData& data, CMatRef<S> x, CVecRef<S>, MatRef<S> y) const {
  check_batch(describe(), data, x.rows());
  auto& d = static_cast<PoolData&>(data);
  const S inv_area = S(1) / S(kernel_ * kernel_);
  for (Index s = 0; s < x.rows(); ++s) {
    const S* xs = x.row(s).data();
    S* ys = y.row(s).data();
    if (mode_ == PoolMode::Max) {
      Index* arg = d.argmax.row(s).data();
      for_each_window([&](Index o, Index i, bool first) {
        if (first || xs[i] > ys[o]) {
          ys[o] = xs[i];
          arg[o] = i;
        }
      });
    } else {
      for_each_window(
          [&](Index o, Index i, bool first) { ys[o] = (first ? S(0) : ys[o]) + inv_area * xs[i]; });
    }
  }
}

template <class S>
void Pool2d<S>::vjp(LayerData& data, CMatRef<S>, CVecRef<S>, CMatRef<S> p_next, MatRef<S> p,
                    VecRef<S>) const {
  if (p.rows() == 0) return;
  auto& d = static_cast<PoolData&>(data);
  p.setZero();
  const S inv_area = S(1) / S(kernel_ * kernel_);
  for (Index s = 0; s < p.rows(); ++s) {
    const S* pn = p_next.row(s).data();
    S* ps = p.row(s).data();
    if (mode_ == PoolMode::Max) {
      for (Index o = 0; o < out_.size(); ++o) ps[d.argmax(s, o)] += pn[o];
    } else {
      for_each_window([&](Index o, Index i, bool) { ps[i] += inv_area * pn[o]; });
    }
  }
}

template <class S>
void Pool2d<S>::jvp(LayerData& data, CMatRef<S>, CVecRef<S> theta, CMatRef<S> dx, CVecRef<S>,
                    MatRef<S> dy) const {
  if (mode_ == PoolMode::Average) {
    // Average pooling is linear: its jvp is the forward map applied to dx.
    forward(data, dx, theta, dy);
    return;
  }
  auto& d = static_cast<PoolData&>(data);
  for (Index s = 0; s < dx.rows(); ++s)
    for (Index o = 0; o < out_.size(); ++o) dy(s, o) = dx(s, d.argmax(s, o));
}

template <class S>
std::string Flatten<S>::describe() const {
  return "flatten(" + shape_text(in_) + " -> " + std::to_string(in_.size()) + ")";
}

template <class S>
std::unique_ptr<LayerData> Flatten<S>::make_data(Index batch) const {
  return std::make_unique<LayerData>(batch);
}

template <class S>
std::string Sum<S>::describe() const {
  return "sum(" + shape_text(in_) + " -> 1)";
}

template <class S>
std::unique_ptr<LayerData> Sum<S>::make_data(Index batch) const {
  return std::make_unique<LayerData>(batch);
}

template class Pool2d<float>;
template class Pool2d<double>;
template class Flatten<float>;
template class Flatten<double>;
template class Sum<float>;
template class Sum<double>;

}  // namespace deepctl
