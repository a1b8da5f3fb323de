#include "deepctl/config/run_config.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "deepctl/core/error.hpp"
#include "deepctl/data/readers.hpp"
#include "deepctl/data/synthetic.hpp"

namespace deepctl {
namespace {

// Every scalar field of the config, named by section and key. Both the reader and the writer
// walk this one list, so the file format and the defaults cannot drift apart.
template <class V>
void visit_fields(RunConfig& c, V&& v) {
  auto& d = c.data;
  v("data", "name", d.name);
  v("data", "path", d.path);
  v("data", "normalize", d.normalize);
  v("data", "train_limit", d.train_limit);
  v("data", "test_limit", d.test_limit);
  v("data", "test_fraction", d.test_fraction);
  v("data", "split_seed", d.split_seed);
  v("data", "samples", d.samples);
  v("data", "noise", d.noise);
  v("data", "classes", d.classes);
  v("data", "dim", d.dim);
  v("data", "separation", d.separation);
  v("data", "hidden", d.hidden);
  v("model", "loss", c.loss);
  v("model", "l2", c.l2);
  v("model", "time_smoothness", c.time_smoothness);
  v("model", "init", c.init);
  v("model", "sw2", c.sw2);
  v("model", "sb2", c.sb2);
  v("train", "precision", c.precision);
  v("train", "epochs", c.epochs);
  v("train", "batch_size", c.batch_size);
  v("train", "seed", c.seed);
  v("train", "optimizer", c.optimizer);
  v("train", "lr", c.lr);
  v("train", "momentum", c.momentum);
  v("train", "beta1", c.beta1);
  v("train", "beta2", c.beta2);
  v("train", "epsilon", c.epsilon);
  v("train", "weight_decay", c.weight_decay);
  v("train", "ki", c.ki);
  v("train", "kd", c.kd);
  v("train", "u0", c.u0);
  v("train", "beta_min", c.beta_min);
  v("train", "beta_max", c.beta_max);
  v("train", "temperature", c.temperature);
  v("train", "posterior_burn_in", c.posterior_burn_in);
  v("train", "psgld_alpha", c.psgld_alpha);
  v("train", "psgld_lambda", c.psgld_lambda);
  v("train", "adagrad_initial", c.adagrad_initial);
  v("train", "entropy_gamma", c.entropy_gamma);
  v("train", "entropy_gamma_growth", c.entropy_gamma_growth);
  v("train", "entropy_noise", c.entropy_noise);
  v("train", "ddp_curvature", c.ddp_curvature);
  v("train", "ddp_feedback", c.ddp_feedback);
  v("train", "ddp_alpha", c.ddp_alpha);
  v("train", "ddp_lambda", c.ddp_lambda);
  v("train", "ddp_damping", c.ddp_damping);
  v("train", "ddp_inverse_every", c.ddp_inverse_every);
  v("train", "ddp_stats_every", c.ddp_stats_every);
  v("train", "ddp_value_update", c.ddp_value_update);
  v("train", "ddp_adaptive_damping", c.ddp_adaptive_damping);
  v("train", "vanilla_ddp_mu", c.vanilla_ddp_mu);
  v("train", "discrete_rho", c.discrete_rho);
  v("train", "discrete_lambda", c.discrete_lambda);
  v("train", "discrete_alpha", c.discrete_alpha);
  v("train", "discrete_alpha_decay", c.discrete_alpha_decay);
  v("train", "rho", c.rho);
  v("train", "inner_steps", c.inner_steps);
  v("train", "inner_lr", c.inner_lr);
  v("train", "inner", c.inner);
  v("train", "inner_perturbation", c.inner_perturbation);
  v("train", "schedule", c.schedule);
  v("train", "gamma", c.gamma);
  v("train", "step_every", c.step_every);
  v("train", "min_lr", c.min_lr);
  v("train", "decay", c.decay);
  v("train", "threads", c.threads);
  v("train", "log_every", c.log_every);
  v("train", "checkpoint_every", c.checkpoint_every);
  v("train", "dynamics_every", c.dynamics_every);
  v("train", "infoplane_points", c.infoplane_points);
  v("train", "infoplane_estimator", c.infoplane_estimator);
  v("train", "infoplane_bins", c.infoplane_bins);
  v("train", "infoplane_bin_width", c.infoplane_bin_width);
  v("train", "infoplane_noise", c.infoplane_noise);
}

template <class V>
void visit_layer(LayerSpec& l, V&& v) {
  v("type", l.type);
  v("width", l.width);
  v("channels", l.channels);
  v("kernel", l.kernel);
  v("stride", l.stride);
  v("padding", l.padding);
  v("step", l.step);
  v("activation", l.activation);
  v("time", l.time);
  v("steps", l.steps);
  v("solver", l.solver);
  v("gradient", l.gradient);
  v("field", l.field);
  v("gamma", l.gamma);
  v("rtol", l.rtol);
  v("atol", l.atol);
  v("weights", l.weights);
}

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    default:
      return "date/time";
  }
}

