#include "deepctl/layer/residual.hpp"

#include <cmath>

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

template <class S>
struct ResidualData : LayerData {
  ResidualData(Index batch, Index n, std::unique_ptr<LayerData> inner_data)
      : LayerData(batch), inner(std::move(inner_data)), buffer(batch, n), inner_p(batch, n) {}
  std::unique_ptr<LayerData> inner;
  Mat<S> buffer;   // g(x) in forward/jvp, h·p_next in vjp
  Mat<S> inner_p;  // g_xᵀ (h p_next)
};

}  // namespace

template <class S>
Residual<S>::Residual(std::shared_ptr<const Layer<S>> inner, double step)
    : inner_(std::move(inner)), step_(step) {
  if (!(inner_->input_shape() == inner_->output_shape()))
    throw InputError("residual layer around " + inner_->describe() +
                     ": the inner layer must keep the state's size");
  if (!std::isfinite(step) || step <= 0)
    throw InputError("residual layer: step h must be a positive number, got " +
                     std::to_string(step));
}

template <class S>
std::string Residual<S>::describe() const {
  return "residual(x + " + std::to_string(step_) + " * " + inner_->describe() + ")";
}

template <class S>
std::unique_ptr<LayerData> Residual<S>::make_data(Index batch) const {
  return std::make_unique<ResidualData<S>>(batch, inner_->output_size(), inner_->make_data(batch));
}

template <class S>
void Residual<S>::forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const {
  auto& d = static_cast<ResidualData<S>&>(data);
  inner_->forward(*d.inner, x, theta, d.buffer);
  y = x + S(step_) * d.buffer;
}

template <class S>
void Residual<S>::vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next,
                      MatRef<S> p, VecRef<S> g) const {
  auto& d = static_cast<ResidualData<S>&>(data);
  d.buffer = S(step_) * p_next;
  if (p.rows() > 0) {
    inner_->vjp(*d.inner, x, theta, d.buffer, d.inner_p, g);
    p = p_next + d.inner_p;
  } else {
    inner_->vjp(*d.inner, x, theta, d.buffer, p, g);
  }
}

template <class S>
void Residual<S>::jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx,
                      CVecRef<S> dtheta, MatRef<S> dy) const {
  auto& d = static_cast<ResidualData<S>&>(data);
  inner_->jvp(*d.inner, x, theta, dx, dtheta, d.buffer);
  dy = dx + S(step_) * d.buffer;
}

template <class S>
void Residual<S>::init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const {
  inner_->init_params(rng, init, theta);
}

template class Residual<float>;
template class Residual<double>;

}  // namespace deepctl
