#include "bind.hpp"
#include "deepctl/meanfield/meanfield.hpp"
#include "deepctl/meanfield/phase_diagram.hpp"
#include "deepctl/meanfield/trainability.hpp"

namespace deepctl::python {

void bind_meanfield(py::module_& parent) {
  py::module_ m =
      parent.def_submodule("meanfield", R"(Mean-field signal propagation (REFERENCE F2, F3).

Wide random networks z^l = W^l φ(z^{l−1}) + b^l, W_ij ~ N(0, σ_w²/N), b_i ~ N(0, σ_b²)
(variances). analyze(activation, sw2, sb2) gives q*, c*, χ_1, χ_q, χ_c, the depth scales
ξ_q, ξ_c, ξ_∇ and the phase; critical_point(activation, sb2) the σ_w² with χ_1 = 1;
phase_diagram(activation, sw2, sb2, keep=1) all of them on a grid (arrays, shape (len(sb2), len(sw2))).
NaN marks undefined values, inf infinite ones.)");
  using namespace meanfield;
  py::class_<ActivationMoments>(m, "Moments",
                                "Gaussian expectations of an activation and its derivatives.")
      .def(py::init([](const std::string& act, bool closed_forms) {
             return ActivationMoments(Activation::parse(act), closed_forms);
           }),
           py::arg("activation"), py::arg("closed_forms") = true)
      .def("second_moment", &ActivationMoments::second_moment, py::arg("q"), "E[φ(√q z)²]")
      .def("derivative_moment", &ActivationMoments::derivative_moment, py::arg("q"),
           py::arg("k") = 1, "μ_k = E[φ′(√q z)^{2k}]")
      .def("curvature_moment", &ActivationMoments::curvature_moment, py::arg("q"), "E[φ φ″](√q z)")
      .def("covariance", &ActivationMoments::covariance, py::arg("q11"), py::arg("q22"),
           py::arg("c"), "E[φ(u1) φ(u2)]")
      .def("derivative_covariance", &ActivationMoments::derivative_covariance, py::arg("q11"),
           py::arg("q22"), py::arg("c"), "E[φ′(u1) φ′(u2)]")
      .def("hermite_coefficients", &ActivationMoments::hermite_coefficients, py::arg("q"),
           py::arg("K"))
      .def("__repr__",
           [](const ActivationMoments& a) { return "Moments('" + a.activation().name() + "')"; });

  auto as_dict = [](const Analysis& a) {
    return py::dict(py::arg("q_star") = a.q_star, py::arg("c_star") = a.c_star,
                    py::arg("chi1") = a.chi1, py::arg("chi_q") = a.chi_q,
                    py::arg("chi_c") = a.chi_c, py::arg("xi_q") = a.xi_q, py::arg("xi_c") = a.xi_c,
                    py::arg("xi_grad") = a.xi_grad, py::arg("phase") = phase_name(a.phase));
  };
  m.def(
      "analyze",
      [as_dict](const std::string& act, double sw2, double sb2, double keep) {
        return as_dict(analyze(ActivationMoments(Activation::parse(act)), sw2, sb2, keep));
      },
      py::arg("activation"), py::arg("sw2"), py::arg("sb2") = 0.0, py::arg("keep") = 1.0,
      "dict with q_star, c_star, chi1, chi_q, chi_c, xi_q, xi_c, xi_grad, phase; keep < 1 is "
      "dropout's keep probability.");
  m.def(
      "critical_point",
      [](const std::string& act, double sb2) {
        const CriticalPoint cp = critical_point(ActivationMoments(Activation::parse(act)), sb2);
        return py::dict(py::arg("sw2") = cp.sw2, py::arg("q_star") = cp.q_star);
      },
      py::arg("activation"), py::arg("sb2") = 0.0, "dict with the critical sw2 and its q*.");
  m.def(
      "length_map",
      [](const std::string& act, double sw2, double sb2, double q) {
        return length_map(ActivationMoments(Activation::parse(act)), sw2, sb2, q);
      },
      py::arg("activation"), py::arg("sw2"), py::arg("sb2"), py::arg("q"));
  m.def(
      "correlation_map",
      [](const std::string& act, double sw2, double sb2, double q, double c) {
        return correlation_map(ActivationMoments(Activation::parse(act)), sw2, sb2, q, c);
      },
      py::arg("activation"), py::arg("sw2"), py::arg("sb2"), py::arg("q"), py::arg("c"));
  m.def(
      "phase_diagram",
      [](const std::string& act, const std::vector<double>& sw2, const std::vector<double>& sb2,
         double keep) {
        PhaseGrid grid;
        {
          py::gil_scoped_release release;
          grid = phase_diagram(ActivationMoments(Activation::parse(act)), sw2, sb2, keep);
        }
        const auto rows = static_cast<Index>(sb2.size()), cols = static_cast<Index>(sw2.size());
        auto field = [&](auto get) {
          Mat<double> out(rows, cols);
          for (Index i = 0; i < rows; ++i)
            for (Index j = 0; j < cols; ++j) out(i, j) = get(grid.at(i, j));
          return out;
        };
        py::dict d;
        d["sw2"] = sw2;
        d["sb2"] = sb2;
        d["q_star"] = field([](const Analysis& a) { return a.q_star; });
        d["c_star"] = field([](const Analysis& a) { return a.c_star; });
        d["chi1"] = field([](const Analysis& a) { return a.chi1; });
        d["chi_c"] = field([](const Analysis& a) { return a.chi_c; });
        d["xi_c"] = field([](const Analysis& a) { return a.xi_c; });
        d["xi_q"] = field([](const Analysis& a) { return a.xi_q; });
        return d;
      },
      py::arg("activation"), py::arg("sw2"), py::arg("sb2"), py::arg("keep") = 1.0,
      "Arrays of shape (len(sb2), len(sw2)): q_star, c_star, chi1, chi_c, xi_c, xi_q (keep < 1: "
      "dropout of that keep probability).");
  m.def(
      "train_briefly",
      [](const Dataset& train, int depth, double sw2, const std::string& activation, double sb2,
         Index width, int steps, Index batch, double lr, Index eval_samples, std::uint64_t seed) {
        const TrainabilitySettings s{activation, sb2, width, steps, batch, lr, eval_samples, seed};
        py::gil_scoped_release release;
        return train_briefly(s, depth, sw2, train);
      },
      py::arg("train"), py::arg("depth"), py::arg("sw2"), py::arg("activation") = "tanh",
      py::arg("sb2") = 0.05, py::arg("width") = 300, py::arg("steps") = 201, py::arg("batch") = 256,
      py::arg("lr") = 1e-3, py::arg("eval_samples") = 10000, py::arg("seed") = 0,
      "One job of the trainability experiment (`deepctl trainability`): a depth-L φ network at "
      "(sw2, sb2) trained by plain SGD for `steps` updates; its accuracy on the first "
      "eval_samples rows of `train` (chance if the loss diverges). The CLI's data: "
      "dc.load('fashion-mnist', normalize='center')[0].");
}

}  // namespace deepctl::python