// Reads one value into a field, or says what was expected.
template <class T>
void read_value(const toml::node& n, T& field, const std::string& where) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (!n.is_string()) throw InputError(where + ": expected a string, got " + type_name(n));
    field = *n.value<std::string>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!n.is_boolean()) throw InputError(where + ": expected true or false, got " + type_name(n));
    field = *n.value<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    if (!n.is_integer()) throw InputError(where + ": expected an integer, got " + type_name(n));
    field = static_cast<T>(*n.value<std::int64_t>());
  } else {
    if (!n.is_number()) throw InputError(where + ": expected a number, got " + type_name(n));
    field = *n.value<double>();
  }
}

struct Reader {
  const std::string& source;
  const toml::table& root;
  std::map<std::string, std::set<std::string>> known;
  template <class T>
  void operator()(const char* section, const char* key, T& field) {
    known[section].insert(key);
    const toml::table* t = root[section].as_table();
    if (!t) return;
    if (const toml::node* n = t->get(key))
      read_value(*n, field, source + ": " + section + "." + key);
  }
};

struct Writer {
  toml::table& root;
  template <class T>
  void operator()(const char* section, const char* key, T& field) {
    if (!root.contains(section)) root.insert(section, toml::table{});
    auto* t = root[section].as_table();
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
      t->insert_or_assign(key, static_cast<std::int64_t>(field));
    else
      t->insert_or_assign(key, field);
  }
};

void reject_unknown(const toml::table& t, const std::set<std::string>& known,
                    const std::string& where, const std::string& source) {
  for (auto&& [k, v] : t)
    if (!known.count(std::string(k.str()))) {
      std::string list;
      for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
      throw InputError(source + ": unknown key '" + where + std::string(k.str()) +
                       "'; expected one of " + list);
    }
}

// Parses an override value as TOML, else keeps it as a string.
void apply_override(toml::table& root, const std::string& assignment, const std::string& source) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError("--set '" + assignment + "': expected key=value");
  const std::string key = assignment.substr(0, eq), text = assignment.substr(eq + 1);
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + text);
  } catch (const toml::parse_error&) {
    parsed.insert("v", text);
  }
  std::vector<std::string> parts;
  std::stringstream ss(key);
  for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
  toml::node* node = &root;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (auto* t = node->as_table()) {
      if (!t->contains(parts[i])) {
        const bool next_is_index =
            !parts[i + 1].empty() && std::isdigit(static_cast<unsigned char>(parts[i + 1][0]));
        if (next_is_index)
          throw InputError("--set " + key + ": " + parts[i] + " is not in " + source);
        t->insert(parts[i], toml::table{});
      }
      node = t->get(parts[i]);
    } else if (auto* a = node->as_array()) {
      const std::size_t idx = std::stoul(parts[i]);
      if (idx >= a->size())
        throw InputError("--set " + key + ": index " + parts[i] + " is out of range");
      node = a->get(idx);
    } else {
      throw InputError("--set " + key + ": " + parts[i] + " is not a table or array");
    }
  }
  auto* t = node->as_table();
  if (!t) throw InputError("--set " + key + ": cannot set a key inside a non-table");
  t->insert_or_assign(parts.back(), *parsed.get("v"));
}

}  // namespace

