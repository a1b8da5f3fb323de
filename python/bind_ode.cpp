#include "bind.hpp"
#include "deepctl/ode/spiral.hpp"

namespace deepctl::python {

void bind_ode(py::module_& parent) {
  py::module_ m = parent.def_submodule("ode", R"(Continuous-depth demos (REFERENCE F7).

spiral_trajectory(points=1000, t_end=25) -> the observed trajectory of dy/dt = A y³ (points × 2)
fit_spiral(iterations=2000, batch=20, batch_time=10, points=1000, hidden=50, solver="rk4",
           steps=1, rtol=0, atol=0, gradient="discrete", lr=1e-3, seed=0, test_every=100,
           t_end=25) -> dict: times, observed, fitted, history (iteration, train_loss,
           test_loss, seconds, gradient_gap), counts (forward_passes, forward_evaluations, rejected_steps,
           backward_passes, backward_evaluations), parameters, finite
The Neural ODE spiral demo of Chen et al. (ode/spiral.hpp; deepctl ode).)");
  m.def("spiral_trajectory", &spiral_trajectory, py::arg("points") = 1000, py::arg("t_end") = 25.0);
  m.def(
      "fit_spiral",
      [](long iterations, Index batch, Index batch_time, Index points, Index hidden,
         const std::string& solver, Index steps, double rtol, double atol,
         const std::string& gradient, double lr, std::uint64_t seed, long test_every,
         double t_end) {
        SpiralOptions o;
        o.iterations = iterations;
        o.batch = batch;
        o.batch_time = batch_time;
        o.points = points;
        o.hidden = hidden;
        o.solver = solver;
        o.steps = steps;
        o.rtol = rtol;
        o.atol = atol;
        o.gradient = gradient;
        o.lr = lr;
        o.seed = seed;
        o.test_every = test_every;
        o.t_end = t_end;
        SpiralResult r;
        {
          py::gil_scoped_release release;
          r = fit_spiral(o);
        }
        py::list history;
        for (const SpiralRecord& h : r.history)
          history.append(
              py::dict(py::arg("iteration") = h.iteration, py::arg("train_loss") = h.train_loss,
                       py::arg("test_loss") = h.test_loss, py::arg("seconds") = h.seconds,
                       py::arg("gradient_gap") = h.gradient_gap));
        return py::dict(py::arg("times") = r.times, py::arg("observed") = r.observed,
                        py::arg("fitted") = r.fitted, py::arg("history") = history,
                        py::arg("counts") = py::dict(
                            py::arg("forward_passes") = r.counts.forward_passes,
                            py::arg("forward_evaluations") = r.counts.forward_evaluations,
                            py::arg("rejected_steps") = r.counts.rejected_steps,
                            py::arg("backward_passes") = r.counts.backward_passes,
                            py::arg("backward_evaluations") = r.counts.backward_evaluations),
                        py::arg("parameters") = r.parameters, py::arg("finite") = r.finite);
      },
      py::arg("iterations") = 2000, py::arg("batch") = 20, py::arg("batch_time") = 10,
      py::arg("points") = 1000, py::arg("hidden") = 50, py::arg("solver") = "rk4",
      py::arg("steps") = 1, py::arg("rtol") = 0.0, py::arg("atol") = 0.0,
      py::arg("gradient") = "discrete", py::arg("lr") = 1e-3, py::arg("seed") = 0,
      py::arg("test_every") = 100, py::arg("t_end") = 25.0);
}

}  // namespace deepctl::python
