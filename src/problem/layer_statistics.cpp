#include "deepctl/problem/layer_statistics.hpp"

#include <cmath>

namespace deepctl {
namespace {

template <class T>
double rms(const T& a) {
  return a.size() > 0 ? std::sqrt(a.template cast<double>().squaredNorm() / double(a.size())) : 0.0;
}

}  // namespace

template <class S>
std::vector<LayerStatistics> layer_statistics(const Problem<S>& problem, const Params<S>& theta,
                                              CMatRef<S> X, CMatRef<S> Y) {
  Workspace<S> ws = problem.make_workspace(X.rows());
  problem.rollout(ws, X, Y, theta);
  Params<S> grad;
  problem.adjoint(ws, Y, theta, grad);
  std::vector<LayerStatistics> stats(theta.size());
  for (std::size_t t = 0; t < theta.size(); ++t) {
    const auto x = ws.states[t + 1].template cast<double>().array();
    const double mean = x.mean();
    stats[t] = {rms(theta[t]), rms(grad[t]), mean, std::sqrt((x - mean).square().mean()),
                rms(ws.costates[t + 1]) * double(X.rows())};
  }
  return stats;
}

template std::vector<LayerStatistics> layer_statistics<float>(const Problem<float>&,
                                                              const Params<float>&, CMatRef<float>,
                                                              CMatRef<float>);
template std::vector<LayerStatistics> layer_statistics<double>(const Problem<double>&,
                                                               const Params<double>&,
                                                               CMatRef<double>, CMatRef<double>);

}  // namespace deepctl
