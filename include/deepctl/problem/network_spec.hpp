// A precision-independent description of a network, as read from a config's [model] table,
// and the builder that turns it into a Problem<S> with layer shapes inferred in order.
#pragma once

#include <string>
#include <vector>

#include "deepctl/problem/problem.hpp"

namespace deepctl {

struct LayerSpec {
  std::string type;    // dense | residual | conv2d | maxpool | avgpool | flatten | sum | hamiltonian |
                       // ode
  Index width = 0;     // dense: output width
  Index channels = 0;  // conv2d: output channels
  Index kernel = 0;    // conv2d, pools: window size
  Index stride = 0;    // conv2d (default 1), pools (default = kernel)
  Index padding = 0;   // conv2d
  double step = 1.0;   // residual: h in x + h·φ(Wx + b); hamiltonian: the Verlet step h
  std::string activation = "linear";
  double time = 1.0;                  // ode: integration time T of dx/dt = φ(Wx + b)
  Index steps = 10;                   // ode: solver steps N
  std::string solver = "rk4";         // ode: euler | midpoint | rk4 | bs3 | dopri5
  std::string gradient = "discrete";  // ode: discrete (exact, store-all) | adjoint (continuous)
  std::string field = "dense";  // ode: dense φ(Wx + b) | antisymmetric φ((W − Wᵀ − γI)x + b) |
                                // mlp W₂φ(W₁x + b₁) + b₂ with `width` hidden units
  double gamma = 0.0;           // ode, antisymmetric field: γ
  double rtol = 0.0;            // ode: adaptive steps (bs3, dopri5) when rtol or atol > 0
  double atol = 0.0;
  std::string weights = "real";  // dense: real | binary | ternary (layer/dense.hpp)
};

struct NetworkSpec {
  Shape input;
  std::vector<LayerSpec> layers;
  std::string loss = "cross_entropy";
  double l2 = 0.0;
  double time_smoothness = 0.0;  // α of the time-smoothness running cost (problem.hpp)
};

// The layer types build_problem understands, for messages and help.
const std::vector<std::string>& layer_types();

// Builds the problem; errors name the layer as model.layers[i].
template <class S>
Problem<S> build_problem(const NetworkSpec& spec);

}  // namespace deepctl
