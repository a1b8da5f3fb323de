#include "bind.hpp"
#include "deepctl/io/checkpoint.hpp"

namespace deepctl::python {

void bind_io(py::module_& m) {
  m.def(
      "load_params",
      [](const std::string& path, const Problem<double>& p) {
        return to_list(load_params(path, p));
      },
      py::arg("path"), py::arg("problem"),
      "θ from a checkpoint (.npz), checked against the problem's layer sizes.");
  m.def(
      "load_params",
      [](const std::string& path, const Problem<float>& p) {
        return to_list(load_params(path, p));
      },
      py::arg("path"), py::arg("problem"));
}

}  // namespace deepctl::python
