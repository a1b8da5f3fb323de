// Dynamical isometry (REFERENCE F4): free-probability moments and edges against closed forms
// for linear networks and against exact Jacobian spectra of random networks.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <Eigen/Geometry>
#include <array>
#include <cmath>

#include "deepctl/core/error.hpp"
#include "deepctl/core/quadrature.hpp"
#include "deepctl/layer/linear_control.hpp"
#include "deepctl/problem/network_spec.hpp"
#include "deepctl/spectrum/hessian.hpp"
#include "deepctl/spectrum/jacobian.hpp"
#include "deepctl/spectrum/lanczos.hpp"
#include "deepctl/spectrum/lyapunov.hpp"
#include "deepctl/spectrum/ntk.hpp"

namespace deepctl::spectrum {
namespace {

meanfield::ActivationMoments moments(const std::string& name) {
  return meanfield::ActivationMoments(Activation::parse(name));
}

TEST(FreeProbability, LinearNetworksInClosedForm) {
  for (int L : {1, 3, 10, 40}) {
    const FreeProbability g = free_probability(moments("linear"), 1.0, 1.0, L, false);
    EXPECT_NEAR(g.mean, 1.0, 1e-14);
    EXPECT_NEAR(g.variance, L, 1e-12 * L);
    EXPECT_NEAR(g.edge, std::pow(L + 1.0, L + 1) / std::pow(L, L), 1e-8 * g.edge) << L;
    const FreeProbability o = free_probability(moments("linear"), 1.0, 1.0, L, true);
    EXPECT_NEAR(o.variance, 0.0, 1e-14);
    EXPECT_NEAR(o.edge, 1.0, 1e-12);
  }
  // ReLU: D² ~ Bernoulli(1/2), μ_k = 1/2, so m_1 = (σ_w²/2)^L and at He (σ_w² = 2) the mean is 1.
  const FreeProbability relu = free_probability(moments("relu"), 2.0, 1.0, 5, true);
  EXPECT_NEAR(relu.mean, 1.0, 1e-14);
  EXPECT_NEAR(relu.variance, 5.0, 1e-12);  // L (μ_2/μ_1² − 1) = L (2 − 1): never isometric
}

// ∫ x^j ρ(x) dx over [a, b] for j = 0, 1, 2, by 16-point Gauss–Legendre panels in log x (the
// density is singular at 0 and at soft edges only integrably).
std::array<double, 3> density_moments(const meanfield::ActivationMoments& act, double sw2, double q,
                                      int L, bool orthogonal, double a, double b, int panels) {
  const QuadratureRule rule = log_panels(a, b, panels, 16);
  const Vec<double> rho = free_probability_density(
      act, sw2, q, L, orthogonal, Eigen::Map<const Vec<double>>(rule.x.data(), rule.x.size()));
  std::array<double, 3> m{0, 0, 0};
  for (std::size_t i = 0; i < rule.x.size(); ++i)
    for (int j = 0; j < 3; ++j) m[j] += rule.w[i] * rho[i] * std::pow(rule.x[i], j);
  return m;
}

TEST(FreeProbabilityDensity, OneLinearGaussianLayerIsMarchenkoPastur) {
  // J Jᵀ = W Wᵀ with variance σ_w²/N: σ_w² × Marchenko–Pastur at ratio 1.
  for (double sw2 : {1.0, 2.5}) {
    Vec<double> x(7);
    x << 1e-6, 0.01, 0.5, 1.0, 2.0, 3.9, 4.5;
    x *= sw2;
    const Vec<double> rho = free_probability_density(moments("linear"), sw2, 1.0, 1, false, x);
    for (Index i = 0; i < x.size(); ++i) {
      const double u = x[i] / sw2, mp = u < 4 ? std::sqrt(u * (4 - u)) / (2 * M_PI * u) / sw2 : 0.0;
      EXPECT_NEAR(rho[i], mp, 1e-9 * mp + 1e-12) << sw2 << " " << x[i];
    }
  }
  EXPECT_THROW(free_probability_density(moments("linear"), 1, 1, 1, false, Vec<double>::Zero(1)),
               InputError);
}

TEST(FreeProbabilityDensity, CarriesTheMomentsAndTheEdge) {
  // ∫ x ρ = m_1 and ∫ x² ρ = σ² + m_1² (the atom at 0 adds nothing), and ρ vanishes past the
  // edge: tanh off and on the critical line, ReLU (atom ½), both weight ensembles.
  struct Case {
    std::string act;
    double sw2, sb2;
    int L;
  };
  for (const Case& c : {Case{"tanh", 0, 1e-3, 8}, Case{"tanh", 1.5, 0.05, 5}, Case{"relu", 2, 0, 5},
                        Case{"erf", 0, 0.05, 12}})
    for (bool orthogonal : {false, true}) {
      const auto act = moments(c.act);
      const double sw2 = c.sw2 > 0 ? c.sw2 : meanfield::critical_point(act, c.sb2).sw2,
                   q = meanfield::analyze(act, sw2, c.sb2).q_star;
      const FreeProbability th = free_probability(act, sw2, q, c.L, orthogonal);
      const auto m = density_moments(act, sw2, q, c.L, orthogonal, 1e-14 * th.edge, th.edge, 60);
      const std::string name = c.act + (orthogonal ? " orthogonal" : " gaussian");
      // Measured: relative errors up to 4.4e-5 (m_1) and 7.4e-5 (m_2), falling as h^1.5 with the
      // panel width h (the lower soft edge sits inside a panel); 8x smaller at 240 panels.
      EXPECT_NEAR(m[1], th.mean, 6e-5 * th.mean) << name;
      EXPECT_NEAR(m[2], th.variance + th.mean * th.mean, 1e-4 * (th.variance + th.mean * th.mean))
          << name;
      Vec<double> beyond(2);
      beyond << th.edge * 1.01, th.edge * 2;
      EXPECT_LT(free_probability_density(act, sw2, q, c.L, orthogonal, beyond).maxCoeff(),
                1e-6 / th.edge)
          << name;
    }
}

struct Measured {
  double mean = 0, variance = 0, max = 0;
};

// Squared singular values of L dense φ layers of width N, input of per-unit power k.
Measured measure(const std::string& act, double sw2, double sb2, double k, int L, Index N,
                 InitKind kind, int draws) {
  std::vector<LayerSpec> layers(L, LayerSpec{.type = "dense", .width = N, .activation = act});
  const Problem<double> problem = build_problem<double>({{N, 1, 1}, layers, "squared_error", 0});
  Measured m;
  for (int d = 0; d < draws; ++d) {
    Rng rng(40 + d);
    Vec<double> x(N);
    for (Index i = 0; i < N; ++i) x[i] = std::sqrt(k) * rng.normal();
    const Vec<double> s = jacobian_squared_singular_values(
        problem, problem.init_params(Rng(7 + d), {kind, sw2, sb2}), x);
    m.mean += s.mean() / draws;
    m.variance += (s.array() - s.mean()).square().mean() / draws;
    m.max += s.maxCoeff() / draws;
  }
  return m;
}

TEST(JacobianSpectrum, OrthogonalLinearNetworkIsExactlyIsometric) {
  const Measured m = measure("linear", 1.0, 0.0, 1.0, 6, 64, InitKind::Orthogonal, 1);
  EXPECT_NEAR(m.mean, 1.0, 1e-10);
  EXPECT_NEAR(m.variance, 0.0, 1e-10);
}

TEST(JacobianSpectrum, GaussianLinearNetworkFollowsFreeProbability) {
  const int L = 4;
  const Measured m = measure("linear", 1.0, 0.0, 1.0, L, 300, InitKind::Gaussian, 3);
  const FreeProbability th = free_probability(moments("linear"), 1.0, 1.0, L, false);
  EXPECT_NEAR(m.mean, th.mean, 0.05);
  EXPECT_NEAR(m.variance, th.variance, 0.15 * th.variance);
  EXPECT_LT(m.max, th.edge * 1.02);  // finite N falls short of the N → ∞ edge
  EXPECT_GT(m.max, th.edge * 0.8);
}

TEST(JacobianSpectrum, CriticalTanhOrthogonalBeatsGaussian) {
  // On the critical line near q* → 0: m_1 = 1; orthogonal weights give a small variance,
  // Gaussian ones at least L (Pennington et al. 2017).
  const auto tanh = moments("tanh");
  const double sb2 = 1e-3;
  const meanfield::CriticalPoint cp = meanfield::critical_point(tanh, sb2);
  const double k_star = tanh.second_moment(cp.q_star);  // input power that puts layer 1 at q*
  const int L = 8;
  const FreeProbability orth = free_probability(tanh, cp.sw2, cp.q_star, L, true);
  const FreeProbability gauss = free_probability(tanh, cp.sw2, cp.q_star, L, false);
  EXPECT_NEAR(orth.mean, 1.0, 1e-9);
  EXPECT_NEAR(gauss.mean, 1.0, 1e-9);
  EXPECT_GT(gauss.variance, L - 0.01);
  EXPECT_LT(orth.variance, gauss.variance / 10);
  // Monte Carlo, statistically: Gaussian spectra are heavy-tailed, so wider bands there.
  const Measured mo = measure("tanh", cp.sw2, sb2, k_star, L, 400, InitKind::Orthogonal, 3);
  EXPECT_NEAR(mo.mean, orth.mean, 0.05);
  EXPECT_NEAR(mo.variance, orth.variance, 0.2 * orth.variance);
  const Measured mg = measure("tanh", cp.sw2, sb2, k_star, L, 400, InitKind::Gaussian, 3);
  EXPECT_NEAR(mg.mean, gauss.mean, 0.1);
  EXPECT_NEAR(mg.variance, gauss.variance, 0.3 * gauss.variance);
}

TEST(JacobianSpectrum, HistogramsFollowTheFreeProbabilityDensity) {
  // Exact spectra of width-400 networks (3 draws, critical initialisation) binned in log λ
  // against the predicted mass ∫_bin ρ (16-point Gauss–Legendre in log x per bin); the bin below
  // the range takes the rest, atom included.
  struct Case {
    std::string act;
    double sb2;
    int L;
    InitKind kind;
  };
  for (const Case& c :
       {Case{"tanh", 1e-3, 8, InitKind::Gaussian}, Case{"tanh", 1e-3, 8, InitKind::Orthogonal},
        Case{"relu", 0.0, 4, InitKind::Gaussian}}) {
    const auto act = moments(c.act);
    const double sw2 = meanfield::critical_point(act, c.sb2).sw2;
    const double q = meanfield::analyze(act, sw2, c.sb2).q_star;
    const bool orthogonal = c.kind == InitKind::Orthogonal;
    const FreeProbability th = free_probability(act, sw2, q, c.L, orthogonal);
    const int bins = 12;
    const double lo = std::log(th.edge * 1e-3), width = (std::log(th.edge * 1.2) - lo) / bins;
    const QuadratureRule rule = log_panels(std::exp(lo), th.edge * 1.2, bins, 16);
    const Vec<double> rho = free_probability_density(
        act, sw2, q, c.L, orthogonal, Eigen::Map<const Vec<double>>(rule.x.data(), rule.x.size()));
    Vec<double> predicted = Vec<double>::Zero(bins + 1), measured = Vec<double>::Zero(bins + 1);
    for (std::size_t i = 0; i < rule.x.size(); ++i) predicted[1 + i / 16] += rule.w[i] * rho[i];
    predicted[0] = 1 - predicted.sum();
    const int N = 400, draws = 3;
    std::vector<LayerSpec> layers(c.L, LayerSpec{.type = "dense", .width = N, .activation = c.act});
    const Problem<double> problem = build_problem<double>({{N, 1, 1}, layers, "squared_error", 0});
    const double k = (q - c.sb2) / sw2;
    for (int d = 0; d < draws; ++d) {
      Rng rng(60 + d);
      Vec<double> in(N);
      for (Index i = 0; i < N; ++i) in[i] = std::sqrt(k) * rng.normal();
      const Vec<double> s = jacobian_squared_singular_values(
          problem, problem.init_params(Rng(70 + d), {c.kind, sw2, c.sb2}), in);
      for (double v : s) {
        const double u = v > 0 ? (std::log(v) - lo) / width : -1;
        measured[u < 0 ? 0 : std::min<Index>(bins, 1 + static_cast<Index>(u))] += 1.0 / (N * draws);
      }
    }
    // Measured total variation: 0.005 (tanh Gaussian), 0.020 (tanh orthogonal: a narrow
    // spectrum whose finite-N edges blur), 0.010 (ReLU, atom ½ at 0).
    EXPECT_LT(0.5 * (measured - predicted).cwiseAbs().sum(), 0.03) << c.act << " " << orthogonal;
  }
}

TEST(JacobianSpectrum, MatrixFreeAgreesWithTheExactSpectrumAndScalesToWideNetworks) {
  // JᵀJ through a tangent and a costate pass: on a width-128 Gaussian tanh net its Lanczos top
  // values match the exact eigenvalues, and the stochastic quadrature's moments the exact ones
  // within their sampling error. At width 1000 — J never formed — the moments follow free
  // probability on the critical line.
  const auto tanh = moments("tanh");
  const double sb2 = 1e-3;
  const meanfield::CriticalPoint cp = meanfield::critical_point(tanh, sb2);
  const double k_star = tanh.second_moment(cp.q_star);
  const int L = 6;
  auto network = [&](Index N) {
    std::vector<LayerSpec> layers(L, LayerSpec{.type = "dense", .width = N, .activation = "tanh"});
    return build_problem<double>({{N, 1, 1}, layers, "squared_error", 0});
  };
  auto input = [&](Index N) {
    Rng rng(3);
    Vec<double> x(N);
    for (Index i = 0; i < N; ++i) x[i] = std::sqrt(k_star) * rng.normal();
    return x;
  };
  const Problem<double> small = network(128);
  const Params<double> theta = small.init_params(Rng(5), {InitKind::Gaussian, cp.sw2, sb2});
  const Vec<double> exact = jacobian_squared_singular_values(small, theta, input(128));
  const MatrixFreeSpectrum free =
      jacobian_spectrum_matrix_free(small, theta, input(128), 3, 128, 40, 11);
  for (Index i = 0; i < 3; ++i) EXPECT_NEAR(free.top[i], exact[127 - i], 1e-8 * exact[127]) << i;
  // The quadrature averages vᵀf(A)v/n over Rademacher probes: unbiased, with standard error
  // √(2 Σλ²/n² / probes) for the mean (measured 0.691 against 0.646, 1.3 of those).
  const double exact_variance = (exact.array() - exact.mean()).square().mean();
  const double error = std::sqrt(2 * exact.squaredNorm() / (128.0 * 128.0) / 40);
  EXPECT_NEAR(free.mean, exact.mean(), 4 * error);
  EXPECT_NEAR(free.variance, exact_variance, 0.3 * exact_variance);  // measured 3.17 vs 2.78

  const Problem<double> wide = network(1000);
  const MatrixFreeSpectrum w = jacobian_spectrum_matrix_free(
      wide, wide.init_params(Rng(6), {InitKind::Gaussian, cp.sw2, sb2}), input(1000), 1, 40, 10,
      12);
  const FreeProbability th = free_probability(tanh, cp.sw2, cp.q_star, L, false);
  // Measured: mean 0.935, variance 5.46 (theory 1 and 6.26), top 16.5 below the edge 18.4.
  const double wide_error = std::sqrt(2 * (th.variance + 1) / 1000.0 / 10);
  EXPECT_NEAR(w.mean, th.mean, 4 * wide_error);
  EXPECT_NEAR(w.variance, th.variance, 0.3 * th.variance);
  EXPECT_LT(w.top[0], th.edge * 1.05);
  EXPECT_GT(w.top[0], th.edge * 0.7);
}

}  // namespace
}  // namespace deepctl::spectrum

