#include <pybind11/functional.h>

#include <optional>

#include "bind.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/problem/problem.hpp"
#include "deepctl/sde/gradient_noise.hpp"
#include "deepctl/sde/lr_control.hpp"
#include "deepctl/sde/orders.hpp"
#include "deepctl/sde/relaxation.hpp"
#include "deepctl/sde/sme.hpp"
#include "deepctl/sde/stationary.hpp"
#include "deepctl/sde/tail_index.hpp"

namespace deepctl::python {
namespace {

py::list order_rows(const std::vector<sde::OrderRow>& rows) {
  py::list out;
  for (const auto& r : rows)
    out.append(py::dict(py::arg("steps") = r.steps, py::arg("error") = r.error,
                        py::arg("order") = r.order));
  return out;
}

template <class S>
void bind_noise(py::module_& m) {
  m.def(
      "per_sample_gradients",
      [](const Problem<S>& p, const py::sequence& theta, CMatRef<S> X, CMatRef<S> Y, int threads,
         std::optional<Eigen::Ref<Mat<S>>> out) -> py::object {
        const Params<S> th = from_list<S>(theta);
        if (out) {
          py::gil_scoped_release release;
          sde::per_sample_gradients<S>(p, th, X, Y, *out, threads);
          return py::none();
        }
        Mat<S> G;
        {
          py::gil_scoped_release release;
          G = sde::per_sample_gradients<S>(p, th, X, Y, threads);
        }
        return py::cast(std::move(G));
      },
      py::arg("problem"), py::arg("theta"), py::arg("X"), py::arg("Y"), py::arg("threads") = 0,
      py::arg("out") = py::none(),
      "Row i = ∇_θ[Φ(x_T^i, y^i) + R(θ)], the layers' parameters concatenated, in the "
      "problem's precision; with out= (a C-contiguous n × num_params array of that dtype) "
      "written there in place and None returned.");
  m.def(
      "gradient_noise",
      [](const Problem<S>& p, const py::sequence& theta, CMatRef<S> X, CMatRef<S> Y, Index batch,
         Index minibatches, Index top, std::uint64_t seed, int threads) {
        const Params<S> th = from_list<S>(theta);
        sde::NoiseStatistics s;
        {
          py::gil_scoped_release release;
          s = sde::gradient_noise(p, th, X, Y, {batch, minibatches, top, seed, threads});
        }
        py::list layers;
        for (const auto& l : s.layers)
          layers.append(py::dict(py::arg("mean_gradient_norm") = l.mean_gradient_norm,
                                 py::arg("noise_trace") = l.noise_trace, py::arg("snr") = l.snr));
        return py::dict(
            py::arg("samples") = s.samples, py::arg("batch") = s.batch, py::arg("loss") = s.loss,
            py::arg("mean_gradient") = s.mean_gradient,
            py::arg("covariance_diagonal") = s.covariance_diagonal,
            py::arg("covariance_trace") = s.covariance_trace,
            py::arg("top_eigenvalues") = s.top_eigenvalues,
            py::arg("top_eigenvectors") = s.top_eigenvectors, py::arg("covariance") = s.covariance,
            py::arg("effective_rank") = s.effective_rank,
            py::arg("rank_above_1e-3") = s.rank_above_1e3, py::arg("tail_index") = s.tail_index,
            py::arg("tail_batch") = s.tail_batch, py::arg("layers") = layers);
      },
      py::arg("problem"), py::arg("theta"), py::arg("X"), py::arg("Y"), py::arg("batch") = 128,
      py::arg("minibatches") = 200, py::arg("top") = 10, py::arg("seed") = 0,
      py::arg("threads") = 0,
      "Gradient-noise statistics (dict): Σ's trace, diagonal and top eigenvalues, effective "
      "rank, per-layer SNR for minibatch size `batch`, and the tail index α of the noise.");
}

// An Sde written in Python: subclass deepctl.sde.Sde and define dim, noise_dim, noise, drift,
// diffusion (and diffusion_derivative for diagonal noise with Milstein).
class PySde : public sde::Sde {
 public:
  Index dim() const override { PYBIND11_OVERRIDE_PURE(Index, sde::Sde, dim, ); }
  Index noise_dim() const override { PYBIND11_OVERRIDE_PURE(Index, sde::Sde, noise_dim, ); }
  sde::NoiseKind noise() const override {
    PYBIND11_OVERRIDE_PURE(sde::NoiseKind, sde::Sde, noise, );
  }
  void drift(double t, CVecRef<double> x, VecRef<double> b) const override {
    py::gil_scoped_acquire gil;
    b = call("drift", t, x).cast<Vec<double>>();
  }
  void diffusion(double t, CVecRef<double> x, MatRef<double> G) const override {
    py::gil_scoped_acquire gil;
    G = call("diffusion", t, x).cast<Mat<double>>();
  }
  void diffusion_derivative(double t, CVecRef<double> x, VecRef<double> dg) const override {
    py::gil_scoped_acquire gil;
    const py::function f =
        py::get_override(static_cast<const sde::Sde*>(this), "diffusion_derivative");
    if (!f) return sde::Sde::diffusion_derivative(t, x, dg);
    dg = f(t, Vec<double>(x)).cast<Vec<double>>();
  }

