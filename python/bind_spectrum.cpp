#include "bind.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/spectrum/hessian.hpp"
#include "deepctl/spectrum/jacobian.hpp"
#include "deepctl/spectrum/lyapunov.hpp"
#include "deepctl/spectrum/ntk.hpp"
#include "deepctl/spectrum/stability.hpp"

namespace deepctl::python {
namespace {

spectrum::SymmetricOperator pick(spectrum::Curvature& c, const std::string& matrix) {
  if (matrix == "hessian") return c.hessian_operator();
  if (matrix == "gauss-newton") return c.gauss_newton_operator();
  throw InputError("matrix: expected hessian or gauss-newton, got '" + matrix + "'");
}

void bind_curvature(py::module_& m) {
  py::class_<spectrum::Curvature>(m, "Curvature", R"(Curvature of J(θ) on a fixed float64 batch.

hessian_vector(v): H v by central differences of the costate-pass gradient (~1e-10 relative);
gauss_newton_vector(v): exact G v through jvp, the loss curvature and the costate pass.
top_eigenvalues, trace and density take matrix = "hessian" | "gauss-newton".)")
      .def(py::init([](const Problem<double>& p, const py::sequence& theta, const Mat<double>& X,
                       const Mat<double>& Y, int threads) {
             return std::make_unique<spectrum::Curvature>(p, from_list<double>(theta), X, Y,
                                                          threads);
           }),
           py::arg("problem"), py::arg("theta"), py::arg("X"), py::arg("Y"), py::arg("threads") = 1,
           py::keep_alive<1, 2>())
      .def_property_readonly("dim", &spectrum::Curvature::dim)
      .def_property_readonly("objective", &spectrum::Curvature::objective)
      .def_property_readonly("gradient", &spectrum::Curvature::gradient)
      .def(
          "hessian_vector",
          [](spectrum::Curvature& c, CVecRef<double> v) {
            Vec<double> out(c.dim());
            c.hessian_vector(v, out);
            return out;
          },
          py::arg("v"))
      .def(
          "gauss_newton_vector",
          [](spectrum::Curvature& c, CVecRef<double> v) {
            Vec<double> out(c.dim());
            c.gauss_newton_vector(v, out);
            return out;
          },
          py::arg("v"))
      .def(
          "dense",
          [](spectrum::Curvature& c, const std::string& matrix) {
            return spectrum::Curvature::dense(pick(c, matrix), c.dim());
          },
          py::arg("matrix") = "hessian", "The dim × dim matrix (small networks only).")
      .def(
          "top_eigenvalues",
          [](spectrum::Curvature& c, Index k, Index steps, std::uint64_t seed,
             const std::string& matrix) {
            return spectrum::top_eigenvalues(pick(c, matrix), c.dim(), k, steps, seed);
          },
          py::arg("k") = 10, py::arg("steps") = 40, py::arg("seed") = 0,
          py::arg("matrix") = "hessian", "The k largest eigenvalues by Lanczos.")
      .def(
          "trace",
          [](spectrum::Curvature& c, Index probes, std::uint64_t seed, const std::string& matrix) {
            const auto t = spectrum::hutchinson_trace(pick(c, matrix), c.dim(), probes, seed);
            return py::make_tuple(t.trace, t.standard_error);
          },
          py::arg("probes") = 10, py::arg("seed") = 0, py::arg("matrix") = "hessian",
          "(trace, standard error) by Hutchinson's estimator.")
      .def(
          "density",
          [](spectrum::Curvature& c, Index steps, Index probes, std::uint64_t seed,
             const std::string& matrix) {
            const auto d =
                spectrum::spectral_density(pick(c, matrix), c.dim(), steps, probes, seed);
            return py::make_tuple(d.nodes, d.weights);
          },
          py::arg("steps") = 40, py::arg("probes") = 10, py::arg("seed") = 0,
          py::arg("matrix") = "hessian",
          "(nodes, weights) of stochastic Lanczos quadrature: a probability measure estimating "
          "the spectral density.");
}

void bind_ntk(py::module_& m) {
  m.def(
      "output_jacobian",
      [](const Problem<double>& p, const py::sequence& theta, CMatRef<double> X) {
        return spectrum::output_jacobian(p, from_list<double>(theta), X);
      },
      py::arg("problem"), py::arg("theta"), py::arg("X"),
      "J (n·k × num_params): row s·k + j is ∇_θ u_j(x_s).");
  m.def(
      "empirical_ntk",
      [](const Problem<double>& p, const py::sequence& theta, CMatRef<double> X) {
        return spectrum::empirical_ntk(p, from_list<double>(theta), X);
      },
      py::arg("problem"), py::arg("theta"), py::arg("X"), "Θ = J Jᵀ.");
  m.def("relu_gram_infinite", &spectrum::relu_gram_infinite, py::arg("X"),
        "H∞_ij = x_iᵀx_j (π − arccos x_iᵀx_j)/(2π) for unit-norm rows.");
  m.def(
      "compare_linearized_training",
      [](const Problem<double>& p, const py::sequence& theta, CMatRef<double> X, CMatRef<double> Y,
         double lr, Index steps) {
        const auto r =
            spectrum::compare_linearized_training(p, from_list<double>(theta), X, Y, lr, steps);
        return py::dict(py::arg("actual") = r.actual, py::arg("predicted") = r.predicted,
                        py::arg("kernel_change") = r.kernel_change,
                        py::arg("smallest_eigenvalue") = r.smallest_eigenvalue,
                        py::arg("largest_eigenvalue") = r.largest_eigenvalue);
      },
      py::arg("problem"), py::arg("theta"), py::arg("X"), py::arg("Y"), py::arg("lr"),
      py::arg("steps"),
      "Full-batch GD beside the kernel dynamics with Θ_0: losses per step and the kernel's "
      "relative change.");
}

}  // namespace

void bind_spectrum(py::module_& parent) {
  py::module_ m = parent.def_submodule("spectrum", R"(Dynamical isometry (REFERENCE F4).

jacobian_squared_singular_values(problem, theta, x): eigenvalues of J Jᵀ for the input–output
Jacobian of a float64 Problem at input x (exact, through the layers' jvp).
free_probability(activation, sw2, q_star, depth, orthogonal): the N → ∞ mean, variance,
spectral edge and mass at 0 of that spectrum; free_probability_density(..., x): its density.
Curvature(problem, theta, X, Y): Hessian and Gauss–Newton products, Lanczos, Hutchinson, SLQ.
output_jacobian, empirical_ntk, relu_gram_infinite, compare_linearized_training: the neural
tangent kernel (REFERENCE F14).)");
  bind_curvature(m);
  bind_ntk(m);
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
      "jacobian_spectrum_matrix_free",
      [](const Problem<double>& p, const py::sequence& theta, CVecRef<double> x, Index k,
         Index steps, Index probes, std::uint64_t seed) {
        const auto r = spectrum::jacobian_spectrum_matrix_free(p, from_list<double>(theta), x, k,
                                                               steps, probes, seed);
        return py::dict(py::arg("top") = r.top, py::arg("mean") = r.mean,
                        py::arg("variance") = r.variance, py::arg("nodes") = r.nodes,
                        py::arg("weights") = r.weights);
      },
      py::arg("problem"), py::arg("theta"), py::arg("x"), py::arg("k") = 1, py::arg("steps") = 40,
      py::arg("probes") = 10, py::arg("seed") = 0,
      "Squared singular values of J without forming it: top k by Lanczos on JᵀJ, mean, variance "
      "and density (nodes, weights) by stochastic Lanczos quadrature.");
  m.def(
      "layer_stability",
      [](const Problem<double>& p, const py::sequence& theta, CMatRef<double> X) {
        py::list out;
        for (const auto& r : spectrum::layer_stability(p, from_list<double>(theta), X))
          out.append(py::dict(py::arg("layer") = r.layer, py::arg("kind") = r.kind,
                              py::arg("spectral_radius") = r.spectral_radius,
                              py::arg("abs_determinant") = r.abs_determinant,
                              py::arg("is_step") = r.is_step, py::arg("step") = r.step,
                              py::arg("max_real") = r.max_real,
                              py::arg("max_amplification") = r.max_amplification));
        return out;
      },
      py::arg("problem"), py::arg("theta"), py::arg("X"),
      "Per width-keeping layer at the input rows X: ρ(f_x), |det f_x|, and for residual and ODE "
      "steps the field's max Re λ and the scheme's max |R(hλ)| (spectrum/stability.hpp).");
  m.def(
      "free_probability",
      [](const std::string& act, double sw2, double q_star, int depth, bool orthogonal) {
        const auto r = spectrum::free_probability(
            meanfield::ActivationMoments(Activation::parse(act)), sw2, q_star, depth, orthogonal);
        return py::dict(py::arg("mean") = r.mean, py::arg("variance") = r.variance,
                        py::arg("edge") = r.edge, py::arg("atom") = r.atom);
      },
      py::arg("activation"), py::arg("sw2"), py::arg("q_star"), py::arg("depth"),
      py::arg("orthogonal") = true);
  m.def(
      "law_histogram",
      [](const std::vector<double>& values, const std::vector<double>& masses, double top,
         const std::string& act, double sw2, double q_star, int depth, bool orthogonal, int bins) {
        const auto h = spectrum::law_histogram(values, masses, top,
                                               meanfield::ActivationMoments(Activation::parse(act)),
                                               sw2, q_star, depth, orthogonal, bins);
        return py::dict(py::arg("edges") = h.edges, py::arg("measured") = h.measured,
                        py::arg("predicted") = h.predicted, py::arg("below") = h.below,
                        py::arg("predicted_below") = h.predicted_below);
      },
      py::arg("values"), py::arg("masses"), py::arg("top"), py::arg("activation"), py::arg("sw2"),
      py::arg("q_star"), py::arg("depth"), py::arg("orthogonal") = true, py::arg("bins") = 40,
      "A measured law (values with masses) beside free probability on bins uniform in log λ up "
      "to 1.2 top: dict of edges, measured and predicted bin masses, below, predicted_below (the "
      "`histogram` of `deepctl spectrum --json`).");
  m.def(
      "free_probability_density",
      [](const std::string& act, double sw2, double q_star, int depth, CVecRef<double> x,
         bool orthogonal) {
        return spectrum::free_probability_density(
            meanfield::ActivationMoments(Activation::parse(act)), sw2, q_star, depth, orthogonal,
            x);
      },
      py::arg("activation"), py::arg("sw2"), py::arg("q_star"), py::arg("depth"), py::arg("x"),
      py::arg("orthogonal") = true,
      "The N → ∞ density ρ(x) of J Jᵀ's eigenvalues at the points x > 0 (continuous part; the "
      "atom at 0 is free_probability(...)['atom']).");
}

}  // namespace deepctl::python
