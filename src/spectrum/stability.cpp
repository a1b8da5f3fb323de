#include "deepctl/spectrum/stability.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>

#include "deepctl/core/error.hpp"
#include "deepctl/layer/residual.hpp"

namespace deepctl::spectrum {
namespace {

// f_x of `layer` at the row x (n × n), by jvp on the basis directions, n rows at once.
Mat<double> jacobian(const Layer<double>& layer, CVecRef<double> theta, CMatRef<double> x) {
  const Index n = layer.input_size();
  auto data = layer.make_data(n);
  const Mat<double> X = x.replicate(n, 1), E = Mat<double>::Identity(n, n);
  Mat<double> Y(n, layer.output_size()), dY(n, layer.output_size());
  layer.forward(*data, X, theta, Y);
  layer.jvp(*data, X, theta, E, Vec<double>::Zero(layer.num_params()), dY);
  return dY.transpose();  // column j = f_x e_j
}

}  // namespace

std::complex<double> stability_function(const ButcherTableau& t, std::complex<double> z) {
  const std::size_t s = std::size_t(t.solution_stages);
  std::vector<std::complex<double>> k(s);  // (I − zA) k = 𝟙, A strictly lower triangular
  std::complex<double> R = 1.0;
  for (std::size_t i = 0; i < s; ++i) {
    k[i] = 1.0;
    for (std::size_t j = 0; j < i && j < t.a[i].size(); ++j) k[i] += z * t.a[i][j] * k[j];
    R += z * t.b[i] * k[i];
  }
  return R;
}

std::vector<LayerStability> layer_stability(const Problem<double>& problem,
                                            const Params<double>& theta, CMatRef<double> X) {
  problem.check_params(theta);
  if (X.cols() != problem.input_shape().size() || X.rows() < 1)
    throw InputError("stability: expected inputs with " +
                     std::to_string(problem.input_shape().size()) + " columns");
  Workspace<double> ws = problem.make_workspace(X.rows());
  problem.rollout(ws, X, Mat<double>::Zero(X.rows(), problem.output_shape().size()), theta);
  std::vector<LayerStability> out;
  for (Index t = 0; t < problem.num_layers(); ++t) {
    const Layer<double>& layer = problem.layer(t);
    const Index n = layer.input_size();
    if (layer.output_size() != n || n > 1024) continue;
    LayerStability r;
    r.layer = t;
    r.kind = layer.kind();
    const auto* residual = dynamic_cast<const Residual<double>*>(&layer);
    const auto* ode = dynamic_cast<const OdeBlock<double>*>(&layer);
    r.is_step = residual != nullptr || ode != nullptr;
    r.max_real = -INFINITY;
    for (Index s = 0; s < X.rows(); ++s) {
      const auto x = ws.states[t].row(s);
      const Mat<double> J = jacobian(layer, theta[t], x);
      const Eigen::VectorXcd ev = Eigen::EigenSolver<Eigen::MatrixXd>(J).eigenvalues();
      r.spectral_radius = std::max(r.spectral_radius, ev.cwiseAbs().maxCoeff());
      r.abs_determinant = std::max(r.abs_determinant, std::abs(J.determinant()));
      if (!r.is_step) continue;
      Eigen::VectorXcd field;
      ButcherTableau scheme = ButcherTableau::of(OdeSolver::Euler);
      if (residual) {
        r.step = residual->step();
        field = (ev.array() - 1.0) / r.step;
      } else {
        r.step = ode->time() / double(ode->steps());
        scheme = ode->tableau();
        field = Eigen::EigenSolver<Eigen::MatrixXd>(jacobian(ode->vector_field(), theta[t], x))
                    .eigenvalues();
      }
      for (Index i = 0; i < field.size(); ++i) {
        r.max_real = std::max(r.max_real, field[i].real());
        r.max_amplification =
            std::max(r.max_amplification, std::abs(stability_function(scheme, r.step * field[i])));
      }
    }
    out.push_back(r);
  }
  return out;
}

}  // namespace deepctl::spectrum