 private:
  py::object call(const char* name, double t, CVecRef<double> x) const {
    const py::function f = py::get_override(static_cast<const sde::Sde*>(this), name);
    if (!f) throw InputError(std::string("Sde subclass must define ") + name);
    return f(t, Vec<double>(x));
  }
};

}  // namespace

void bind_sde(py::module_& parent) {
  py::module_ m = parent.def_submodule("sde", R"(The stochastic dynamics of SGD (REFERENCE F15–F20).

Brownian paths queryable on any interval; Euler–Maruyama, Milstein and weak order-2 schemes with
their declared and measured orders; α-stable (Lévy) SDEs and the tail-index estimator; SGD's
stochastic modified equations on the quadratic oracle; Lyapunov stationary covariances and the
probability current; per-sample gradients and gradient-noise statistics of a Problem; the
learning-rate optimal control on a quadratic.)");

  py::enum_<sde::NoiseKind>(m, "NoiseKind")
      .value("additive", sde::NoiseKind::Additive)
      .value("diagonal", sde::NoiseKind::Diagonal)
      .value("general", sde::NoiseKind::General);
  py::class_<sde::Sde, PySde, std::shared_ptr<sde::Sde>>(
      m, "Sde",
      "dX = b(t, X) dt + G(t, X) dW. Subclass and define dim(), noise_dim(), noise() (a "
      "NoiseKind), drift(t, x) -> b and diffusion(t, x) -> G (d × m); diagonal noise also "
      "diffusion_derivative(t, x) -> ∂g_i/∂x_i for Milstein.")
      .def(py::init<>())
      .def("dim", &sde::Sde::dim)
      .def("noise_dim", &sde::Sde::noise_dim)
      .def("noise", &sde::Sde::noise);
  py::class_<sde::OrnsteinUhlenbeck, sde::Sde, std::shared_ptr<sde::OrnsteinUhlenbeck>>(
      m, "OrnsteinUhlenbeck", "dX = −A X dt + G dW (additive noise).")
      .def(py::init<Mat<double>, Mat<double>>(), py::arg("A"), py::arg("G"))
      .def(py::init<double, double>(), py::arg("theta"), py::arg("sigma"))
      .def("stationary_covariance", &sde::OrnsteinUhlenbeck::stationary_covariance,
           "Σ with AΣ + ΣA = GGᵀ (A symmetric positive definite).")
      .def("second_moment", &sde::OrnsteinUhlenbeck::second_moment, py::arg("x0"), py::arg("T"));
  py::class_<sde::GeometricBrownianMotion, sde::Sde, std::shared_ptr<sde::GeometricBrownianMotion>>(
      m, "GeometricBrownianMotion", "dX = μX dt + σX dW.")
      .def(py::init<double, double>(), py::arg("mu"), py::arg("sigma"))
      .def("solution", &sde::GeometricBrownianMotion::solution, py::arg("x0"), py::arg("T"),
           py::arg("w_T"))
      .def("second_moment", &sde::GeometricBrownianMotion::second_moment, py::arg("x0"),
           py::arg("T"));

  py::class_<sde::ProblemSme, sde::Sde, std::shared_ptr<sde::ProblemSme>>(
      m, "ProblemSme",
      "The first- or second-order SME of minibatch SGD (rate lr, batch B) on a float64 Problem "
      "and data (X, Y), on the flattened θ; general noise (noise_dim = rows of X), so "
      "integrate it with euler_maruyama.")
      .def(py::init<const Problem<double>&, Mat<double>, Mat<double>, double, Index, int>(),
           py::arg("problem"), py::arg("X"), py::arg("Y"), py::arg("lr"), py::arg("batch") = 1,
           py::arg("order") = 1, py::keep_alive<1, 2>());
  py::class_<sde::BrownianPath>(m, "BrownianPath",
                                "One seeded Brownian path on [t0, t1], queryable at any time "
                                "(a virtual Brownian tree).")
      .def(py::init<Index, double, double, std::uint64_t, int>(), py::arg("dim"), py::arg("t0"),
           py::arg("t1"), py::arg("seed"), py::arg("max_depth") = 48)
      .def("value", &sde::BrownianPath::value, py::arg("t"))
      .def("increment", &sde::BrownianPath::increment, py::arg("s"), py::arg("t"));

  auto scheme = [](const std::string& name) { return sde::parse_scheme(name); };
  m.def(
      "scheme_order",
      [scheme](const std::string& name, sde::NoiseKind noise) {
        const auto o = sde::scheme_order(scheme(name), noise);
        return py::dict(py::arg("strong") = o.strong, py::arg("weak") = o.weak);
      },
      py::arg("scheme"), py::arg("noise") = sde::NoiseKind::Diagonal,
      "Declared orders of euler_maruyama | milstein | weak2 (strong is NaN for weak2).");
  m.def(
      "integrate",
      [scheme](const sde::Sde& s, const std::string& name, CVecRef<double> x0, double t0, double t1,
               Index steps, std::uint64_t seed, const std::string& increments) {
        if (increments != "gaussian" && increments != "three_point")
          throw InputError("increments: expected gaussian or three_point, got '" + increments +
                           "'");
        Rng rng(seed);
        return sde::integrate(
            s, scheme(name), x0, t0, t1, steps,
            increments == "gaussian" ? sde::Increments::Gaussian : sde::Increments::ThreePoint,
            rng);
      },
      py::arg("sde"), py::arg("scheme"), py::arg("x0"), py::arg("t0"), py::arg("t1"),
      py::arg("steps"), py::arg("seed") = 0, py::arg("increments") = "gaussian",
      "X(t1) after `steps` equal steps of the scheme with i.i.d. increments.");
  m.def(
      "integrate_path",
      [scheme](const sde::Sde& s, const std::string& name, CVecRef<double> x0,
               const sde::BrownianPath& path,
               Index steps) { return sde::integrate(s, scheme(name), x0, path, steps); },
      py::arg("sde"), py::arg("scheme"), py::arg("x0"), py::arg("path"), py::arg("steps"),
      "X(t1) along one BrownianPath (strong experiments).");
  m.def(
      "integrate_levy",
      [](const sde::Sde& s, double alpha, CVecRef<double> x0, double t0, double t1, Index steps,
         std::uint64_t seed) {
        Rng rng(seed);
        return sde::integrate_levy(s, alpha, x0, t0, t1, steps, rng);
      },
      py::arg("sde"), py::arg("alpha"), py::arg("x0"), py::arg("t0"), py::arg("t1"),
      py::arg("steps"), py::arg("seed") = 0,
      "Euler steps of dX = b dt + G dL^α (symmetric α-stable Lévy motion).");
  m.def(
      "gbm_orders",
      [scheme](const std::string& name, Index paths, std::uint64_t seed) {
        const sde::Scheme s = scheme(name);
        py::dict out(py::arg("weak") = order_rows(sde::gbm_weak_orders(s)));
        if (s != sde::Scheme::WeakOrder2)
          out["strong"] = order_rows(sde::gbm_strong_orders(s, paths, seed));
        return out;
      },
      py::arg("scheme"), py::arg("paths") = 1000, py::arg("seed") = 0,
      "Measured weak (exact three-point expectations) and strong orders on geometric Brownian "
      "motion: lists of {steps, error, order}.");

  m.def(
      "stable_samples",
      [](double alpha, Index n, std::uint64_t seed) {
        Rng rng(seed);
        Vec<double> x(n);
        for (Index i = 0; i < n; ++i) x[i] = sde::stable_sample(rng, alpha);
        return x;
      },
      py::arg("alpha"), py::arg("n"), py::arg("seed") = 0,
      "n draws of SαS(1) (Chambers–Mallows–Stuck).");
  m.def("tail_index", &sde::tail_index, py::arg("samples"), py::arg("k1") = 0,
        "α̂ of Mohammadi et al. (block size k1; 0: the largest divisor ≤ √K).");
  m.def("tail_index_rows", &sde::tail_index_rows, py::arg("samples"), py::arg("k1") = 0,
        "α̂ from vector samples (rows), |·| the Euclidean norm.");

  m.def(
      "quadratic_weak_errors",
      [](const std::vector<double>& lrs, double horizon, int order, double curvature,
         double noise_variance, double x0) {
        py::list out;
        for (const auto& r :
             sde::quadratic_weak_errors({curvature, noise_variance, 0.1, x0}, lrs, horizon, order))
          out.append(py::dict(py::arg("lr") = r.lr, py::arg("sgd") = r.sgd, py::arg("sme") = r.sme,
                              py::arg("error") = r.error, py::arg("order") = r.order));
        return out;
      },
      py::arg("lrs"), py::arg("horizon") = 1.0, py::arg("order") = 1, py::arg("curvature") = 1.0,
      py::arg("noise_variance") = 1.0, py::arg("x0") = 1.0,
      "|E x_K² − E X_T²| of SGD against its SME of the given order on ½ax², exactly.");
  m.def("sgd_stationary_covariance", &sde::sgd_stationary_covariance, py::arg("A"), py::arg("C"),
        py::arg("lr"), py::arg("batch"), py::arg("discrete") = true,
        "Σ with AΣ + ΣA − [discrete] ηAΣA = (η/B) C.");
  m.def("probability_current", &sde::probability_current, py::arg("A"), py::arg("D"),
        py::arg("temperature"),
        "J of the stationary current j(x) = Jx of dx = −Ax dt + √(2TD) dW.");
  m.def("noise_scale", &sde::noise_scale, py::arg("lr"), py::arg("train_size"), py::arg("batch"),
        py::arg("momentum") = 0.0, "g = η(N/B − 1)/(1 − m).");
  py::class_<sde::QuadraticLrControl>(m, "QuadraticLrControl",
                                      "The optimal learning-rate control of the SME on ½a(x−b)².")
      .def(py::init([](double a, double s2, double lr, double m0) {
             return sde::QuadraticLrControl{a, s2, lr, m0};
           }),
           py::arg("curvature") = 1.0, py::arg("noise_variance") = 1.0, py::arg("lr") = 0.1,
           py::arg("m0") = 1.0)
      .def("switch_time", &sde::QuadraticLrControl::switch_time)
      .def("optimal_control", &sde::QuadraticLrControl::optimal_control, py::arg("t"))
      .def("optimal_loss", &sde::QuadraticLrControl::optimal_loss, py::arg("t"))
      .def("constant_loss", &sde::QuadraticLrControl::constant_loss, py::arg("u"), py::arg("t"));

  m.def("cole_hopf", &sde::cole_hopf, py::arg("f"), py::arg("x"), py::arg("t"), py::arg("beta"),
        py::arg("points") = 20001,
        "u(x, t) of the viscous HJ equation u_t = −½u_x² + u_xx/(2β), u(·, 0) = f (Cole–Hopf).");
  m.def("cole_hopf_gradient", &sde::cole_hopf_gradient, py::arg("f"), py::arg("x"), py::arg("t"),
        py::arg("beta"), py::arg("points") = 20001, "∇u = (x − ⟨y⟩)/t (local entropy, γ = 1/t).");
  m.def("hopf_lax", &sde::hopf_lax, py::arg("f"), py::arg("x"), py::arg("t"), py::arg("lo"),
        py::arg("hi"), py::arg("points") = 200001, "The Moreau envelope min_y f(y) + (x−y)²/(2t).");
  m.def("viscous_hj_finite_differences", &sde::viscous_hj_finite_differences, py::arg("f"),
        py::arg("lo"), py::arg("hi"), py::arg("n"), py::arg("t"), py::arg("beta"),
        "u(·, t) on n grid nodes by explicit finite differences.");
  bind_noise<double>(m);
  bind_noise<float>(m);
}

}  // namespace deepctl::python
