#include "bind.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/problem/hamiltonian.hpp"
#include "deepctl/problem/layer_statistics.hpp"
#include "deepctl/problem/network_spec.hpp"
#include "deepctl/problem/parallel_gradient.hpp"

namespace deepctl::python {
namespace {

// The states and costates of one rollout, kept for the adjoint pass and for inspection.
template <class S>
struct Trajectory {
  Workspace<S> ws;
  double objective = 0;
  bool has_costates = false;  // set by Problem.adjoint
  void require_costates() const {
    if (!has_costates)
      throw InputError("the trajectory has no costates yet; call Problem.adjoint on it first");
  }
};

template <class S>
void bind_problems(py::module_& m) {
  const std::string sfx = suffix<S>();
  using P = Problem<S>;
  using T = Trajectory<S>;
  py::class_<T>(
      m, ("Trajectory" + sfx).c_str(),
      "States x_0..x_T and costates p_0..p_T of one rollout (arrays viewing the buffers).")
      .def_readonly("objective", &T::objective, "J = (1/B) Σ Φ + R(θ)")
      .def_property_readonly(
          "states",
          [](py::object self) {
            py::list out;
            for (auto& x : self.cast<T&>().ws.states)
              out.append(py::cast(Eigen::Ref<Mat<S>>(x),
                                  py::return_value_policy::reference_internal, self));
            return out;
          })
      .def_property_readonly(
          "costates",
          [](py::object self) {
            py::list out;
            for (auto& p : self.cast<T&>().ws.costates)
              out.append(py::cast(Eigen::Ref<Mat<S>>(p),
                                  py::return_value_policy::reference_internal, self));
            return out;
          })
      .def_property_readonly("terminal_cost",
                             [](const T& t) { return Vec<S>(t.ws.terminal_cost); });

  py::class_<P>(m, ("Problem" + sfx).c_str(), R"(The network as an optimal-control problem.

  minimise J(θ) = (1/B) Σ_s Φ(x_T^s, y^s) + Σ_t R_t(θ_t),  x_{t+1} = f_t(x_t, θ_t), x_0 = input
with R_t = (λ/2)‖θ_t‖². The costate pass p_T = −(1/B)∇Φ, p_t = f_xᵀ p_{t+1} gives
∇_{θ_t} J = −∇_θ H_t + λθ_t (back-propagation read as Pontryagin's principle).

Problem(layers, loss="cross_entropy", l2=0.0); or build_problem(spec).)")
      .def(py::init([](const std::vector<std::shared_ptr<Layer<S>>>& layers,
                       const std::string& loss, double l2, double time_smoothness) {
             std::vector<std::shared_ptr<const Layer<S>>> owned(layers.begin(), layers.end());
             return P(std::move(owned), make_loss<S>(loss), l2, time_smoothness);
           }),
           py::arg("layers"), py::arg("loss") = "cross_entropy", py::arg("l2") = 0.0,
           py::arg("time_smoothness") = 0.0, py::keep_alive<1, 2>())
      .def_property_readonly("time_smoothness", &P::time_smoothness)
      .def_property_readonly("num_layers", &P::num_layers)
      .def_property_readonly("num_params", &P::num_params)
      .def_property_readonly("l2", &P::l2)
      .def_property_readonly("loss", [](const P& p) { return p.loss().name(); })
      .def_property_readonly("input_shape", [](const P& p) { return shape_tuple(p.input_shape()); })
      .def_property_readonly("output_shape",
                             [](const P& p) { return shape_tuple(p.output_shape()); })
      .def(
          "layer",
          [](const P& p, Index t) {
            if (t < 0 || t >= p.num_layers())
              throw InputError("layer index " + std::to_string(t) + " out of range [0, " +
                               std::to_string(p.num_layers()) + ")");
            return p.layer(t).describe();
          },
          py::arg("t"), "Description of layer t.")
      .def("zero_params", [](const P& p) { return to_list(p.zero_params()); })
      .def(
          "init_params",
          [](const P& p, std::uint64_t seed, const Initializer& init) {
            return to_list(p.init_params(Rng(seed), init));
          },
          py::arg("seed") = 0, py::arg("init") = Initializer{},
          "θ drawn layer by layer from Rng(seed).split(t).")
      .def(
          "rollout",
          [](const P& p, CMatRef<S> X, CMatRef<S> Y, const py::sequence& theta) {
            const Params<S> th = from_list<S>(theta);
            p.check_params(th);
            auto t = std::make_unique<T>();
            t->ws = p.make_workspace(X.rows());
            t->objective = p.rollout(t->ws, X, Y, th);
            return t;
          },
          py::arg("X"), py::arg("Y"), py::arg("theta"), "The forward pass: a Trajectory with J.")
      .def(
          "adjoint",
          [](const P& p, T& t, CMatRef<S> Y, const py::sequence& theta, bool input_costate) {
            const Params<S> th = from_list<S>(theta);
            p.check_params(th);
            Params<S> grad;
            p.adjoint(t.ws, Y, th, grad, input_costate);
            t.has_costates = input_costate;
            return to_list(grad);
          },
          py::arg("trajectory"), py::arg("Y"), py::arg("theta"), py::arg("input_costate") = true,
          "The costate pass on a trajectory: fills its costates and returns ∇_θ J.")
      .def(
          "objective",
          [](const P& p, CMatRef<S> X, CMatRef<S> Y, const py::sequence& theta) {
            const Params<S> th = from_list<S>(theta);
            p.check_params(th);
            Workspace<S> ws = p.make_workspace(X.rows());
            return double(p.rollout(ws, X, Y, th));
          },
          py::arg("X"), py::arg("Y"), py::arg("theta"), "J(θ) on the batch.")
      .def(
          "gradient",
          [](const P& p, CMatRef<S> X, CMatRef<S> Y, const py::sequence& theta, int threads) {
            const Params<S> th = from_list<S>(theta);
            p.check_params(th);
            ParallelGradient<S> pg(p, X.rows(), threads);
            Params<S> grad;
            const double J = pg.evaluate(X, Y, th, grad);
            return py::make_tuple(J, to_list(grad));
          },
          py::arg("X"), py::arg("Y"), py::arg("theta"), py::arg("threads") = 1,
          "(J, ∇_θ J) on the batch, rows split over `threads`.")
      .def(
          "hamiltonian",
          [](const P& p, const T& traj, Index t, CVecRef<S> theta_t) {
            traj.require_costates();
            Vec<S> grad;
            const double H = layer_hamiltonian<S>(p, traj.ws, t, theta_t, &grad);
            return py::make_tuple(H, grad);
          },
          py::arg("trajectory"), py::arg("t"), py::arg("theta_t"),
          "(H_t, ∇_θ H_t) on the trajectory's x_t and p_{t+1}: H_t = Σ_s p·f_t(x_t, θ) − "
          "(λ/2)‖θ‖².")
      .def(
          "pmp_residuals",
          [](const P& p, const T& traj, const py::sequence& theta) {
            traj.require_costates();
            const PmpResiduals r = pmp_residuals<S>(p, traj.ws, from_list<S>(theta));
            return py::dict(py::arg("state") = r.state, py::arg("costate") = r.costate,
                            py::arg("stationarity") = r.stationarity,
                            py::arg("hamiltonian") = r.hamiltonian);
          },
          py::arg("trajectory"), py::arg("theta"),
          "Per layer: state and costate equation residuals of θ on the trajectory, ‖∇_θ H_t‖ and "
          "H_t.")
      .def(
          "layer_statistics",
          [](const P& p, CMatRef<S> X, CMatRef<S> Y, const py::sequence& theta) {
            const Params<S> th = from_list<S>(theta);
            p.check_params(th);
            py::list out;
            for (const auto& st : layer_statistics<S>(p, th, X, Y))
              out.append(py::dict(py::arg("weight_rms") = st.weight_rms,
                                  py::arg("grad_rms") = st.grad_rms,
                                  py::arg("activation_mean") = st.activation_mean,
                                  py::arg("activation_std") = st.activation_std,
                                  py::arg("costate_rms") = st.costate_rms));
            return out;
          },
          py::arg("X"), py::arg("Y"), py::arg("theta"),
          "Per-layer weight_rms, grad_rms, activation_mean/std, costate_rms on a probe batch.")
      .def("__repr__", [](const P& p) {
        std::string s = "Problem" + suffix<S>() + "(loss=" + p.loss().name() +
                        ", l2=" + std::to_string(p.l2()) +
                        ", params=" + std::to_string(p.num_params()) + ",\n";
        for (Index t = 0; t < p.num_layers(); ++t)
          s += "  " + std::to_string(t) + ": " + p.layer(t).describe() + "\n";
        return s + ")";
      });
  m.def(("build_problem" + sfx).c_str(), &build_problem<S>, py::arg("spec"),
        "Builds the Problem a NetworkSpec describes (layer shapes inferred in order).");
}

}  // namespace

void bind_problem(py::module_& m) {
  py::class_<LayerSpec>(m, "LayerSpec", R"(One [[model.layers]] entry of a config.

type: dense | residual | conv2d | maxpool | avgpool | flatten | ode; width (dense), channels,
kernel, stride, padding (conv2d, pools), step (residual), time, steps, solver, gradient, field, gamma (ode), activation.)")
      .def(py::init([](const std::string& type, Index width, const std::string& activation,
                       Index channels, Index kernel, Index stride, Index padding, double step,
                       double time, Index steps, const std::string& solver,
                       const std::string& gradient, const std::string& field, double gamma,
                       double rtol, double atol) {
             return LayerSpec{type, width, channels, kernel,   stride, padding, step, activation,
                              time, steps, solver,   gradient, field,  gamma,   rtol, atol};
           }),
           py::arg("type"), py::arg("width") = 0, py::arg("activation") = "linear",
           py::arg("channels") = 0, py::arg("kernel") = 0, py::arg("stride") = 0,
           py::arg("padding") = 0, py::arg("step") = 1.0, py::arg("time") = 1.0,
           py::arg("steps") = 10, py::arg("solver") = "rk4", py::arg("gradient") = "discrete",
           py::arg("field") = "dense", py::arg("gamma") = 0.0, py::arg("rtol") = 0.0,
           py::arg("atol") = 0.0)
      .def_readwrite("type", &LayerSpec::type)
      .def_readwrite("width", &LayerSpec::width)
      .def_readwrite("channels", &LayerSpec::channels)
      .def_readwrite("kernel", &LayerSpec::kernel)
      .def_readwrite("stride", &LayerSpec::stride)
      .def_readwrite("padding", &LayerSpec::padding)
      .def_readwrite("step", &LayerSpec::step)
      .def_readwrite("activation", &LayerSpec::activation)
      .def_readwrite("time", &LayerSpec::time)
      .def_readwrite("steps", &LayerSpec::steps)
      .def_readwrite("solver", &LayerSpec::solver)
      .def_readwrite("gradient", &LayerSpec::gradient)
      .def_readwrite("field", &LayerSpec::field)
      .def_readwrite("gamma", &LayerSpec::gamma)
      .def_readwrite("rtol", &LayerSpec::rtol)
      .def_readwrite("atol", &LayerSpec::atol)
      .def("__repr__", [](const LayerSpec& l) {
        return "LayerSpec('" + l.type + "', width=" + std::to_string(l.width) + ", activation='" +
               l.activation + "')";
      });
  py::class_<NetworkSpec>(m, "NetworkSpec", "Input shape, layer specs, loss and L2 weight.")
      .def(py::init([](py::object input, std::vector<LayerSpec> layers, const std::string& loss,
                       double l2, double time_smoothness) {
             return NetworkSpec{shape_from(input), std::move(layers), loss, l2, time_smoothness};
           }),
           py::arg("input"), py::arg("layers"), py::arg("loss") = "cross_entropy",
           py::arg("l2") = 0.0, py::arg("time_smoothness") = 0.0)
      .def_property(
          "input", [](const NetworkSpec& s) { return shape_tuple(s.input); },
          [](NetworkSpec& s, py::object o) { s.input = shape_from(o); })
      .def_readwrite("layers", &NetworkSpec::layers)
      .def_readwrite("loss", &NetworkSpec::loss)
      .def_readwrite("l2", &NetworkSpec::l2)
      .def_readwrite("time_smoothness", &NetworkSpec::time_smoothness);
  bind_problems<double>(m);
  bind_problems<float>(m);
}

}  // namespace deepctl::python
