#include "bind.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/layer/antisymmetric.hpp"
#include "deepctl/layer/chain.hpp"
#include "deepctl/layer/conv2d.hpp"
#include "deepctl/layer/dense.hpp"
#include "deepctl/layer/hamiltonian.hpp"
#include "deepctl/layer/linear_control.hpp"
#include "deepctl/layer/ode_block.hpp"
#include "deepctl/layer/pool.hpp"
#include "deepctl/layer/residual.hpp"

namespace deepctl::python {
namespace {

// A layer written in Python. The subclass implements, on batches (rows = samples):
//   input_shape(), output_shape()  int n or tuple (C, H, W)
//   num_params()                   int
//   forward(x, theta) -> y
//   vjp(x, theta, p_next) -> (p, g)   p = f_xᵀ p_next row by row, g = Σ_s f_θᵀ p_next^s
//   jvp(x, theta, dx, dtheta) -> dy   optional
//   init_params(rng, init) -> theta   optional (zeros otherwise)
// The stateless calls recompute what they need. Such a layer holds the GIL, so a problem that
// contains one runs its minibatches unsharded (Capabilities::thread_safe = false).
template <class S>
class PyLayer final : public Layer<S> {
 public:
  using Arr = py::array_t<S, py::array::c_style | py::array::forcecast>;

