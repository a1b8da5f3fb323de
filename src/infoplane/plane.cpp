#include "deepctl/infoplane/plane.hpp"

#include <cmath>

#include "deepctl/core/error.hpp"
#include "deepctl/core/linspace.hpp"
#include "deepctl/infoplane/binning.hpp"
#include "deepctl/infoplane/estimators.hpp"
#include "deepctl/loss/loss.hpp"

namespace deepctl::infoplane {

void check(const PlaneOptions& o) {
  if (o.estimator != "binning" && o.estimator != "kde")
    throw InputError("information plane: estimator must be binning or kde, got '" + o.estimator +
                     "'");
  if (o.bins < 2) throw InputError("information plane: bins must be >= 2");
  if (!(o.bin_width > 0)) throw InputError("information plane: bin_width must be > 0");
  if (!(o.noise_variance > 0)) throw InputError("information plane: noise variance must be > 0");
}

std::vector<double> bin_edges(const std::string& activation, CMatRef<double> T,
                              const PlaneOptions& options) {
  if (activation == "tanh" || activation == "erf" || activation == "hard_tanh")
    return linspace(-1, 1, options.bins);
  if (activation == "sigmoid" || activation == "softmax") return linspace(0, 1, options.bins);
  const double w = options.bin_width;
  const double lo = std::floor(T.minCoeff() / w), hi = std::floor(T.maxCoeff() / w);
  std::vector<double> edges;
  for (double k = lo + 1; k <= hi; k += 1) edges.push_back(k * w);
  if (edges.empty()) edges.push_back((lo + 1) * w);  // a constant layer: one cell
  return edges;
}

std::vector<LayerPlane> information_plane(const Problem<double>& problem,
                                          const Params<double>& theta, CMatRef<double> X,
                                          const std::vector<int>& labels,
                                          const std::vector<std::string>& activations,
                                          const PlaneOptions& options) {
  check(options);
  if (Index(activations.size()) != problem.num_layers())
    throw InputError("information plane: " + std::to_string(activations.size()) +
                     " activation names for " + std::to_string(problem.num_layers()) + " layers");
  Workspace<double> ws = problem.make_workspace(X.rows());
  const Mat<double> no_targets = Mat<double>::Zero(X.rows(), problem.output_shape().size());
  problem.rollout(ws, X, no_targets, theta);
  const bool softmax_output = problem.loss().name() == "cross_entropy";
  std::vector<LayerPlane> plane;
  for (Index t = 1; t <= problem.num_layers(); ++t) {
    Mat<double> T = ws.states[t];
    std::string activation = activations[t - 1];
    if (t == problem.num_layers() && softmax_output) {
      T = softmax_rows(T);
      activation = "softmax";
    }
    LayerPlane point;
    if (options.estimator == "binning") {
      const PlanePoint p = binning_information(T, labels, bin_edges(activation, T, options));
      point = {p.i_xt, p.i_ty, p.i_xt};
    } else {
      const KdeBounds b = kde_information(T, labels, options.noise_variance);
      point = {b.i_xt_upper, b.i_ty, b.i_xt_lower};
    }
    plane.push_back(point);
  }
  return plane;
}

}  // namespace deepctl::infoplane
