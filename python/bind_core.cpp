#include <pybind11/pybind11.h>

#include "bind.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/core/rng.hpp"

namespace deepctl::python {

Shape shape_from(const py::object& o) {
  if (py::isinstance<py::int_>(o)) return {o.cast<Index>(), 1, 1};
  const auto t = o.cast<std::vector<Index>>();
  if (t.empty() || t.size() > 3)
    throw py::value_error("shape: expected an int or a tuple (channels, height, width)");
  Shape s;
  s.channels = t[0];
  if (t.size() > 1) s.height = t[1];
  if (t.size() > 2) s.width = t[2];
  return s;
}

void bind_core(py::module_& m) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });

  py::class_<Rng>(m, "Rng", R"(Seeded, splittable xoshiro256** generator.

Every random draw in deepctl goes through one: the same seed and thread count give
bit-identical runs. split(k) derives the independent stream k.)")
      .def(py::init<std::uint64_t>(), py::arg("seed") = 0)
      .def("uniform", &Rng::uniform, "A draw from U[0, 1).")
      .def("normal", &Rng::normal, "A draw from N(0, 1).")
      .def("split", &Rng::split, py::arg("stream"), "The independent generator of stream k.")
      .def("__repr__",
           [](const Rng& r) { return "Rng(state=" + std::to_string(r.state()[0]) + ", ...)"; });
}

}  // namespace deepctl::python
