#include "deepctl/problem/hamiltonian.hpp"

#include <cmath>

#include "deepctl/core/error.hpp"

namespace deepctl {
template <class S>
LayerEvaluation<S> evaluate_layer(const Problem<S>& problem, const Workspace<S>& trajectory,
                                  Index t, CVecRef<S> theta_t, bool with_costate) {
  if (t < 0 || t >= problem.num_layers())
    throw InputError("layer index " + std::to_string(t) + " out of range [0, " +
                     std::to_string(problem.num_layers()) + ")");
  const Layer<S>& layer = problem.layer(t);
  if (theta_t.size() != layer.num_params())
    throw InputError("parameters of layer " + std::to_string(t) + " " + layer.describe() +
                     ": expected " + std::to_string(layer.num_params()) + " values, got " +
                     std::to_string(theta_t.size()));
  const Index B = trajectory.batch;
  auto data = layer.make_data(B);
  LayerEvaluation<S> e{Mat<S>(B, layer.output_size()),
                       Mat<S>(with_costate ? B : 0, layer.input_size()),
                       Vec<S>(layer.num_params())};
  layer.forward(*data, trajectory.states[t], theta_t, e.f);
  layer.vjp(*data, trajectory.states[t], theta_t, trajectory.costates[t + 1], e.p, e.g);
  return e;
}

namespace {

// H_t = Σ_s p_{t+1}^s · f_t(x_t^s, θ) − (λ/2)‖θ‖².
template <class S>
double hamiltonian_value(const Workspace<S>& trajectory, Index t, const LayerEvaluation<S>& e,
                         CVecRef<S> theta_t, double l2) {
  return double((trajectory.costates[t + 1].array() * e.f.array()).sum()) -
         0.5 * l2 * double(theta_t.squaredNorm());
}

}  // namespace

template <class S>
double layer_hamiltonian(const Problem<S>& problem, const Workspace<S>& trajectory, Index t,
                         CVecRef<S> theta_t, Vec<S>* grad) {
  const LayerEvaluation<S> e = evaluate_layer<S>(problem, trajectory, t, theta_t, false);
  if (grad) *grad = e.g - S(problem.l2()) * theta_t;
  return hamiltonian_value<S>(trajectory, t, e, theta_t, problem.l2());
}

template <class S>
PmpResiduals pmp_residuals(const Problem<S>& problem, const Workspace<S>& trajectory,
                           const Params<S>& theta) {
  problem.check_params(theta);
  PmpResiduals r;
  const double B = double(trajectory.batch);
  // ∇ of the running cost per layer (L2 and the time-smoothness coupling with the neighbours).
  Params<S> cost_gradient = problem.zero_params();
  problem.add_running_cost_gradient(theta, cost_gradient);
  for (Index t = 0; t < problem.num_layers(); ++t) {
    const LayerEvaluation<S> e = evaluate_layer<S>(problem, trajectory, t, theta[t], true);
    r.state.push_back(std::sqrt(double((trajectory.states[t + 1] - e.f).squaredNorm()) / B));
    r.costate.push_back(B * std::sqrt(double((trajectory.costates[t] - e.p).squaredNorm()) / B));
    r.stationarity.push_back(double((e.g - cost_gradient[t]).norm()));
    r.hamiltonian.push_back(hamiltonian_value<S>(trajectory, t, e, theta[t], problem.l2()));
  }
  return r;
}

template LayerEvaluation<float> evaluate_layer<float>(const Problem<float>&,
                                                      const Workspace<float>&, Index,
                                                      CVecRef<float>, bool);
template LayerEvaluation<double> evaluate_layer<double>(const Problem<double>&,
                                                        const Workspace<double>&, Index,
                                                        CVecRef<double>, bool);
template double layer_hamiltonian<float>(const Problem<float>&, const Workspace<float>&, Index,
                                         CVecRef<float>, Vec<float>*);
template double layer_hamiltonian<double>(const Problem<double>&, const Workspace<double>&, Index,
                                          CVecRef<double>, Vec<double>*);
template PmpResiduals pmp_residuals<float>(const Problem<float>&, const Workspace<float>&,
                                           const Params<float>&);
template PmpResiduals pmp_residuals<double>(const Problem<double>&, const Workspace<double>&,
                                            const Params<double>&);

}  // namespace deepctl
