#include "bind.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "deepctl C++ core: layers, losses, problems, trainers, datasets, checkpoints";
  m.attr("__version__") = DEEPCTL_VERSION;
  using namespace deepctl::python;
  bind_core(m);
  bind_layer(m);
  bind_loss(m);
  bind_problem(m);
  bind_solver(m);
  bind_data(m);
  bind_io(m);
  bind_config(m);
  bind_meanfield(m);
  bind_spectrum(m);
  bind_infoplane(m);
  bind_sde(m);
  bind_ode(m);
}
