#include "deepctl/io/checkpoint.hpp"

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

template <class S>
void put_params(NpzArchive& z, const std::string& prefix, const Params<S>& p) {
  for (std::size_t t = 0; t < p.size(); ++t)
    z[prefix + "_" + std::to_string(t)] = NpyArray::from_vector(p[t]);
}

const NpyArray& member(const NpzArchive& z, const std::string& path, const std::string& key) {
  auto it = z.find(key);
  if (it == z.end()) throw FileError(path + ": checkpoint has no array '" + key + "'");
  return it->second;
}

template <class S>
void get_params(const NpzArchive& z, const std::string& path, const std::string& prefix,
                Params<S>& p) {
  for (std::size_t t = 0; t < p.size(); ++t) {
    const std::string key = prefix + "_" + std::to_string(t);
    Vec<S> v = member(z, path, key).template to_vector<S>(path + ":" + key);
    if (v.size() != p[t].size())
      throw FileError(path + ": array '" + key + "' has " + std::to_string(v.size()) +
                      " values but the network expects " + std::to_string(p[t].size()));
    p[t] = std::move(v);
  }
}

}  // namespace

template <class S>
void save_checkpoint(const std::string& path, MinibatchTrainer<S>& trainer,
                     const NpzArchive& extras) {
  NpzArchive z = extras;
  put_params(z, "theta", trainer.params());
  for (auto& [name, buffers] : trainer.controller_state()) put_params(z, name, *buffers);
  z["epoch"] = NpyArray::scalar_int(trainer.epoch());
  z["step"] = NpyArray::scalar_int(trainer.steps());
  z["updates"] = NpyArray::scalar_int(trainer.controller_updates());
  write_file_atomic(path, encode_npz(z));
}

template <class S>
NpzArchive load_checkpoint(const std::string& path, MinibatchTrainer<S>& trainer) {
  NpzArchive z = read_npz(path);
  Params<S> theta = trainer.params();
  get_params(z, path, "theta", theta);
  trainer.init(std::move(theta));
  for (auto& [name, buffers] : trainer.controller_state()) get_params(z, path, name, *buffers);
  trainer.set_controller_updates(member(z, path, "updates").to_int(path + ":updates"));
  trainer.set_progress(static_cast<int>(member(z, path, "epoch").to_int(path + ":epoch")),
                       member(z, path, "step").to_int(path + ":step"));
  return z;
}

template <class S>
Params<S> load_params(const std::string& path, const Problem<S>& problem) {
  const NpzArchive z = read_npz(path);
  Params<S> theta = problem.zero_params();
  get_params(z, path, "theta", theta);
  return theta;
}

template void save_checkpoint<float>(const std::string&, MinibatchTrainer<float>&,
                                     const NpzArchive&);
template void save_checkpoint<double>(const std::string&, MinibatchTrainer<double>&,
                                      const NpzArchive&);
template NpzArchive load_checkpoint<float>(const std::string&, MinibatchTrainer<float>&);
template NpzArchive load_checkpoint<double>(const std::string&, MinibatchTrainer<double>&);
template Params<float> load_params<float>(const std::string&, const Problem<float>&);
template Params<double> load_params<double>(const std::string&, const Problem<double>&);

}  // namespace deepctl
