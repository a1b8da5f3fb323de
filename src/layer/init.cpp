#include "deepctl/layer/init.hpp"

#include <Eigen/QR>
#include <cmath>

#include "deepctl/core/error.hpp"

namespace deepctl {

InitKind Initializer::parse_kind(const std::string& text) {
  for (InitKind k : {InitKind::Gaussian, InitKind::Orthogonal, InitKind::He, InitKind::Glorot})
    if (kind_name(k) == text) return k;
  throw InputError("unknown initialiser '" + text +
                   "'; expected one of gaussian, orthogonal, he, glorot");
}

std::string Initializer::kind_name(InitKind kind) {
  switch (kind) {
    case InitKind::Gaussian:
      return "gaussian";
    case InitKind::Orthogonal:
      return "orthogonal";
    case InitKind::He:
      return "he";
    case InitKind::Glorot:
      return "glorot";
  }
  return "?";
}

template <class S>
void Initializer::weights(Rng& rng, Index rows, Index cols, Index fan_in, Index fan_out,
                          S* w) const {
  Eigen::Map<Mat<S>> W(w, rows, cols);
  switch (kind) {
    case InitKind::Gaussian:
    case InitKind::He: {
      const double var = kind == InitKind::He ? 2.0 / fan_in : sw2 / fan_in;
      const double sd = std::sqrt(var);
      for (Index i = 0; i < W.size(); ++i) w[i] = static_cast<S>(sd * rng.normal());
      break;
    }
    case InitKind::Glorot: {
      const double a = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
      for (Index i = 0; i < W.size(); ++i) w[i] = static_cast<S>(a * (2.0 * rng.uniform() - 1.0));
      break;
    }
    case InitKind::Orthogonal: {
      // QR of a tall Gaussian matrix; multiplying Q's columns by sign(diag R) makes Q Haar.
      const Index tall = std::max(rows, cols), flat = std::min(rows, cols);
      Eigen::MatrixXd G(tall, flat);
      for (Index i = 0; i < G.size(); ++i) G.data()[i] = rng.normal();
      Eigen::HouseholderQR<Eigen::MatrixXd> qr(G);
      Eigen::MatrixXd Q = qr.householderQ() * Eigen::MatrixXd::Identity(tall, flat);
      const Eigen::MatrixXd R = qr.matrixQR().topRows(flat).template triangularView<Eigen::Upper>();
      for (Index j = 0; j < flat; ++j)
        if (R(j, j) < 0) Q.col(j) = -Q.col(j);
      const double gain = std::sqrt(sw2);
      if (rows >= cols)
        W = (gain * Q).cast<S>();
      else
        W = (gain * Q.transpose()).cast<S>();
      break;
    }
  }
}

template <class S>
void Initializer::biases(Rng& rng, Index n, S* b) const {
  const bool random_bias = kind == InitKind::Gaussian || kind == InitKind::Orthogonal;
  const double sd = std::sqrt(sb2);
  for (Index i = 0; i < n; ++i) b[i] = random_bias ? static_cast<S>(sd * rng.normal()) : S(0);
}

template void Initializer::weights<float>(Rng&, Index, Index, Index, Index, float*) const;
template void Initializer::weights<double>(Rng&, Index, Index, Index, Index, double*) const;
template void Initializer::biases<float>(Rng&, Index, float*) const;
template void Initializer::biases<double>(Rng&, Index, double*) const;

}  // namespace deepctl
