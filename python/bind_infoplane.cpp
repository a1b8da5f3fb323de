#include "bind.hpp"
#include "deepctl/infoplane/binning.hpp"
#include "deepctl/infoplane/estimators.hpp"
#include "deepctl/infoplane/plane.hpp"

namespace deepctl::python {

void bind_infoplane(py::module_& parent) {
  py::module_ m = parent.def_submodule("infoplane", R"(The information plane (REFERENCE F21).

binning_information(T, labels, edges) -> (I(X;T), I(T;Y)) in bits for a deterministic layer T
(rows = the enumerated, uniform inputs), each unit binned by `edges` (NumPy's digitize);
binned_entropy(T, edges) -> H(T) in bits.
kde_information(H, labels, noise_variance) -> dict(i_xt_upper, i_xt_lower, i_ty) in bits
(Kolchinsky–Tracey); knn_information(X, T, k=3) -> KSG estimate in bits;
information_plane(problem, theta, X, labels, activations, estimator="binning", bins=30,
bin_width=0.07, noise_variance=1e-3) -> [(I(X;T), I(T;Y), I(X;T) lower)] per layer.)");
  m.def(
      "binning_information",
      [](CMatRef<double> T, const std::vector<int>& labels, const std::vector<double>& edges) {
        const auto p = infoplane::binning_information(T, labels, edges);
        return py::make_tuple(p.i_xt, p.i_ty);
      },
      py::arg("T"), py::arg("labels"), py::arg("edges"));
  m.def("binned_entropy", &infoplane::binned_entropy, py::arg("T"), py::arg("edges"));
  m.def(
      "kde_information",
      [](CMatRef<double> H, const std::vector<int>& labels, double noise_variance) {
        const auto b = infoplane::kde_information(H, labels, noise_variance);
        return py::dict(py::arg("i_xt_upper") = b.i_xt_upper, py::arg("i_xt_lower") = b.i_xt_lower,
                        py::arg("i_ty") = b.i_ty);
      },
      py::arg("H"), py::arg("labels") = std::vector<int>{}, py::arg("noise_variance") = 1e-3);
  m.def("knn_information", &infoplane::knn_information, py::arg("X"), py::arg("T"),
        py::arg("k") = 3);
  m.def(
      "information_plane",
      [](const Problem<double>& p, const py::sequence& theta, CMatRef<double> X,
         const std::vector<int>& labels, const std::vector<std::string>& activations,
         const std::string& estimator, int bins, double bin_width, double noise_variance) {
        py::list out;
        for (const auto& l :
             infoplane::information_plane(p, from_list<double>(theta), X, labels, activations,
                                          {estimator, bins, bin_width, noise_variance}))
          out.append(py::make_tuple(l.i_xt, l.i_ty, l.i_xt_lower));
        return out;
      },
      py::arg("problem"), py::arg("theta"), py::arg("X"), py::arg("labels"), py::arg("activations"),
      py::arg("estimator") = "binning", py::arg("bins") = 30, py::arg("bin_width") = 0.07,
      py::arg("noise_variance") = 1e-3);
}

}  // namespace deepctl::python
