#include "bind.hpp"
#include "deepctl/core/error.hpp"
#include "deepctl/data/readers.hpp"
#include "deepctl/data/synthetic.hpp"

namespace deepctl::python {

void bind_data(py::module_& m) {
  py::class_<Dataset>(m, "Dataset",
                      R"(Inputs (N × features, float32) and targets (N × outputs, one-hot for
classification), one sample per row. inputs and targets are views of the C++ buffers.

Dataset(inputs, targets, name="array", num_classes=0, input_shape=None))")
      .def(py::init([](const Mat<float>& inputs, const Mat<float>& targets, const std::string& name,
                       Index num_classes, py::object input_shape) {
             if (inputs.rows() != targets.rows())
               throw InputError("dataset: " + std::to_string(inputs.rows()) + " input rows but " +
                                std::to_string(targets.rows()) + " target rows");
             const Shape shape =
                 input_shape.is_none() ? Shape{inputs.cols(), 1, 1} : shape_from(input_shape);
             if (shape.size() != inputs.cols())
               throw InputError("dataset: input_shape has " + std::to_string(shape.size()) +
                                " values per sample but inputs have " +
                                std::to_string(inputs.cols()));
             return Dataset{name, shape, inputs, targets, num_classes};
           }),
           py::arg("inputs"), py::arg("targets"), py::arg("name") = "array",
           py::arg("num_classes") = 0, py::arg("input_shape") = py::none())
      .def_readonly("name", &Dataset::name)
      .def_property_readonly("input_shape",
                             [](const Dataset& d) { return shape_tuple(d.input_shape); })
      .def_readonly("num_classes", &Dataset::num_classes)
      .def_property_readonly("inputs",
                             [](py::object self) {
                               return py::cast(
                                   Eigen::Ref<const Mat<float>>(self.cast<const Dataset&>().inputs),
                                   py::return_value_policy::reference_internal, self);
                             })
      .def_property_readonly(
          "targets",
          [](py::object self) {
            return py::cast(Eigen::Ref<const Mat<float>>(self.cast<const Dataset&>().targets),
                            py::return_value_policy::reference_internal, self);
          })
      .def("__len__", &Dataset::size)
      .def("subset", &Dataset::subset, py::arg("rows"))
      .def("__repr__", [](const Dataset& d) {
        return "Dataset('" + d.name + "', samples=" + std::to_string(d.size()) +
               ", features=" + std::to_string(d.inputs.cols()) +
               ", outputs=" + std::to_string(d.targets.cols()) +
               ", classes=" + std::to_string(d.num_classes) + ")";
      });
  m.def(
      "load_fashion_mnist",
      [](const std::string& dir) {
        TrainTest tt = load_fashion_mnist(dir);
        return py::make_tuple(std::move(tt.train), std::move(tt.test));
      },
      py::arg("dir") = kFashionMnistDir,
      "(train, test) of Fashion-MNIST, pixels scaled to [0, 1].");
  m.def("load_digits", &load_digits, py::arg("path") = kDigitsCsv,
        "DIGITS (8×8, 10 classes) from python3-sklearn's digits.csv.gz.");
  m.def("load_ib12bit", &load_ib12bit, py::arg("path") = ib12bit_path(),
        "The 12-bit information-bottleneck set (var_u.mat, MAT v5): 4096 patterns x 12 bits, "
        "labels one-hot in 2 columns (column y).");
  m.def(
      "split",
      [](const Dataset& d, double fraction, std::uint64_t seed) {
        TrainTest tt = split(d, fraction, seed);
        return py::make_tuple(std::move(tt.train), std::move(tt.test));
      },
      py::arg("data"), py::arg("test_fraction"), py::arg("seed") = 0,
      "(train, test): a deterministic random split holding out test_fraction.");
  m.def(
      "two_spirals",
      [](Index n, double noise, std::uint64_t seed) {
        Rng rng(seed);
        return two_spirals(n, noise, rng);
      },
      py::arg("n"), py::arg("noise") = 0.1, py::arg("seed") = 0);
  m.def(
      "gaussian_mixture",
      [](Index n, Index classes, Index dim, double separation, std::uint64_t seed) {
        Rng rng(seed);
        return gaussian_mixture(n, classes, dim, separation, rng);
      },
      py::arg("n"), py::arg("classes") = 3, py::arg("dim") = 2, py::arg("separation") = 3.0,
      py::arg("seed") = 0);
  m.def(
      "teacher_student",
      [](Index n, Index dim, Index hidden, double noise, std::uint64_t seed) {
        Rng rng(seed);
        return teacher_student(n, dim, hidden, noise, rng);
      },
      py::arg("n"), py::arg("dim") = 2, py::arg("hidden") = 16, py::arg("noise") = 0.1,
      py::arg("seed") = 0, "Regression targets of a random tanh teacher network plus noise.");
}

}  // namespace deepctl::python
