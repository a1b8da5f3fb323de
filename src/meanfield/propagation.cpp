#include "deepctl/meanfield/propagation.hpp"

#include <cmath>
#include <map>

#include "deepctl/core/error.hpp"
#include "deepctl/layer/residual.hpp"

namespace deepctl::meanfield {
namespace {

DenseStep<double> weight_layer(const Problem<double>& problem, Index t) {
  if (auto d = as_dense_step(problem.layer(t))) return *d;
  throw InputError("layer " + std::to_string(t) + " " + problem.layer(t).describe() +
                   " has no mean-field kernel map (dense and residual-dense layers have one)");
}

}  // namespace

std::vector<PairKernel> predict_pair(const Problem<double>& problem, const Initializer& init,
                                     CVecRef<double> x1, CVecRef<double> x2) {
  if (init.kind != InitKind::Gaussian && init.kind != InitKind::Orthogonal)
    throw InputError(
        "mean-field prediction needs a gaussian or orthogonal initialiser (σ_w², σ_b²), got " +
        Initializer::kind_name(init.kind));
  const double n = static_cast<double>(x1.size());
  double k11 = x1.squaredNorm() / n, k22 = x2.squaredNorm() / n, k12 = x1.dot(x2) / n;
  double m1 = x1.mean(), m2 = x2.mean();  // per-unit means, for the residual cross terms
  std::map<ActivationKind, ActivationMoments> moments;
  std::vector<PairKernel> out;
  for (Index t = 0; t < problem.num_layers(); ++t) {
    const DenseStep<double> w = weight_layer(problem, t);
    const double q11 = init.sw2 * k11 + init.sb2, q22 = init.sw2 * k22 + init.sb2;
    const double c = std::clamp((init.sw2 * k12 + init.sb2) / std::sqrt(q11 * q22), -1.0, 1.0);
    out.push_back({q11, q22, c});
    const Activation& act = w.layer->activation();
    const ActivationMoments& m = moments.try_emplace(act.kind(), act).first->second;
    const double e11 = m.second_moment(q11), e22 = m.second_moment(q22),
                 e12 = m.covariance(q11, q22, c);
    const double mu1 = m.mean(q11), mu2 = m.mean(q22);
    if (w.step == 0) {
      k11 = e11, k22 = e22, k12 = e12;
      m1 = mu1, m2 = mu2;
    } else {
      const double h = w.step;
      k11 += 2 * h * m1 * mu1 + h * h * e11;
      k22 += 2 * h * m2 * mu2 + h * h * e22;
      k12 += h * (m1 * mu2 + m2 * mu1) + h * h * e12;
      m1 += h * mu1, m2 += h * mu2;
    }
  }
  return out;
}

std::vector<PairKernel> measure_pair(const Problem<double>& problem, const Params<double>& theta,
                                     CVecRef<double> x1, CVecRef<double> x2) {
  problem.check_params(theta);
  Mat<double> X(2, x1.size());
  X.row(0) = x1.transpose();
  X.row(1) = x2.transpose();
  Workspace<double> ws = problem.make_workspace(2);
  problem.rollout(ws, X, Mat<double>::Zero(2, problem.output_shape().size()), theta);
  std::vector<PairKernel> out;
  for (Index t = 0; t < problem.num_layers(); ++t) {
    // The pre-activations of the network's own forward pass: z = W x_t + b on its states.
    const DenseStep<double> w = weight_layer(problem, t);
    const Index in = w.layer->input_size(), n_out = w.layer->output_size();
    Eigen::Map<const Mat<double>> W(theta[t].data(), n_out, in);
    Eigen::Map<const Vec<double>> b(theta[t].data() + n_out * in, n_out);
    Mat<double> Z = ws.states[t] * W.transpose();
    Z.rowwise() += b.transpose();
    const double q11 = Z.row(0).squaredNorm() / double(n_out),
                 q22 = Z.row(1).squaredNorm() / double(n_out);
    out.push_back({q11, q22, Z.row(0).dot(Z.row(1)) / double(n_out) / std::sqrt(q11 * q22)});
  }
  return out;
}

}  // namespace deepctl::meanfield