NetworkSpec RunConfig::network(const Shape& input) const {
  return {input, layers, loss, l2, time_smoothness};
}

Initializer RunConfig::initializer() const {
  return {Initializer::parse_kind(init), sw2, sb2};
}

TrainerOptions RunConfig::trainer_options() const {
  TrainerOptions o;
  o.epochs = epochs;
  o.batch_size = batch_size;
  o.seed = static_cast<std::uint64_t>(seed);
  // With optimizer = "msa" the update is msa_step and these policy settings go unused.
  o.update = {uses_msa() || uses_ddp() || uses_vanilla_ddp() ? UpdateKind::SGD
              : uses_discrete_msa()                          ? UpdateKind::Adam
              : uses_entropy_sgd()                           ? UpdateKind::Nesterov
                                                             : UpdateOptions::parse_kind(optimizer),
              momentum,
              beta1,
              beta2,
              epsilon,
              weight_decay,
              ki,
              kd,
              u0,
              beta_min,
              beta_max,
              temperature,
              psgld_alpha,
              psgld_lambda,
              adagrad_initial};
  o.schedule.kind = Schedule::parse_kind(schedule);
  o.schedule.base = lr;
  o.schedule.gamma = gamma;
  o.schedule.every = step_every;
  o.schedule.min_lr = min_lr;
  o.schedule.decay = decay;
  return o;
}

template <class S>
std::unique_ptr<MinibatchTrainer<S>> make_trainer(const RunConfig& config,
                                                  const Problem<S>& problem, const Dataset& train,
                                                  const Dataset* test) {
  if (config.uses_msa())
    return std::make_unique<MsaTrainer<S>>(problem, train, test, config.trainer_options(),
                                           config.msa_options());
  if (config.uses_entropy_sgd())
    return std::make_unique<EntropySgdTrainer<S>>(problem, train, test, config.trainer_options(),
                                                  config.entropy_options());
  if (config.uses_discrete_msa())
    return std::make_unique<DiscreteMsaTrainer<S>>(problem, train, test, config.trainer_options(),
                                                   config.discrete_msa_options());
  if (config.uses_ddp())
    return std::make_unique<DdpTrainer<S>>(problem, train, test, config.trainer_options(),
                                           config.ddp_options());
  if (config.uses_vanilla_ddp()) {
    if constexpr (std::is_same_v<S, double>)
      return std::make_unique<VanillaDdpTrainer>(problem, train, test, config.trainer_options(),
                                                 config.vanilla_ddp_mu);
    else
      throw InputError("train.optimizer = \"vanilla_ddp\" needs train.precision = \"float64\"");
  }
  return std::make_unique<GradientTrainer<S>>(problem, train, test, config.trainer_options());
}

template std::unique_ptr<MinibatchTrainer<float>> make_trainer<float>(const RunConfig&,
                                                                      const Problem<float>&,
                                                                      const Dataset&,
                                                                      const Dataset*);
template std::unique_ptr<MinibatchTrainer<double>> make_trainer<double>(const RunConfig&,
                                                                        const Problem<double>&,
                                                                        const Dataset&,
                                                                        const Dataset*);

