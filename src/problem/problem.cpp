#include "deepctl/problem/problem.hpp"

#include "deepctl/core/error.hpp"
#include "deepctl/layer/hamiltonian.hpp"
#include "deepctl/layer/residual.hpp"

namespace deepctl {

template <class S>
Problem<S>::Problem(std::vector<std::shared_ptr<const Layer<S>>> layers,
                    std::shared_ptr<const Loss<S>> loss, double l2, double time_smoothness)
    : layers_(std::move(layers)),
      loss_(std::move(loss)),
      l2_(l2),
      time_smoothness_(time_smoothness) {
  if (layers_.empty()) throw InputError("problem: the network has no layers");
  if (!(l2 >= 0)) throw InputError("problem: l2 must be non-negative, got " + std::to_string(l2));
  if (!(time_smoothness >= 0))
    throw InputError("problem: time_smoothness must be non-negative, got " +
                     std::to_string(time_smoothness));
  auto step_of = [](const Layer<S>& layer) {
    if (const auto* r = dynamic_cast<const Residual<S>*>(&layer)) return r->step();
    if (const auto* h = dynamic_cast<const Hamiltonian<S>*>(&layer)) return h->step();
    return 0.0;
  };
  for (Index t = 0; time_smoothness > 0 && t + 1 < num_layers(); ++t) {
    const double h = step_of(*layers_[t]);
    if (h > 0 && layers_[t + 1]->kind() == layers_[t]->kind() &&
        layers_[t + 1]->num_params() == layers_[t]->num_params())
      smooth_pairs_.emplace_back(t, time_smoothness / h);
  }
  for (Index t = 1; t < num_layers(); ++t)
    if (layers_[t]->input_size() != layers_[t - 1]->output_size())
      throw InputError("problem: layer " + std::to_string(t) + " " + layers_[t]->describe() +
                       " takes " + std::to_string(layers_[t]->input_size()) + " inputs but layer " +
                       std::to_string(t - 1) + " " + layers_[t - 1]->describe() + " gives " +
                       std::to_string(layers_[t - 1]->output_size()));
}

template <class S>
Index Problem<S>::num_params() const {
  Index n = 0;
  for (const auto& l : layers_) n += l->num_params();
  return n;
}

template <class S>
Params<S> Problem<S>::zero_params() const {
  Params<S> theta;
  for (const auto& l : layers_) theta.push_back(Vec<S>::Zero(l->num_params()));
  return theta;
}

template <class S>
Params<S> Problem<S>::init_params(const Rng& rng, const Initializer& init) const {
  Params<S> theta = zero_params();
  for (Index t = 0; t < num_layers(); ++t) {
    Rng layer_rng = rng.split(static_cast<std::uint64_t>(t));
    layers_[t]->init_params(layer_rng, init, theta[t]);
  }
  return theta;
}

template <class S>
void Problem<S>::check_params(const Params<S>& theta) const {
  if (static_cast<Index>(theta.size()) != num_layers())
    throw InputError("parameters: expected " + std::to_string(num_layers()) +
                     " per-layer vectors, got " + std::to_string(theta.size()));
  for (Index t = 0; t < num_layers(); ++t)
    if (theta[t].size() != layers_[t]->num_params())
      throw InputError("parameters of layer " + std::to_string(t) + " " + layers_[t]->describe() +
                       ": expected " + std::to_string(layers_[t]->num_params()) + " values, got " +
                       std::to_string(theta[t].size()));
}

template <class S>
Workspace<S> Problem<S>::make_workspace(Index batch) const {
  Workspace<S> ws;
  ws.batch = batch;
  ws.states.emplace_back(batch, input_shape().size());
  ws.costates.emplace_back(batch, input_shape().size());
  for (const auto& l : layers_) {
    ws.states.emplace_back(batch, l->output_size());
    ws.costates.emplace_back(batch, l->output_size());
    ws.layer_data.push_back(l->make_data(batch));
  }
  ws.terminal_cost.resize(batch);
  ws.loss_gradient.resize(batch, output_shape().size());
  return ws;
}

template <class S>
S Problem<S>::running_cost(const Params<S>& theta) const {
  S r = 0;
  if (l2_ > 0)
    for (const auto& th : theta) r += S(0.5 * l2_) * th.squaredNorm();
  for (const auto& [t, c] : smooth_pairs_) r += S(c) * (theta[t + 1] - theta[t]).squaredNorm();
  return r;
}

template <class S>
void Problem<S>::add_running_cost_gradient(const Params<S>& theta, Params<S>& grad) const {
  if (l2_ > 0)
    for (Index t = 0; t < num_layers(); ++t) grad[t] += S(l2_) * theta[t];
  for (const auto& [t, c] : smooth_pairs_) {
    const Vec<S> difference = S(2 * c) * (theta[t + 1] - theta[t]);
    grad[t] -= difference;
    grad[t + 1] += difference;
  }
}

template <class S>
S Problem<S>::rollout(Workspace<S>& ws, CMatRef<S> X, CMatRef<S> Y, const Params<S>& theta) const {
  if (X.rows() != ws.batch || X.cols() != input_shape().size())
    throw InputError("rollout: inputs are " + std::to_string(X.rows()) + " x " +
                     std::to_string(X.cols()) + ", expected " + std::to_string(ws.batch) + " x " +
                     std::to_string(input_shape().size()));
  if (Y.rows() != ws.batch || Y.cols() != output_shape().size())
    throw InputError("rollout: targets are " + std::to_string(Y.rows()) + " x " +
                     std::to_string(Y.cols()) + ", expected " + std::to_string(ws.batch) + " x " +
                     std::to_string(output_shape().size()));
  ws.states[0] = X;
  for (Index t = 0; t < num_layers(); ++t)
    layers_[t]->forward(*ws.layer_data[t], ws.states[t], theta[t], ws.states[t + 1]);
  return cost(ws, Y, theta);
}

template <class S>
S Problem<S>::cost(Workspace<S>& ws, CMatRef<S> Y, const Params<S>& theta) const {
  loss_->value(ws.output(), Y, ws.terminal_cost);
  return ws.terminal_cost.mean() + running_cost(theta);
}

template <class S>
void Problem<S>::terminal_costate(Workspace<S>& ws, CMatRef<S> Y) const {
  loss_->gradient(ws.output(), Y, ws.loss_gradient);
  ws.costates.back() = S(-1.0 / static_cast<double>(ws.batch)) * ws.loss_gradient;
}

template <class S>
void Problem<S>::adjoint(Workspace<S>& ws, CMatRef<S> Y, const Params<S>& theta, Params<S>& grad,
                         bool input_costate) const {
  terminal_costate(ws, Y);
  propagate_costates(ws, theta, grad, input_costate);
  add_running_cost_gradient(theta, grad);
}

template <class S>
void Problem<S>::propagate_costates(Workspace<S>& ws, const Params<S>& theta, Params<S>& g,
                                    bool input_costate) const {
  if (g.size() != theta.size()) g = zero_params();
  for (Index t = num_layers() - 1; t >= 0; --t) {
    const Index rows = (t > 0 || input_costate) ? ws.batch : 0;
    // The layer returns ∇_θ H_t without R.
    layers_[t]->vjp(*ws.layer_data[t], ws.states[t], theta[t], ws.costates[t + 1],
                    ws.costates[t].topRows(rows), g[t]);
    g[t] = -g[t];
  }
}

template <class S>
Vec<S> flatten(const Params<S>& theta) {
  Index size = 0;
  for (const Vec<S>& part : theta) size += part.size();
  Vec<S> flat(size);
  Index offset = 0;
  for (const Vec<S>& part : theta) {
    flat.segment(offset, part.size()) = part;
    offset += part.size();
  }
  return flat;
}

template <class S>
void unflatten(CVecRef<S> flat, Params<S>& theta) {
  Index offset = 0;
  for (Vec<S>& part : theta) {
    part = flat.segment(offset, part.size());
    offset += part.size();
  }
}

template Vec<float> flatten(const Params<float>&);
template Vec<double> flatten(const Params<double>&);
template void unflatten(CVecRef<float>, Params<float>&);
template void unflatten(CVecRef<double>, Params<double>&);
template class Problem<float>;
template class Problem<double>;

}  // namespace deepctl
