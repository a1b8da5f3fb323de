#include "bind.hpp"
#include "deepctl/config/run_config.hpp"

namespace deepctl::python {

void bind_config(py::module_& m) {
  py::class_<DataConfig>(m, "DataConfig", "The [data] table of a run config (docs/config.md).")
      .def(py::init<>())
      .def_readwrite("name", &DataConfig::name)
      .def_readwrite("path", &DataConfig::path)
      .def_readwrite("normalize", &DataConfig::normalize)
      .def_readwrite("train_limit", &DataConfig::train_limit)
      .def_readwrite("test_limit", &DataConfig::test_limit)
      .def_readwrite("test_fraction", &DataConfig::test_fraction)
      .def_readwrite("split_seed", &DataConfig::split_seed)
      .def_readwrite("samples", &DataConfig::samples)
      .def_readwrite("noise", &DataConfig::noise)
      .def("__repr__", [](const DataConfig& d) { return "DataConfig(name='" + d.name + "')"; });
  py::class_<RunConfig>(m, "RunConfig", R"(A run configuration as `deepctl train` reads it.

load_config(path, overrides=[]) parses a TOML file strictly (overrides "train.lr=0.01");
network() / trainer_options() / initializer() give the library objects; to_toml() the
resolved file.)")
      .def_readwrite("data", &RunConfig::data)
      .def_readwrite("layers", &RunConfig::layers)
      .def_readwrite("loss", &RunConfig::loss)
      .def_readwrite("l2", &RunConfig::l2)
      .def_readwrite("precision", &RunConfig::precision)
      .def_readwrite("epochs", &RunConfig::epochs)
      .def_readwrite("batch_size", &RunConfig::batch_size)
      .def_readwrite("seed", &RunConfig::seed)
      .def_readwrite("optimizer", &RunConfig::optimizer)
      .def_readwrite("lr", &RunConfig::lr)
      .def_readwrite("threads", &RunConfig::threads)
      .def(
          "network",
          [](const RunConfig& c, py::object input) { return c.network(shape_from(input)); },
          py::arg("input_shape"))
      .def("trainer_options", &RunConfig::trainer_options)
      .def("initializer", &RunConfig::initializer)
      .def("to_toml", [](const RunConfig& c) { return to_toml(c); })
      .def("__repr__", [](const RunConfig& c) { return to_toml(c); });
  m.def("load_config", &load_run_config, py::arg("path"),
        py::arg("overrides") = std::vector<std::string>{});
  m.def("parse_config", &parse_run_config, py::arg("text"), py::arg("source") = "<string>",
        py::arg("overrides") = std::vector<std::string>{});
  m.def(
      "load_data",
      [](const DataConfig& d) {
        TrainTest tt = load_data(d);
        return py::make_tuple(std::move(tt.train), std::move(tt.test));
      },
      py::arg("data"),
      "(train, test) of the configured dataset, normalised with train statistics.");
}

}  // namespace deepctl::python
