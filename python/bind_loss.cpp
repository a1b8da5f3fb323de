#include "bind.hpp"
#include "deepctl/loss/loss.hpp"

namespace deepctl::python {
namespace {

template <class S>
void bind_losses(py::module_& m) {
  using L = Loss<S>;
  py::class_<L, std::shared_ptr<L>>(m, ("Loss" + suffix<S>()).c_str(),
                                    R"(Terminal cost Φ(z, y) per sample.

Loss(name) with name cross_entropy (softmax cross-entropy) or squared_error (½‖z − y‖²);
written as an activation ρ of a residual r(z, y) so that the Gauss-Newton block is JᵣᵀHᵨJᵣ.)")
      .def(py::init([](const std::string& name) { return std::shared_ptr<L>(make_loss<S>(name)); }),
           py::arg("name"))
      .def_property_readonly("name", &L::name)
      .def_property_readonly("classification", &L::classification)
      .def(
          "value",
          [](const L& l, CMatRef<S> z, CMatRef<S> y) {
            Vec<S> phi(z.rows());
            l.value(z, y, phi);
            return phi;
          },
          py::arg("z"), py::arg("y"), "Φ(z^s, y^s) for each row s.")
      .def(
          "gradient",
          [](const L& l, CMatRef<S> z, CMatRef<S> y) {
            Mat<S> g(z.rows(), z.cols());
            l.gradient(z, y, g);
            return g;
          },
          py::arg("z"), py::arg("y"), "∇_z Φ(z^s, y^s) for each row s.")
      .def(
          "gauss_newton",
          [](const L& l, CVecRef<S> z, CVecRef<S> y) {
            Mat<S> G(z.size(), z.size());
            l.gauss_newton(z, y, G);
            return G;
          },
          py::arg("z"), py::arg("y"), "The Gauss-Newton block of one sample.")
      .def("__repr__", [](const L& l) { return "Loss('" + l.name() + "')"; });
}

}  // namespace

void bind_loss(py::module_& m) {
  bind_losses<double>(m);
  bind_losses<float>(m);
  m.def("accuracy", &accuracy<double>, py::arg("z"), py::arg("y"),
        "Share of rows whose largest output is the target class (y one-hot).");
}

}  // namespace deepctl::python
