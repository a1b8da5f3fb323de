// Shared helpers of the pybind11 module deepctl._core: one bind_<area>.cpp per library area.
//
// Conventions of the Python API:
// - float64 classes carry the plain name (Problem, Dense, GradientTrainer); float32 ones end in
//   32 (Problem32, ...). NumPy's float64 default therefore meets the double instantiation.
// - Batches are C-contiguous (rows = samples) NumPy arrays; an array of the right dtype and
//   layout is used in place, any other is converted once.
// - Parameters θ = [θ_0, ..., θ_{T-1}] are lists of 1-D arrays, copied across the boundary.
// - InputError/FileError become ValueError with the same message.
#pragma once

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>

#include "deepctl/core/types.hpp"

namespace deepctl::python {

namespace py = pybind11;

// "" for float64 classes, "32" for float32 ones.
template <class S>
std::string suffix() {
  return sizeof(S) == 8 ? "" : "32";
}

template <class S>
py::list to_list(const Params<S>& theta) {
  py::list out;
  for (const auto& v : theta) out.append(py::array_t<S>(v.size(), v.data()));
  return out;
}

template <class S>
Params<S> from_list(const py::sequence& arrays) {
  Params<S> theta;
  for (const auto& a : arrays) {
    auto arr = py::array_t<S, py::array::c_style | py::array::forcecast>::ensure(a);
    if (!arr) throw py::value_error("parameters: expected a list of numeric arrays");
    theta.emplace_back(Eigen::Map<const Vec<S>>(arr.data(), arr.size()));
  }
  return theta;
}

inline py::tuple shape_tuple(const Shape& s) {
  return py::make_tuple(s.channels, s.height, s.width);
}

// Accepts an int n (→ (n, 1, 1)) or a tuple (C, H, W).
Shape shape_from(const py::object& o);

void bind_core(py::module_& m);
void bind_layer(py::module_& m);
void bind_loss(py::module_& m);
void bind_problem(py::module_& m);
void bind_solver(py::module_& m);
void bind_data(py::module_& m);
void bind_io(py::module_& m);
void bind_config(py::module_& m);
void bind_meanfield(py::module_& m);
void bind_spectrum(py::module_& m);
void bind_infoplane(py::module_& m);
void bind_sde(py::module_& m);
void bind_ode(py::module_& m);

}  // namespace deepctl::python
