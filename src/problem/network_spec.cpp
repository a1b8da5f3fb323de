#include "deepctl/problem/network_spec.hpp"

#include "deepctl/core/error.hpp"
#include "deepctl/layer/antisymmetric.hpp"
#include "deepctl/layer/chain.hpp"
#include "deepctl/layer/conv2d.hpp"
#include "deepctl/layer/dense.hpp"
#include "deepctl/layer/hamiltonian.hpp"
#include "deepctl/layer/ode_block.hpp"
#include "deepctl/layer/pool.hpp"
#include "deepctl/layer/residual.hpp"

namespace deepctl {

const std::vector<std::string>& layer_types() {
  static const std::vector<std::string> types = {
      "dense", "residual", "conv2d", "maxpool", "avgpool", "flatten", "sum", "hamiltonian", "ode"};
  return types;
}

namespace {

template <class S>
std::unique_ptr<Layer<S>> build_layer(const LayerSpec& spec, const Shape& in) {
  const Activation act = Activation::parse(spec.activation);
  if (spec.type == "dense") {
    if (spec.width <= 0) throw InputError("width must be a positive integer");
    return std::make_unique<Dense<S>>(in.size(), spec.width, act, parse_weight_set(spec.weights));
  }
  if (spec.type == "residual" && spec.kernel > 0) {  // x + h φ(K ⋆ x + b), same padding
    if (spec.kernel % 2 == 0) throw InputError("a residual convolution needs an odd kernel");
    return std::make_unique<Residual<S>>(
        std::make_unique<Conv2d<S>>(
            Conv2dGeometry{in, in.channels, spec.kernel, 1, (spec.kernel - 1) / 2}, act),
        spec.step);
  }
  if (spec.type == "residual")
    return std::make_unique<Residual<S>>(std::make_unique<Dense<S>>(in.size(), in.size(), act),
                                         spec.step);
  if (spec.type == "conv2d") {
    if (spec.channels <= 0 || spec.kernel <= 0)
      throw InputError("channels and kernel must be positive integers");
    return std::make_unique<Conv2d<S>>(
        Conv2dGeometry{in, spec.channels, spec.kernel, spec.stride > 0 ? spec.stride : 1,
                       spec.padding},
        act);
  }
  if (spec.type == "maxpool" || spec.type == "avgpool") {
    if (spec.kernel <= 0) throw InputError("kernel must be a positive integer");
    return std::make_unique<Pool2d<S>>(in,
                                       spec.type == "maxpool" ? PoolMode::Max : PoolMode::Average,
                                       spec.kernel, spec.stride > 0 ? spec.stride : spec.kernel);
  }
  if (spec.type == "flatten") return std::make_unique<Flatten<S>>(in);
  if (spec.type == "sum") return std::make_unique<Sum<S>>(in);
  if (spec.type == "hamiltonian")
    return std::make_unique<Hamiltonian<S>>(in.size(), act, spec.step);
  if (spec.type == "ode") {
    std::shared_ptr<const Layer<S>> field;
    if (spec.field == "dense")
      field = std::make_shared<Dense<S>>(in.size(), in.size(), act);
    else if (spec.field == "antisymmetric")
      field = std::make_shared<Antisymmetric<S>>(in.size(), act, spec.gamma);
    else if (spec.field == "mlp") {
      if (spec.width <= 0) throw InputError("the mlp field needs width > 0 hidden units");
      field = std::make_shared<Chain<S>>(std::vector<std::shared_ptr<const Layer<S>>>{
          std::make_shared<Dense<S>>(in.size(), spec.width, act),
          std::make_shared<Dense<S>>(spec.width, in.size(), Activation())});
    } else
      throw InputError("unknown field '" + spec.field + "'; expected dense, antisymmetric or mlp");
    return std::make_unique<OdeBlock<S>>(
        field, spec.time, spec.steps, ButcherTableau::parse(spec.solver),
        ButcherTableau::parse_gradient(spec.gradient), OdeTolerance{spec.rtol, spec.atol});
  }
  std::string known;
  for (const auto& t : layer_types()) known += (known.empty() ? "" : ", ") + t;
  throw InputError("unknown type '" + spec.type + "'; expected one of " + known);
}

}  // namespace

template <class S>
Problem<S> build_problem(const NetworkSpec& spec) {
  if (spec.layers.empty()) throw InputError("model.layers: the network needs at least one layer");
  std::vector<std::shared_ptr<const Layer<S>>> layers;
  Shape shape = spec.input;
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    try {
      layers.push_back(build_layer<S>(spec.layers[i], shape));
    } catch (const InputError& e) {
      throw InputError("model.layers[" + std::to_string(i) + "] (" + spec.layers[i].type +
                       "): " + e.what());
    }
    shape = layers.back()->output_shape();
  }
  return Problem<S>(std::move(layers), make_loss<S>(spec.loss), spec.l2, spec.time_smoothness);
}

template Problem<float> build_problem<float>(const NetworkSpec&);
template Problem<double> build_problem<double>(const NetworkSpec&);

}  // namespace deepctl
