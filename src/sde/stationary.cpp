#include "deepctl/sde/stationary.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <string>

#include "deepctl/core/error.hpp"

namespace deepctl::sde {
namespace {

// Solves A Σ + Σ A − κ A Σ A = R for symmetric positive-definite A (κ = 0: Lyapunov).
Mat<double> solve_in_eigenbasis(CMatRef<double> A, CMatRef<double> R, double kappa,
                                const std::string& what) {
  if (A.rows() != A.cols() || R.rows() != A.rows() || R.cols() != A.cols())
    throw InputError(what + ": A must be square and the right-hand side of the same size, got " +
                     std::to_string(A.rows()) + " x " + std::to_string(A.cols()) + " and " +
                     std::to_string(R.rows()) + " x " + std::to_string(R.cols()));
  if ((A - A.transpose()).norm() > 1e-10 * std::max(A.norm(), 1e-300))
    throw InputError(what + ": A must be symmetric");
  const Eigen::SelfAdjointEigenSolver<Mat<double>> eig(A);
  const Vec<double>& lambda = eig.eigenvalues();
  if (!(lambda.minCoeff() > 0))
    throw InputError(what + ": A must be positive definite; its smallest eigenvalue is " +
                     std::to_string(lambda.minCoeff()));
  if (kappa * lambda.maxCoeff() >= 2)
    throw InputError(what + ": unstable, lr * largest eigenvalue = " +
                     std::to_string(kappa * lambda.maxCoeff()) + " >= 2");
  const Mat<double>& Q = eig.eigenvectors();
  Mat<double> S = Q.transpose() * R * Q;
  for (Index i = 0; i < S.rows(); ++i)
    for (Index j = 0; j < S.cols(); ++j)
      S(i, j) /= lambda[i] + lambda[j] - kappa * lambda[i] * lambda[j];
  return Q * S * Q.transpose();
}

}  // namespace

OrnsteinUhlenbeck::OrnsteinUhlenbeck(Mat<double> A, Mat<double> G)
    : A_(std::move(A)), G_(std::move(G)) {
  if (A_.rows() != A_.cols() || G_.rows() != A_.rows() || A_.rows() < 1)
    throw InputError("Ornstein-Uhlenbeck: A must be d x d and G have d rows, got A " +
                     std::to_string(A_.rows()) + " x " + std::to_string(A_.cols()) + ", G " +
                     std::to_string(G_.rows()) + " x " + std::to_string(G_.cols()));
}

OrnsteinUhlenbeck::OrnsteinUhlenbeck(double theta, double sigma)
    : OrnsteinUhlenbeck(Mat<double>::Constant(1, 1, theta), Mat<double>::Constant(1, 1, sigma)) {}

void OrnsteinUhlenbeck::drift(double, CVecRef<double> x, VecRef<double> b) const {
  b.noalias() = -A_ * x;
}

void OrnsteinUhlenbeck::diffusion(double, CVecRef<double>, MatRef<double> G) const {
  G = G_;
}

double OrnsteinUhlenbeck::second_moment(double x0, double T) const {
  if (dim() != 1) throw InputError("Ornstein-Uhlenbeck second_moment is for one dimension");
  const double theta = A_(0, 0), sigma2 = (G_ * G_.transpose())(0, 0);
  const double decay = std::exp(-2 * theta * T);
  return x0 * x0 * decay + sigma2 * (1 - decay) / (2 * theta);
}

Mat<double> OrnsteinUhlenbeck::stationary_covariance() const {
  return solve_in_eigenbasis(A_, G_ * G_.transpose(), 0.0, "Ornstein-Uhlenbeck stationary law");
}

Mat<double> sgd_stationary_covariance(CMatRef<double> A, CMatRef<double> C, double lr, Index batch,
                                      bool discrete) {
  if (!(lr > 0) || batch < 1)
    throw InputError("SGD stationary covariance: need lr > 0 and batch >= 1, got lr = " +
                     std::to_string(lr) + ", batch = " + std::to_string(batch));
  return solve_in_eigenbasis(A, (lr / static_cast<double>(batch)) * C, discrete ? lr : 0.0,
                             "SGD stationary covariance");
}

Mat<double> probability_current(CMatRef<double> A, CMatRef<double> D, double temperature) {
  const Mat<double> sigma = solve_in_eigenbasis(A, 2 * temperature * D, 0.0, "probability current");
  return -A + temperature * D * sigma.inverse();
}

}  // namespace deepctl::sde