namespace deepctl::spectrum {
namespace {

TEST(Lyapunov, LinearMapsGiveTheLogsOfTheirSingularValueGrowth) {
  // 60 layers x' = A x with A = U diag(2, 0.5, 1.2) Uᵀ: exponents log 2, log 1.2, log 0.5.
  Eigen::Matrix3d U =
      Eigen::Matrix3d(Eigen::AngleAxisd(0.7, Eigen::Vector3d(1, 2, 3).normalized()));
  const Eigen::Matrix3d A = U * Eigen::Vector3d(2.0, 0.5, 1.2).asDiagonal() * U.transpose();
  std::vector<std::shared_ptr<const Layer<double>>> layers;
  for (int t = 0; t < 60; ++t)
    layers.push_back(std::make_shared<LinearControl<double>>(A, Mat<double>::Zero(3, 1)));
  const Problem<double> problem(std::move(layers), make_loss<double>("squared_error"));
  Rng rng(3);
  const LyapunovResult r =
      lyapunov_exponents(problem, problem.zero_params(), Vec<double>::Ones(3), 3, rng);
  EXPECT_NEAR(r.exponents[0], std::log(2.0), 2e-2);
  EXPECT_NEAR(r.exponents[1], std::log(1.2), 2e-2);
  EXPECT_NEAR(r.exponents[2], std::log(0.5), 2e-2);
  // The sum is exact at any depth: Σ_i λ_i = log |det A|.
  EXPECT_NEAR(r.exponents.sum(), std::log(2.0 * 0.5 * 1.2), 1e-12);
}

TEST(Lyapunov, TanhNetworksOrderedAndChaotic) {
  // Wide tanh nets: the top exponent is negative in the ordered phase and positive in the
  // chaotic one, as χ_1 says (λ_1 ≈ ½ log χ_1 at large width).
  for (double sw2 : {0.6, 4.0}) {
    std::vector<LayerSpec> layers(20,
                                  LayerSpec{.type = "dense", .width = 300, .activation = "tanh"});
    const Problem<double> problem =
        build_problem<double>({{300, 1, 1}, layers, "squared_error", 0});
    const auto theta = problem.init_params(Rng(5), {InitKind::Gaussian, sw2, 0.05});
    Rng rng(6);
    Vec<double> x(300);
    for (Index i = 0; i < 300; ++i) x[i] = rng.normal();
    const LyapunovResult r = lyapunov_exponents(problem, theta, x, 4, rng);
    const meanfield::Analysis a = meanfield::analyze(moments("tanh"), sw2, 0.05);
    EXPECT_EQ(r.exponents[0] > 0, a.chi1 > 1) << sw2;
    EXPECT_NEAR(r.exponents[0], 0.5 * std::log(a.chi1), 0.1) << sw2;
  }
}

// Curvature (issue #6): Hessian and Gauss–Newton products against closed forms and finite
// differences of J itself, and the Lanczos spectra against dense eigendecompositions.
struct CurvatureToy {
  Problem<double> problem;
  Mat<double> X, Y;
  Params<double> theta;
  CurvatureToy(std::vector<LayerSpec> layers, const std::string& loss, double l2)
      : problem(build_problem<double>({{3, 1, 1}, std::move(layers), loss, l2})) {
    Rng rng(8);
    X.resize(20, 3);
    Y = Mat<double>::Zero(20, 3);
    for (Index i = 0; i < X.size(); ++i) X.data()[i] = rng.normal();
    for (Index i = 0; i < 20; ++i) Y(i, static_cast<Index>(rng.uniform_int(3))) = 1;
    theta = problem.init_params(Rng(3), {InitKind::Gaussian, 1.5, 0.1});
  }
  double objective(CVecRef<double> flat) const {
    Params<double> shifted = theta;
    unflatten<double>(flat, shifted);
    Workspace<double> ws = problem.make_workspace(X.rows());
    return problem.rollout(ws, X, Y, shifted);
  }
  Mat<double> outputs(CVecRef<double> flat) const {
    Params<double> shifted = theta;
    unflatten<double>(flat, shifted);
    Workspace<double> ws = problem.make_workspace(X.rows());
    problem.rollout(ws, X, Y, shifted);
    return ws.output();
  }
};

const std::vector<LayerSpec> kTanhNet = {{.type = "dense", .width = 5, .activation = "tanh"},
                                         {.type = "dense", .width = 3, .activation = "linear"}};

TEST(Curvature, HessianOfLinearLeastSquaresIsItsGaussNewtonMatrix) {
  // One linear layer, squared error: J is quadratic in θ, so vᵀHv = J(θ+v) − 2J(θ) + J(θ−v)
  // exactly, and H = G.
  CurvatureToy toy({{.type = "dense", .width = 3, .activation = "linear"}}, "squared_error", 0.05);
  Curvature curvature(toy.problem, toy.theta, toy.X, toy.Y, 1);
  const Mat<double> H = Curvature::dense(curvature.hessian_operator(), curvature.dim());
  const Mat<double> G = Curvature::dense(curvature.gauss_newton_operator(), curvature.dim());
  EXPECT_LT((H - G).norm(), 1e-7 * G.norm());
  const Vec<double> theta = flatten(toy.theta);
  Rng rng(1);
  Vec<double> v(curvature.dim());
  for (Index i = 0; i < v.size(); ++i) v[i] = rng.normal();
  const double second_difference =
      toy.objective(theta + v) - 2 * toy.objective(theta) + toy.objective(theta - v);
  EXPECT_NEAR(v.dot(G * v), second_difference, 1e-10 * second_difference);
}

TEST(Curvature, HessianAndGaussNewtonOfATanhNetAgainstFiniteDifferences) {
  CurvatureToy toy(kTanhNet, "cross_entropy", 0.01);
  Curvature curvature(toy.problem, toy.theta, toy.X, toy.Y, 2);
  const Mat<double> H = Curvature::dense(curvature.hessian_operator(), curvature.dim());
  EXPECT_LT((H - H.transpose()).norm(), 1e-7 * H.norm());
  const Vec<double> theta = flatten(toy.theta);
  Rng rng(2);
  Vec<double> v(curvature.dim()), Gv(curvature.dim());
  for (Index i = 0; i < v.size(); ++i) v[i] = rng.normal();
  v /= v.norm();
  const double h = 1e-3;
  const double second_difference =
      (toy.objective(theta + h * v) - 2 * toy.objective(theta) + toy.objective(theta - h * v)) /
      (h * h);
  EXPECT_NEAR(v.dot(H * v), second_difference, 1e-5 * std::abs(second_difference) + 1e-9);
  // vᵀGv = (1/B) Σ_s (J_s v)ᵀ ∇²Φ_s (J_s v) + λ‖v‖², J_s v from output differences.
  const Mat<double> Jv = (toy.outputs(theta + h * v) - toy.outputs(theta - h * v)) / (2 * h);
  const Mat<double> Z = toy.outputs(theta);
  double expected = 0.01;
  Mat<double> block(3, 3);
  for (Index s = 0; s < 20; ++s) {
    toy.problem.loss().gauss_newton(Z.row(s).transpose(), toy.Y.row(s).transpose(), block);
    expected += Jv.row(s).dot(block * Jv.row(s).transpose()) / 20;
  }
  curvature.gauss_newton_vector(v, Gv);
  EXPECT_NEAR(v.dot(Gv), expected, 1e-6 * expected);
  const Mat<double> G = Curvature::dense(curvature.gauss_newton_operator(), curvature.dim());
  EXPECT_GT(Eigen::SelfAdjointEigenSolver<Mat<double>>(G).eigenvalues().minCoeff(), 0.0);
}

TEST(Lanczos, TopEigenvaluesAndDensityAgainstTheDenseEigendecomposition) {
  CurvatureToy toy(kTanhNet, "cross_entropy", 0.0);
  Curvature curvature(toy.problem, toy.theta, toy.X, toy.Y, 1);
  const Mat<double> H = Curvature::dense(curvature.hessian_operator(), curvature.dim());
  const Mat<double> symmetric = 0.5 * (H + H.transpose());
  const Vec<double> exact =
      Eigen::SelfAdjointEigenSolver<Mat<double>>(symmetric).eigenvalues().reverse();
  const SymmetricOperator A = [&](CVecRef<double> v, VecRef<double> out) { out = symmetric * v; };
  const Vec<double> top = top_eigenvalues(A, curvature.dim(), 5, 40, 9);
  for (Index k = 0; k < 5; ++k) EXPECT_NEAR(top[k], exact[k], 1e-8 * exact[0]) << k;
  // Matrix-free through the operator itself.
  const Vec<double> top_free =
      top_eigenvalues(curvature.hessian_operator(), curvature.dim(), 3, 40, 9);
  for (Index k = 0; k < 3; ++k) EXPECT_NEAR(top_free[k], exact[k], 1e-6 * exact[0]) << k;
  // Stochastic Lanczos quadrature: a probability measure whose mean estimates tr(H)/d.
  const SpectralDensity density = spectral_density(A, curvature.dim(), 30, 20, 4);
  EXPECT_NEAR(density.weights.sum(), 1.0, 1e-12);
  const double mean = density.weights.dot(density.nodes);
  const double trace = symmetric.trace() / static_cast<double>(curvature.dim());
  const double spread = std::sqrt((symmetric * symmetric).trace() / curvature.dim());
  EXPECT_NEAR(mean, trace, 3 * spread * std::sqrt(2.0 / (20 * curvature.dim())));
}

TEST(Lanczos, HutchinsonTraceIsExactForDiagonalMatrices) {
  const Vec<double> d = Vec<double>::LinSpaced(50, -1.0, 4.0);
  const SymmetricOperator diagonal = [&](CVecRef<double> v, VecRef<double> out) {
    out = d.cwiseProduct(v);
  };
  const TraceEstimate estimate = hutchinson_trace(diagonal, 50, 10, 1);
  EXPECT_NEAR(estimate.trace, d.sum(), 1e-12);
  EXPECT_NEAR(estimate.standard_error, 0.0, 1e-12);
  EXPECT_THROW(hutchinson_trace(diagonal, 50, 0, 1), InputError);
}

// Neural tangent kernel (REFERENCE F14).
struct WideTwoLayer {
  Problem<double> problem;
  Mat<double> X, Y;
  Params<double> theta;
  explicit WideTwoLayer(Index width, Index n = 20)
      : problem(build_problem<double>({{5, 1, 1},
                                       {{.type = "dense", .width = width, .activation = "relu"},
                                        {.type = "dense", .width = 1, .activation = "linear"}},
                                       "squared_error",
                                       0})) {
    Rng rng(21);
    X.resize(n, 5);
    Y.resize(n, 1);
    for (Index i = 0; i < n; ++i) {
      for (Index j = 0; j < 5; ++j) X(i, j) = rng.normal();
      X.row(i).normalize();
      Y(i, 0) = rng.uniform() < 0.5 ? -1.0 : 1.0;
    }
    theta = problem.init_params(Rng(5), {InitKind::Gaussian, 2.0, 0.0});
    theta[1] *= std::sqrt(0.5);  // output weights of variance 1/m
  }
};

TEST(Ntk, OutputJacobianAgainstFiniteDifferences) {
  const CurvatureToy toy(kTanhNet, "cross_entropy", 0.0);
  const Mat<double> J = output_jacobian(toy.problem, toy.theta, toy.X);
  ASSERT_EQ(J.rows(), 20 * 3);
  Rng rng(3);
  Vec<double> v(J.cols());
  for (Index i = 0; i < v.size(); ++i) v[i] = rng.normal();
  const Vec<double> theta = flatten(toy.theta);
  const double h = 1e-5;
  const Mat<double> difference =
      (toy.outputs(theta + h * v) - toy.outputs(theta - h * v)) / (2 * h);
  const Vec<double> Jv = J * v;
  EXPECT_LT((Jv - Eigen::Map<const Vec<double>>(difference.data(), 60)).norm(), 1e-7 * Jv.norm());
}

TEST(Ntk, ReluGramMatrixInClosedFormAgainstMonteCarloAndAWideNetwork) {
  const WideTwoLayer net(8000, 6);
  const Mat<double> H = relu_gram_infinite(net.X);
  // Monte Carlo over w ~ N(0, I).
  Rng rng(4);
  Mat<double> mc = Mat<double>::Zero(6, 6);
  const int draws = 200000;
  Vec<double> w(5);
  for (int d = 0; d < draws; ++d) {
    for (Index j = 0; j < 5; ++j) w[j] = rng.normal();
    const Vec<double> active = ((net.X * w).array() >= 0).cast<double>();
    mc += (active * active.transpose()).cwiseProduct(net.X * net.X.transpose()) / draws;
  }
  EXPECT_LT((mc - H).cwiseAbs().maxCoeff(), 4 * 0.5 / std::sqrt(double(draws)));
  // The first-layer weight block of a width-8000 network's empirical kernel concentrates on H∞.
  const Mat<double> J = output_jacobian(net.problem, net.theta, net.X);
  const Mat<double> Jw = J.leftCols(8000 * 5);
  EXPECT_LT((Jw * Jw.transpose() - H).cwiseAbs().maxCoeff(), 0.03);
  Mat<double> unnormalised = net.X;
  unnormalised(0, 0) += 1;
  EXPECT_THROW(relu_gram_infinite(unnormalised), InputError);
}

TEST(Ntk, KernelDynamicsPredictTheTrainingOfAWideNetAndLessSoOfANarrowOne) {
  double deviation[2], change[2];
  const Index widths[2] = {100, 4000};
  for (int w = 0; w < 2; ++w) {
    const WideTwoLayer net(widths[w]);
    const double lambda_max =
        empirical_ntk(net.problem, net.theta, net.X).eigenvalues().real().maxCoeff();
    const LinearizedTraining run =
        compare_linearized_training(net.problem, net.theta, net.X, net.Y, 20 / lambda_max, 60);
    EXPECT_NEAR(run.largest_eigenvalue, lambda_max, 1e-9 * lambda_max);
    EXPECT_GT(run.smallest_eigenvalue, 0.0);
    deviation[w] = 0;
    for (std::size_t k = 0; k < run.actual.size(); ++k)
      deviation[w] =
          std::max(deviation[w], std::abs(run.actual[k] - run.predicted[k]) / run.actual[0]);
    change[w] = run.kernel_change;
    EXPECT_LT(run.actual.back(), 0.5 * run.actual.front());  // it trains
  }
  // Measured: deviation 1e−5 (width 4000) against 1e−2 (width 100); kernel change 5e−5 vs 0.08.
  EXPECT_LT(deviation[1], 1e-3);
  EXPECT_GT(deviation[0], 10 * deviation[1]);
  EXPECT_LT(change[1], 1e-3);
  EXPECT_GT(change[0], 2 * change[1]);  // the kernel moves less as the width grows
}

}  // namespace
}  // namespace deepctl::spectrum
