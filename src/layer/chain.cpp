#include "deepctl/layer/chain.hpp"

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

template <class S>
struct ChainData : LayerData {
  explicit ChainData(Index batch) : LayerData(batch) {}
  std::vector<std::unique_ptr<LayerData>> parts;
  std::vector<Mat<S>> inner;     // z_1 .. z_{K−1}
  std::vector<Mat<S>> costates;  // q_1 .. q_{K−1} (vjp), dz_1 .. dz_{K−1} (jvp)
};

}  // namespace

template <class S>
Chain<S>::Chain(std::vector<std::shared_ptr<const Layer<S>>> layers) : layers_(std::move(layers)) {
  if (layers_.empty()) throw InputError("chain: needs at least one layer");
  offsets_.push_back(0);
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    if (k > 0 && !(layers_[k - 1]->output_shape() == layers_[k]->input_shape()))
      throw InputError("chain: " + layers_[k - 1]->describe() + " gives " +
                       std::to_string(layers_[k - 1]->output_size()) + " values but " +
                       layers_[k]->describe() + " takes " +
                       std::to_string(layers_[k]->input_size()));
    offsets_.push_back(offsets_.back() + layers_[k]->num_params());
  }
}

template <class S>
std::string Chain<S>::describe() const {
  std::string text = "chain(";
  for (std::size_t k = 0; k < layers_.size(); ++k)
    text += (k ? " -> " : "") + layers_[k]->describe();
  return text + ")";
}

template <class S>
Capabilities Chain<S>::capabilities() const {
  Capabilities c;
  c.meanfield = false;
  for (const auto& layer : layers_) {
    const Capabilities part = layer->capabilities();
    c.jvp = c.jvp && part.jvp;
    c.thread_safe = c.thread_safe && part.thread_safe;
  }
  return c;
}

template <class S>
std::unique_ptr<LayerData> Chain<S>::make_data(Index batch) const {
  auto d = std::make_unique<ChainData<S>>(batch);
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    d->parts.push_back(layers_[k]->make_data(batch));
    if (k + 1 < layers_.size()) {
      d->inner.emplace_back(batch, layers_[k]->output_size());
      d->costates.emplace_back(batch, layers_[k]->output_size());
    }
  }
  return d;
}

template <class S>
void Chain<S>::forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const {
  auto& d = static_cast<ChainData<S>&>(data);
  const std::size_t K = layers_.size();
  for (std::size_t k = 0; k < K; ++k) {
    const auto theta_k = theta.segment(offsets_[k], offsets_[k + 1] - offsets_[k]);
    CMatRef<S> in = k == 0 ? x : CMatRef<S>(d.inner[k - 1]);
    if (k + 1 < K)
      layers_[k]->forward(*d.parts[k], in, theta_k, d.inner[k]);
    else
      layers_[k]->forward(*d.parts[k], in, theta_k, y);
  }
}

template <class S>
void Chain<S>::vjp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
                   VecRef<S> g) const {
  auto& d = static_cast<ChainData<S>&>(data);
  for (std::size_t k = layers_.size(); k-- > 0;) {
    const Index n = offsets_[k + 1] - offsets_[k];
    CMatRef<S> in = k == 0 ? x : CMatRef<S>(d.inner[k - 1]);
    CMatRef<S> q = k + 1 == layers_.size() ? p_next : CMatRef<S>(d.costates[k]);
    // g of size 0 (no parameter gradient) passes on as empty segments.
    auto g_k = g.segment(g.size() > 0 ? offsets_[k] : 0, g.size() > 0 ? n : 0);
    if (k > 0)
      layers_[k]->vjp(*d.parts[k], in, theta.segment(offsets_[k], n), q, d.costates[k - 1], g_k);
    else
      layers_[k]->vjp(*d.parts[k], in, theta.segment(offsets_[k], n), q, p, g_k);
  }
}

template <class S>
void Chain<S>::jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx,
                   CVecRef<S> dtheta, MatRef<S> dy) const {
  // On the records of the last forward (z_k in `inner`); the tangents dz_k go in `costates`.
  auto& d = static_cast<ChainData<S>&>(data);
  const std::size_t K = layers_.size();
  for (std::size_t k = 0; k < K; ++k) {
    const Index n = offsets_[k + 1] - offsets_[k];
    CMatRef<S> in = k == 0 ? x : CMatRef<S>(d.inner[k - 1]);
    CMatRef<S> din = k == 0 ? dx : CMatRef<S>(d.costates[k - 1]);
    const auto theta_k = theta.segment(offsets_[k], n), dtheta_k = dtheta.segment(offsets_[k], n);
    if (k + 1 < K)
      layers_[k]->jvp(*d.parts[k], in, theta_k, din, dtheta_k, d.costates[k]);
    else
      layers_[k]->jvp(*d.parts[k], in, theta_k, din, dtheta_k, dy);
  }
}

template <class S>
void Chain<S>::init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const {
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    Rng part = rng.split(k);
    layers_[k]->init_params(part, init, theta.segment(offsets_[k], offsets_[k + 1] - offsets_[k]));
  }
}

template class Chain<float>;
template class Chain<double>;

}  // namespace deepctl
