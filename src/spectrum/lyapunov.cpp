#include "deepctl/spectrum/lyapunov.hpp"

#include <Eigen/QR>
#include <algorithm>
#include <cmath>

#include "deepctl/core/error.hpp"

namespace deepctl::spectrum {

LyapunovResult lyapunov_exponents(const Problem<double>& problem, const Params<double>& theta,
                                  CVecRef<double> x, Index k, Rng& rng) {
  problem.check_params(theta);
  const Index n = problem.input_shape().size();
  if (x.size() != n)
    throw InputError("lyapunov: the input has " + std::to_string(x.size()) + " values, expected " +
                     std::to_string(n));
  Index narrowest = n;
  for (Index t = 0; t < problem.num_layers(); ++t)
    narrowest = std::min(narrowest, problem.layer(t).output_size());
  if (k < 1 || k > narrowest)
    throw InputError("lyapunov: k must be from 1 to the narrowest width " +
                     std::to_string(narrowest) + ", got " + std::to_string(k));
  Mat<double> frame(n, k);
  for (Index i = 0; i < frame.size(); ++i) frame.data()[i] = rng.normal();
  Eigen::HouseholderQR<Eigen::MatrixXd> qr0(frame);
  Mat<double> dX =
      (qr0.householderQ() * Eigen::MatrixXd::Identity(n, k)).transpose();  // k × n rows
  Mat<double> X = x.transpose().replicate(k, 1);
  LyapunovResult r;
  r.log_growth.resize(problem.num_layers(), k);
  for (Index t = 0; t < problem.num_layers(); ++t) {
    const Layer<double>& layer = problem.layer(t);
    auto data = layer.make_data(k);
    Mat<double> Y(k, layer.output_size()), dY(k, layer.output_size());
    layer.forward(*data, X, theta[t], Y);
    layer.jvp(*data, X, theta[t], dX, Vec<double>::Zero(layer.num_params()), dY);
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(dY.transpose());  // J_t Q_t = Q_{t+1} R_t
    const Eigen::MatrixXd R = qr.matrixQR().topRows(k).triangularView<Eigen::Upper>();
    const Eigen::MatrixXd Q = qr.householderQ() * Eigen::MatrixXd::Identity(layer.output_size(), k);
    for (Index i = 0; i < k; ++i) r.log_growth(t, i) = std::log(std::abs(R(i, i)));
    X = std::move(Y);
    dX = Q.transpose();
  }
  r.exponents = r.log_growth.colwise().mean().transpose();
  std::sort(r.exponents.data(), r.exponents.data() + k, std::greater<>());
  return r;
}

}  // namespace deepctl::spectrum