  std::string kind() const override {
    py::gil_scoped_acquire gil;
    py::function f = py::get_override(this, "kind");
    return f ? f().cast<std::string>() : "python";
  }
  std::string describe() const override {
    py::gil_scoped_acquire gil;
    py::function f = py::get_override(this, "describe");
    if (f) return f().cast<std::string>();
    return py::str(py::type::of(py::cast(this)).attr("__name__")).cast<std::string>() + "(" +
           std::to_string(this->input_size()) + " -> " + std::to_string(this->output_size()) + ")";
  }
  Shape input_shape() const override { return shape_of("input_shape"); }
  Shape output_shape() const override { return shape_of("output_shape"); }
  Index num_params() const override { return required("num_params")().template cast<Index>(); }
  Capabilities capabilities() const override {
    py::gil_scoped_acquire gil;
    Capabilities c;
    c.jvp = static_cast<bool>(py::get_override(this, "jvp"));
    c.thread_safe = false;
    return c;
  }
  std::unique_ptr<LayerData> make_data(Index batch) const override {
    return std::make_unique<LayerData>(batch);
  }
  void forward(LayerData&, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const override {
    py::gil_scoped_acquire gil;
    copy_into("forward", required("forward")(Mat<S>(x), Vec<S>(theta)), y.rows(), y.cols(),
              y.data());
  }
  void vjp(LayerData&, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
           VecRef<S> g) const override {
    py::gil_scoped_acquire gil;
    const py::tuple out = required("vjp")(Mat<S>(x), Vec<S>(theta), Mat<S>(p_next));
    if (out.size() != 2) throw InputError(describe() + ".vjp: expected a tuple (p, g)");
    if (p.rows() > 0) copy_into("vjp (p)", out[0], p.rows(), p.cols(), p.data());
    if (g.size() > 0) copy_into("vjp (g)", out[1], g.size(), 1, g.data());
  }
  void jvp(LayerData&, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx, CVecRef<S> dtheta,
           MatRef<S> dy) const override {
    py::gil_scoped_acquire gil;
    copy_into("jvp", required("jvp")(Mat<S>(x), Vec<S>(theta), Mat<S>(dx), Vec<S>(dtheta)),
              dy.rows(), dy.cols(), dy.data());
  }
  void init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const override {
    py::gil_scoped_acquire gil;
    py::function f = py::get_override(this, "init_params");
    if (!f) {
      theta.setZero();
      return;
    }
    copy_into("init_params", f(rng, init), theta.size(), 1, theta.data());
  }

 private:
  py::function required(const char* name) const {
    py::gil_scoped_acquire gil;
    py::function f = py::get_override(this, name);
    if (!f)
      throw InputError("Python layer " +
                       py::str(py::type::of(py::cast(this)).attr("__name__")).cast<std::string>() +
                       " does not define " + name + "()");
    return f;
  }
  Shape shape_of(const char* name) const {
    py::gil_scoped_acquire gil;
    return shape_from(required(name)());
  }
  void copy_into(const std::string& what, const py::object& result, Index rows, Index cols,
                 S* out) const {
    const Arr a = Arr::ensure(result);
    if (!a || a.size() != rows * cols)
      throw InputError(describe() + "." + what + ": expected " + std::to_string(rows) + " x " +
                       std::to_string(cols) + " values, got " +
                       (a ? std::to_string(a.size()) : std::string("a non-array")));
    std::copy(a.data(), a.data() + a.size(), out);
  }
};

template <class S>
void bind_layers(py::module_& m) {
  const std::string sfx = suffix<S>();
  using L = Layer<S>;
  py::class_<L, PyLayer<S>, std::shared_ptr<L>>(
      m, ("Layer" + sfx).c_str(), R"(One time step x_{t+1} = f_t(x_t, θ_t) of the network.

Batches are arrays with one sample per row; θ is the layer's flat parameter vector.
  forward(x, theta) -> y
  vjp(x, theta, p_next) -> (p, g)   costate p = f_xᵀ p_next; g = ∇_θ H = Σ_s f_θᵀ p_next^s
  jvp(x, theta, dx, dtheta) -> dy   dy = f_x dx + f_θ dθ
Subclass it in Python to prototype a layer: define input_shape, output_shape, num_params,
forward and vjp (jvp and init_params optional). Such a layer can join a Problem.)")
      .def(py::init<>())
      .def("kind", &L::kind)
      .def("describe", &L::describe)
      .def("input_shape", [](const L& l) { return shape_tuple(l.input_shape()); })
      .def("output_shape", [](const L& l) { return shape_tuple(l.output_shape()); })
      .def_property_readonly("input_size", &L::input_size)
      .def_property_readonly("output_size", &L::output_size)
      .def("num_params", &L::num_params)
      .def(
          "forward",
          [](const L& l, CMatRef<S> x, CVecRef<S> theta) {
            auto data = l.make_data(x.rows());
            Mat<S> y(x.rows(), l.output_size());
            l.forward(*data, x, theta, y);
            return y;
          },
          py::arg("x"), py::arg("theta"))
      .def(
          "vjp",
          [](const L& l, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> p_next) {
            auto data = l.make_data(x.rows());
            Mat<S> y(x.rows(), l.output_size()), p(x.rows(), l.input_size());
            Vec<S> g(l.num_params());
            l.forward(*data, x, theta, y);
            l.vjp(*data, x, theta, p_next, p, g);
            return py::make_tuple(p, g);
          },
          py::arg("x"), py::arg("theta"), py::arg("p_next"))
      .def(
          "jvp",
          [](const L& l, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx, CVecRef<S> dtheta) {
            auto data = l.make_data(x.rows());
            Mat<S> y(x.rows(), l.output_size()), dy(x.rows(), l.output_size());
            l.forward(*data, x, theta, y);
            l.jvp(*data, x, theta, dx, dtheta, dy);
            return dy;
          },
          py::arg("x"), py::arg("theta"), py::arg("dx"), py::arg("dtheta"))
      .def(
          "init_params",
          [](const L& l, Rng& rng, const Initializer& init) {
            Vec<S> theta = Vec<S>::Zero(l.num_params());
            l.init_params(rng, init, theta);
            return theta;
          },
          py::arg("rng"), py::arg("init") = Initializer{})
      .def("__repr__", &L::describe);

  py::class_<Dense<S>, L, std::shared_ptr<Dense<S>>>(
      m, ("Dense" + sfx).c_str(),
      "f(x) = φ(c W x + b); θ = [W row-major (out × in), b]; weights = real (c = 1), binary or "
      "ternary (W discrete, c = 1/√in).")
      .def(py::init([](Index in, Index out, const std::string& act, const std::string& weights) {
             return std::make_shared<Dense<S>>(in, out, Activation::parse(act),
                                               parse_weight_set(weights));
           }),
           py::arg("inputs"), py::arg("outputs"), py::arg("activation") = "linear",
           py::arg("weights") = "real");
  py::class_<Residual<S>, L, std::shared_ptr<Residual<S>>>(
      m, ("Residual" + sfx).c_str(), "f(x) = x + h·g(x, θ), an Euler step of dx/dt = g(x, θ).")
      .def(py::init([](std::shared_ptr<L> inner, double step) {
             return std::make_shared<Residual<S>>(std::move(inner), step);
           }),
           py::arg("inner"), py::arg("step") = 1.0, py::keep_alive<1, 2>())
      .def_property_readonly("step", &Residual<S>::step);
  py::class_<Conv2d<S>, L, std::shared_ptr<Conv2d<S>>>(
      m, ("Conv2d" + sfx).c_str(),
      "φ(K ⋆ x + b) with square kernels and zero padding; input (C, H, W).")
      .def(py::init([](py::object input, Index channels, Index kernel, Index stride, Index padding,
                       const std::string& act) {
             return std::make_shared<Conv2d<S>>(
                 Conv2dGeometry{shape_from(input), channels, kernel, stride, padding},
                 Activation::parse(act));
           }),
           py::arg("input_shape"), py::arg("channels"), py::arg("kernel"), py::arg("stride") = 1,
           py::arg("padding") = 0, py::arg("activation") = "linear");
  py::class_<Pool2d<S>, L, std::shared_ptr<Pool2d<S>>>(m, ("Pool2d" + sfx).c_str(),
                                                       "Max or average pooling over k × k windows.")
      .def(py::init([](py::object input, const std::string& mode, Index kernel, Index stride) {
             if (mode != "max" && mode != "avg")
               throw InputError("pool mode '" + mode + "': expected 'max' or 'avg'");
             return std::make_shared<Pool2d<S>>(shape_from(input),
                                                mode == "max" ? PoolMode::Max : PoolMode::Average,
                                                kernel, stride > 0 ? stride : kernel);
           }),
           py::arg("input_shape"), py::arg("mode"), py::arg("kernel"), py::arg("stride") = 0);
  py::class_<LinearControl<S>, L, std::shared_ptr<LinearControl<S>>>(
      m, ("LinearControl" + sfx).c_str(),
      "x' = A x + B θ with fixed A (n × n), B (n × m): a stack of them is the LQR test problem.")
      .def(py::init([](const Mat<S>& A, const Mat<S>& B) {
             return std::make_shared<LinearControl<S>>(A, B);
           }),
           py::arg("A"), py::arg("B"));
  py::class_<Antisymmetric<S>, L, std::shared_ptr<Antisymmetric<S>>>(
      m, ("Antisymmetric" + sfx).c_str(),
      "g(x) = φ((W − Wᵀ − γI)x + b), a stable vector field for OdeBlock (Haber & Ruthotto).")
      .def(py::init([](Index width, const std::string& act, double gamma) {
             return std::make_shared<Antisymmetric<S>>(width, Activation::parse(act), gamma);
           }),
           py::arg("width"), py::arg("activation") = "linear", py::arg("gamma") = 0.0)
      .def("matrix", &Antisymmetric<S>::matrix, py::arg("theta"), "K = W − Wᵀ − γI.");
  py::class_<OdeBlock<S>, L, std::shared_ptr<OdeBlock<S>>>(
      m, ("OdeBlock" + sfx).c_str(),
      "x(T) of dx/dt = g(x, θ) by an explicit Runge–Kutta scheme (euler, midpoint, rk4, bs3, "
      "dopri5): N fixed steps, or adaptive ones for bs3/dopri5 when rtol or atol > 0; gradient "
      "= discrete (exact, through the stages), checkpointed (the same, stages recomputed from "
      "stored step starts) or adjoint (the continuous adjoint, one step of "
      "memory). counts: evaluations of g so far (forward_passes, forward_evaluations = NFE, "
      "rejected_steps, backward_passes, backward_evaluations).")
      .def(py::init([](std::shared_ptr<L> g, double time, Index steps, const std::string& solver,
                       const std::string& gradient, double rtol, double atol, Index max_steps) {
             return std::make_shared<OdeBlock<S>>(
                 std::move(g), time, steps, ButcherTableau::parse(solver),
                 ButcherTableau::parse_gradient(gradient), OdeTolerance{rtol, atol, max_steps});
           }),
           py::arg("vector_field"), py::arg("time") = 1.0, py::arg("steps") = 10,
           py::arg("solver") = "rk4", py::arg("gradient") = "discrete", py::arg("rtol") = 0.0,
           py::arg("atol") = 0.0, py::arg("max_steps") = 100000, py::keep_alive<1, 2>())
      .def_property_readonly("nfe", &OdeBlock<S>::nfe)
      .def_property_readonly("order", &OdeBlock<S>::order)
      .def_property_readonly("counts", [](const OdeBlock<S>& b) {
        const OdeCounts c = b.counts();
        return py::dict(py::arg("forward_passes") = c.forward_passes,
                        py::arg("forward_evaluations") = c.forward_evaluations,
                        py::arg("rejected_steps") = c.rejected_steps,
                        py::arg("backward_passes") = c.backward_passes,
                        py::arg("backward_evaluations") = c.backward_evaluations);
      });
  py::class_<Hamiltonian<S>, L, std::shared_ptr<Hamiltonian<S>>>(
      m, ("Hamiltonian" + sfx).c_str(),
      "One Verlet step of the Hamiltonian block on x = (y, z): z' = z − hσ(Kᵀy + b), "
      "y' = y + hσ(Kz' + b) (Haber & Ruthotto); volume-preserving and reversible (inverse).")
      .def(py::init([](Index width, const std::string& act, double step) {
             return std::make_shared<Hamiltonian<S>>(width, Activation::parse(act), step);
           }),
           py::arg("width"), py::arg("activation") = "tanh", py::arg("step") = 0.1)
      .def(
          "inverse",
          [](const Hamiltonian<S>& layer, CMatRef<S> x_next, CVecRef<S> theta) {
            Mat<S> x(x_next.rows(), x_next.cols());
            layer.inverse(x_next, theta, x);
            return x;
          },
          py::arg("x_next"), py::arg("theta"), "The input whose step gives x_next.");
  py::class_<Chain<S>, L, std::shared_ptr<Chain<S>>>(
      m, ("Chain" + sfx).c_str(),
      "f_K ∘ … ∘ f_1 as one layer (θ concatenated), e.g. an MLP vector field for OdeBlock.")
      .def(py::init([](const std::vector<std::shared_ptr<L>>& layers) {
             return std::make_shared<Chain<S>>(
                 std::vector<std::shared_ptr<const L>>(layers.begin(), layers.end()));
           }),
           py::arg("layers"), py::keep_alive<1, 2>());
  py::class_<Flatten<S>, L, std::shared_ptr<Flatten<S>>>(m, ("Flatten" + sfx).c_str(),
                                                         "The identity on the flat (C·H·W) layout.")
      .def(py::init(
               [](py::object input) { return std::make_shared<Flatten<S>>(shape_from(input)); }),
           py::arg("input_shape"));
  py::class_<Sum<S>, L, std::shared_ptr<Sum<S>>>(m, ("Sum" + sfx).c_str(),
                                                 "y = Σ_j x_j over a sample's entries (width 1).")
      .def(py::init([](py::object input) { return std::make_shared<Sum<S>>(shape_from(input)); }),
           py::arg("input_shape"));
}

}  // namespace

void bind_layer(py::module_& m) {
  py::class_<Activation>(m, "Activation", "A pointwise activation φ with φ′ and φ″.")
      .def(py::init(&Activation::parse), py::arg("name"))
      .def_property_readonly("name", &Activation::name)
      .def_static("names", &Activation::names, "Every activation name.")
      .def(
          "value",
          [](const Activation& a, const Vec<double>& x) {
            Vec<double> y(x.size());
            a.value(x.data(), y.data(), x.size());
            return y;
          },
          "φ(x) elementwise on a 1-D array.")
      .def(
          "derivative",
          [](const Activation& a, const Vec<double>& x) {
            Vec<double> y(x.size());
            a.derivative(x.data(), y.data(), x.size());
            return y;
          },
          "φ′(x) elementwise.")
      .def(
          "second_derivative",
          [](const Activation& a, const Vec<double>& x) {
            Vec<double> y(x.size());
            a.second_derivative(x.data(), y.data(), x.size());
            return y;
          },
          "φ″(x) elementwise.")
      .def("__repr__", [](const Activation& a) { return "Activation('" + a.name() + "')"; });

  py::class_<Initializer>(m, "Initializer", R"(Parameter initialiser.

kind: gaussian (W ~ N(0, σ_w²/fan_in), b ~ N(0, σ_b²), the mean-field parametrisation),
orthogonal (gain √σ_w²), he, glorot.)")
      .def(py::init([](const std::string& kind, double sw2, double sb2) {
             return Initializer{Initializer::parse_kind(kind), sw2, sb2};
           }),
           py::arg("kind") = "gaussian", py::arg("sw2") = 1.0, py::arg("sb2") = 0.0)
      .def_property(
          "kind", [](const Initializer& i) { return Initializer::kind_name(i.kind); },
          [](Initializer& i, const std::string& k) { i.kind = Initializer::parse_kind(k); })
      .def_readwrite("sw2", &Initializer::sw2)
      .def_readwrite("sb2", &Initializer::sb2)
      .def("__repr__", [](const Initializer& i) {
        return "Initializer('" + Initializer::kind_name(i.kind) +
               "', sw2=" + std::to_string(i.sw2) + ", sb2=" + std::to_string(i.sb2) + ")";
      });
  bind_layers<double>(m);
  bind_layers<float>(m);
}

}  // namespace deepctl::python
