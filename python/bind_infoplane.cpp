#include "bind.hpp"
#include "deepctl/infoplane/binning.hpp"

namespace deepctl::python {

void bind_infoplane(py::module_& parent) {
  py::module_ m = parent.def_submodule("infoplane", R"(The information plane (REFERENCE F21).

binning_information(T, labels, edges) -> (I(X;T), I(T;Y)) in bits for a deterministic layer T
(rows = the enumerated, uniform inputs), each unit binned by `edges` (NumPy's digitize);
binned_entropy(T, edges) -> H(T) in bits.)");
  m.def(
      "binning_information",
      [](CMatRef<double> T, const std::vector<int>& labels, const std::vector<double>& edges) {
        const auto p = infoplane::binning_information(T, labels, edges);
        return py::make_tuple(p.i_xt, p.i_ty);
      },
      py::arg("T"), py::arg("labels"), py::arg("edges"));
  m.def("binned_entropy", &infoplane::binned_entropy, py::arg("T"), py::arg("edges"));
}

}  // namespace deepctl::python
