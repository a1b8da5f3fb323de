#include "deepctl/data/dataset.hpp"

#include <cmath>
#include <numeric>

#include "deepctl/core/error.hpp"

namespace deepctl {

Dataset Dataset::subset(const std::vector<Index>& rows) const {
  Dataset out{name, input_shape, Mat<float>(rows.size(), inputs.cols()),
              Mat<float>(rows.size(), targets.cols()), num_classes};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out.inputs.row(i) = inputs.row(rows[i]);
    out.targets.row(i) = targets.row(rows[i]);
  }
  return out;
}

std::vector<int> class_labels(const Dataset& data) {
  std::vector<int> labels(data.size());
  for (Index i = 0; i < data.size(); ++i) {
    Index label;
    data.targets.row(i).maxCoeff(&label);
    labels[i] = static_cast<int>(label);
  }
  return labels;
}

Mat<float> one_hot(const std::vector<int>& labels, Index classes, const std::string& source) {
  Mat<float> y = Mat<float>::Zero(labels.size(), classes);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= classes)
      throw FileError(source + ": label " + std::to_string(labels[i]) + " at row " +
                      std::to_string(i) + " is outside 0.." + std::to_string(classes - 1));
    y(i, labels[i]) = 1.0f;
  }
  return y;
}

std::vector<Index> permutation(Index n, Rng& rng) {
  std::vector<Index> p(n);
  std::iota(p.begin(), p.end(), Index{0});
  for (Index i = n - 1; i > 0; --i)
    std::swap(p[i], p[rng.uniform_int(static_cast<std::uint64_t>(i + 1))]);
  return p;
}

TrainTest split(const Dataset& data, double fraction, std::uint64_t seed) {
  if (!(fraction > 0 && fraction < 1))
    throw InputError("split fraction must lie strictly between 0 and 1, got " +
                     std::to_string(fraction));
  Rng rng(seed);
  std::vector<Index> p = permutation(data.size(), rng);
  const Index held = static_cast<Index>(std::llround(fraction * data.size()));
  std::vector<Index> first(p.begin(), p.end() - held), second(p.end() - held, p.end());
  return {data.subset(first), data.subset(second)};
}

template <class S>
void gather(const Dataset& data, const std::vector<Index>& rows, Index begin, Index end, Mat<S>& X,
            Mat<S>& Y) {
  X.resize(end - begin, data.inputs.cols());
  Y.resize(end - begin, data.targets.cols());
  for (Index i = begin; i < end; ++i) {
    X.row(i - begin) = data.inputs.row(rows[i]).template cast<S>();
    Y.row(i - begin) = data.targets.row(rows[i]).template cast<S>();
  }
}

Normalizer Normalizer::fit(const Dataset& train, const std::string& mode) {
  const Index n = train.inputs.cols();
  Normalizer norm{Vec<float>::Zero(n), Vec<float>::Ones(n)};
  if (mode == "none") return norm;
  if (mode == "center") {  // pixels in [0, 1] to [−0.5, 0.5], as the review's trainability code
    norm.shift.setConstant(0.5f);
    return norm;
  }
  if (mode != "standardize")
    throw InputError("data.normalize: unknown mode '" + mode +
                     "'; expected standardize, center or none");
  const Eigen::MatrixXd X = train.inputs.cast<double>();
  const Eigen::VectorXd mean = X.colwise().mean();
  const Eigen::VectorXd var = (X.rowwise() - mean.transpose()).array().square().colwise().mean();
  for (Index j = 0; j < n; ++j) {
    norm.shift[j] = static_cast<float>(mean[j]);
    norm.scale[j] = var[j] > 1e-12 ? static_cast<float>(std::sqrt(var[j])) : 1.0f;
  }
  return norm;
}

void Normalizer::apply(Dataset& data) const {
  data.inputs =
      ((data.inputs.rowwise() - shift.transpose()).array().rowwise() / scale.transpose().array())
          .matrix();
}

template void gather<float>(const Dataset&, const std::vector<Index>&, Index, Index, Mat<float>&,
                            Mat<float>&);
template void gather<double>(const Dataset&, const std::vector<Index>&, Index, Index, Mat<double>&,
                             Mat<double>&);

}  // namespace deepctl