RunConfig parse_run_config(const std::string& toml_text, const std::string& source,
                           const std::vector<std::string>& overrides) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source << ":" << e.source().begin.line << ": " << e.description();
    throw InputError(msg.str());
  }
  for (const auto& o : overrides) apply_override(root, o, source);

  RunConfig c;
  Reader reader{source, root, {}};
  visit_fields(c, reader);
  reader.known["model"].insert("layers");
  std::set<std::string> sections;
  for (const auto& [s, keys] : reader.known) sections.insert(s);
  reject_unknown(root, sections, "", source);
  for (const auto& [section, keys] : reader.known) {
    if (const toml::node* n = root.get(section)) {
      if (!n->is_table()) throw InputError(source + ": " + section + ": expected a table");
      reject_unknown(*n->as_table(), keys, section + ".", source);
    }
  }
  if (const toml::node* n = root.at_path("model.layers").node()) {
    const toml::array* arr = n->as_array();
    if (!arr) throw InputError(source + ": model.layers: expected an array of tables");
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string where = "model.layers[" + std::to_string(i) + "]";
      const toml::table* t = arr->get(i)->as_table();
      if (!t) throw InputError(source + ": " + where + ": expected a table");
      LayerSpec spec;
      std::set<std::string> keys;
      visit_layer(spec, [&](const char* key, auto& field) {
        keys.insert(key);
        if (const toml::node* v = t->get(key))
          read_value(*v, field, source + ": " + where + "." + key);
      });
      reject_unknown(*t, keys, where + ".", source);
      if (spec.type.empty()) throw InputError(source + ": " + where + ": missing key 'type'");
      c.layers.push_back(spec);
    }
  }
  if (c.layers.empty())
    throw InputError(source + ": model.layers: the network needs at least one layer");
  auto require = [&](bool ok, const std::string& key, const std::string& what) {
    if (!ok) throw InputError(source + ": " + key + ": " + what);
  };
  require(c.epochs >= 0, "train.epochs", "must be >= 0");
  require(c.batch_size > 0, "train.batch_size", "must be > 0");
  require(c.lr > 0, "train.lr", "must be > 0");
  require(c.threads >= 0, "train.threads", "must be >= 0 (0: all cores)");
  require(c.log_every > 0, "train.log_every", "must be > 0");
  require(c.checkpoint_every > 0, "train.checkpoint_every", "must be > 0");
  require(c.dynamics_every >= 0, "train.dynamics_every", "must be >= 0 (0: none)");
  require(c.infoplane_points >= 0, "train.infoplane_points", "must be >= 0 (0: none)");
  require(c.posterior_burn_in >= -1 && c.posterior_burn_in < std::max(c.epochs, 1),
          "train.posterior_burn_in", "must be -1 (half the epochs) or 0..epochs-1");
  require(c.infoplane_estimator == "binning" || c.infoplane_estimator == "kde",
          "train.infoplane_estimator", "must be binning or kde");
  require(c.infoplane_bins >= 2, "train.infoplane_bins", "must be >= 2");
  require(c.infoplane_bin_width > 0, "train.infoplane_bin_width", "must be > 0");
  require(c.infoplane_noise > 0, "train.infoplane_noise", "must be > 0");
  require(c.adagrad_initial >= 0, "train.adagrad_initial", "must be >= 0");
  require(c.rho >= 0, "train.rho", "must be >= 0");
  require(c.inner_steps > 0, "train.inner_steps", "must be > 0");
  require(c.inner_lr > 0, "train.inner_lr", "must be > 0");
  require(c.inner_perturbation >= 0, "train.inner_perturbation", "must be >= 0");
  require(c.time_smoothness >= 0, "model.time_smoothness", "must be >= 0");
  require(
      c.ddp_curvature == "identity" || c.ddp_curvature == "diagonal" || c.ddp_curvature == "kfac",
      "train.ddp_curvature", "must be identity, diagonal or kfac");
  require(c.ddp_alpha >= 0 && c.ddp_alpha < 1, "train.ddp_alpha", "must be in [0, 1)");
  require(c.ddp_lambda > 0, "train.ddp_lambda", "must be > 0");
  require(c.ddp_damping > 0, "train.ddp_damping", "must be > 0");
  require(c.ddp_inverse_every >= 1, "train.ddp_inverse_every", "must be >= 1");
  require(c.ddp_stats_every >= 1, "train.ddp_stats_every", "must be >= 1");
  require(!c.ddp_adaptive_damping || c.ddp_curvature != "identity", "train.ddp_adaptive_damping",
          "needs ddp_curvature = \"diagonal\" or \"kfac\" (identity has no damping to adapt)");
  require(c.discrete_rho >= 0, "train.discrete_rho", "must be >= 0");
  require(c.discrete_lambda >= 0, "train.discrete_lambda", "must be >= 0");
  require(c.discrete_alpha >= 0 && c.discrete_alpha < 1, "train.discrete_alpha",
          "must be in [0, 1)");
  require(c.discrete_alpha_decay > 0 && c.discrete_alpha_decay <= 1, "train.discrete_alpha_decay",
          "must be in (0, 1]");
  require(c.precision == "float32" || c.precision == "float64", "train.precision",
          "expected float32 or float64, got '" + c.precision + "'");
  require(!c.uses_vanilla_ddp() || c.precision == "float64", "train.precision",
          "optimizer vanilla_ddp needs float64");
  require(c.vanilla_ddp_mu >= 0, "train.vanilla_ddp_mu", "must be >= 0");
  require(c.data.train_limit >= 0 && c.data.test_limit >= 0, "data.train_limit",
          "limits must be >= 0");
  require(c.sw2 >= 0 && c.sb2 >= 0, "model.sw2", "variances must be >= 0");
  try {
    c.trainer_options();
    c.msa_options();
    c.initializer();
    make_loss<double>(c.loss);
  } catch (const InputError& e) {
    throw InputError(source + ": " + e.what());
  }
  return c;
}

RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path);
  if (!in) throw FileError(path + ": no such file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_run_config(text.str(), path, overrides);
}

std::string to_toml(const RunConfig& config) {
  RunConfig c = config;
  toml::table root;
  visit_fields(c, Writer{root});
  toml::array layers;
  for (auto& spec : c.layers) {
    toml::table t;
    visit_layer(spec, [&](const char* key, auto& field) {
      using T = std::decay_t<decltype(field)>;
      if constexpr (std::is_integral_v<T>)
        t.insert(key, static_cast<std::int64_t>(field));
      else
        t.insert(key, field);
    });
    layers.push_back(std::move(t));
  }
  root["model"].as_table()->insert("layers", std::move(layers));
  std::ostringstream out;
  out << root << "\n";
  return out.str();
}

// scikit-learn's headed tables by dataset name (data/readers.hpp).
const std::map<std::string, std::string> kSklearnTables = {
    {"breast-cancer", "breast_cancer.csv"}, {"wine", "wine_data.csv"}, {"iris", "iris.csv"}};

TrainTest load_data(const DataConfig& d) {
  TrainTest tt;
  Rng rng(static_cast<std::uint64_t>(d.split_seed));
  if (d.name == "fashion-mnist") {
    tt = load_fashion_mnist(d.path.empty() ? kFashionMnistDir : d.path);
  } else if (d.name == "digits") {
    tt = split(load_digits(d.path.empty() ? kDigitsCsv : d.path), d.test_fraction, d.split_seed);
  } else if (d.name == "ib12bit") {
    tt = split(load_ib12bit(d.path.empty() ? ib12bit_path() : d.path), d.test_fraction,
               d.split_seed);
  } else if (const auto table = kSklearnTables.find(d.name); table != kSklearnTables.end()) {
    tt = split(
        load_sklearn_table(
            d.path.empty() ? std::string(kSklearnDataDir) + "/" + table->second : d.path, d.name),
        d.test_fraction, d.split_seed);
  } else if (d.name == "spirals") {
    tt = split(two_spirals(d.samples, d.noise, rng), d.test_fraction, d.split_seed);
  } else if (d.name == "gaussian-mixture") {
    tt = split(gaussian_mixture(d.samples, d.classes, d.dim, d.separation, rng), d.test_fraction,
               d.split_seed);
  } else if (d.name == "teacher-student") {
    tt = split(teacher_student(d.samples, d.dim, d.hidden, d.noise, rng), d.test_fraction,
               d.split_seed);
  } else if (d.name == "sine") {
    tt = split(sine(d.samples, d.dim, d.noise, rng), d.test_fraction, d.split_seed);
  } else {
    throw InputError("data.name: unknown dataset '" + d.name +
                     "'; expected fashion-mnist, digits, ib12bit, breast-cancer, wine, iris, "
                     "spirals, gaussian-mixture, teacher-student or sine");
  }
  auto head = [](Dataset& ds, Index limit) {
    if (limit > 0 && limit < ds.size()) {
      std::vector<Index> rows(limit);
      for (Index i = 0; i < limit; ++i) rows[i] = i;
      ds = ds.subset(rows);
    }
  };
  head(tt.train, d.train_limit);
  head(tt.test, d.test_limit);
  const Normalizer norm = Normalizer::fit(tt.train, d.normalize);
  norm.apply(tt.train);
  norm.apply(tt.test);
  return tt;
}

}  // namespace deepctl
