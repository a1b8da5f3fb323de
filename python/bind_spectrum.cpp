#include "bind.hpp"
#include "deepctl/spectrum/jacobian.hpp"
#include "deepctl/spectrum/lyapunov.hpp"

namespace deepctl::python {

void bind_spectrum(py::module_& parent) {
  py::module_ m = parent.def_submodule("spectrum", R"(Dynamical isometry (REFERENCE F4).

jacobian_squared_singular_values(problem, theta, x): eigenvalues of J Jᵀ for the input–output
Jacobian of a float64 Problem at input x (exact, through the layers' jvp).
free_probability(activation, sw2, q_star, depth, orthogonal): the N → ∞ mean, variance and
spectral edge of that spectrum.)");
  m.def(
      "jacobian_squared_singular_values",
      [](const Problem<double>& p, const py::sequence& theta, CVecRef<double> x) {
        return spectrum::jacobian_squared_singular_values(p, from_list<double>(theta), x);
      },
      py::arg("problem"), py::arg("theta"), py::arg("x"));
  m.def(
      "lyapunov_exponents",
      [](const Problem<double>& p, const py::sequence& theta, CVecRef<double> x, Index k,
         std::uint64_t seed) {
        Rng rng(seed);
        const auto r = spectrum::lyapunov_exponents(p, from_list<double>(theta), x, k, rng);
        return py::make_tuple(r.exponents, r.log_growth);
      },
      py::arg("problem"), py::arg("theta"), py::arg("x"), py::arg("k") = 1, py::arg("seed") = 0,
      "(exponents λ_1 ≥ … ≥ λ_k, per-layer log growth) of forward propagation at input x (QR "
      "method).");
  m.def(
      "free_probability",
      [](const std::string& act, double sw2, double q_star, int depth, bool orthogonal) {
        const auto r = spectrum::free_probability(
            meanfield::ActivationMoments(Activation::parse(act)), sw2, q_star, depth, orthogonal);
        return py::dict(py::arg("mean") = r.mean, py::arg("variance") = r.variance,
                        py::arg("edge") = r.edge);
      },
      py::arg("activation"), py::arg("sw2"), py::arg("q_star"), py::arg("depth"),
      py::arg("orthogonal") = true);
}

}  // namespace deepctl::python
