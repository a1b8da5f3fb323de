// Conformance suite over every layer kind × activation: shapes, jvp and vjp against central
// finite differences, the adjoint identity ⟨u, J v⟩ = ⟨Jᵀu, v⟩, and float against double.
// Adding a layer kind adds one line to conformance_cases().
#include <gtest/gtest.h>

#include <functional>
#include <type_traits>

#include "deepctl/layer/activation.hpp"
#include "deepctl/layer/linear_control.hpp"
#include "deepctl/problem/network_spec.hpp"

namespace deepctl {
namespace {

struct Case {
  std::string label;
  Shape input;
  LayerSpec spec;
  // Layers a config cannot describe (fixed matrices) come from a builder instead of spec.
  std::function<Problem<double>()> build64 = {};
  std::function<Problem<float>()> build32 = {};
};

// x' = A x + B θ with fixed A (3 × 3) and B (3 × 2).
template <class S>
Problem<S> linear_control_problem() {
  Mat<S> A(3, 3), B(3, 2);
  A << 0.9, 0.2, 0.0, -0.1, 1.1, 0.3, 0.0, 0.4, 0.8;
  B << 1.0, 0.0, 0.5, -1.0, 0.0, 2.0;
  return Problem<S>({std::make_shared<LinearControl<S>>(A, B)}, make_loss<S>("squared_error"));
}

std::vector<Case> conformance_cases() {
  std::vector<Case> cases;
  for (const auto& act : Activation::names()) {
    cases.push_back({"dense_" + act, {5, 1, 1}, {.type = "dense", .width = 4, .activation = act}});
    cases.push_back(
        {"residual_" + act, {4, 1, 1}, {.type = "residual", .step = 0.3, .activation = act}});
    cases.push_back(
        {"conv2d_" + act,
         {2, 5, 4},
         {.type = "conv2d", .channels = 3, .kernel = 3, .padding = 1, .activation = act}});
  }
  cases.push_back({"dense_leaky_relu_0.2",
                   {5, 1, 1},
                   {.type = "dense", .width = 3, .activation = "leaky_relu:0.2"}});
  cases.push_back(
      {"conv2d_stride2",
       {2, 7, 6},
       {.type = "conv2d", .channels = 2, .kernel = 3, .stride = 2, .activation = "tanh"}});
  cases.push_back({"maxpool", {2, 6, 4}, {.type = "maxpool", .kernel = 2}});
  cases.push_back({"maxpool_overlap", {1, 5, 5}, {.type = "maxpool", .kernel = 3, .stride = 1}});
  cases.push_back({"avgpool", {3, 4, 6}, {.type = "avgpool", .kernel = 2}});
  cases.push_back({"flatten", {2, 3, 3}, {.type = "flatten"}});
  cases.push_back({"sum", {2, 3, 3}, {.type = "sum"}});
  cases.push_back({"residual_conv",
                   {2, 4, 4},
                   {.type = "residual", .kernel = 3, .step = 0.5, .activation = "tanh"}});
  for (const std::string act : {"tanh", "relu", "linear"})
    cases.push_back(
        {"hamiltonian_" + act, {6, 1, 1}, {.type = "hamiltonian", .step = 0.4, .activation = act}});
  for (const std::string solver : {"euler", "midpoint", "rk4", "bs3", "dopri5"})
    cases.push_back(
        {"ode_" + solver,
         {4, 1, 1},
         {.type = "ode", .activation = "tanh", .time = 0.7, .steps = 3, .solver = solver}});
  cases.push_back(
      {"ode_rk4_gelu", {3, 1, 1}, {.type = "ode", .activation = "gelu", .time = 1.5, .steps = 2}});
  cases.push_back(
      {"ode_rk4_checkpointed",
       {3, 1, 1},
       {.type = "ode", .activation = "tanh", .time = 0.9, .steps = 3, .gradient = "checkpointed"}});
  cases.push_back({"ode_dopri5_adaptive",
                   {3, 1, 1},
                   {.type = "ode",
                    .activation = "tanh",
                    .time = 1.2,
                    .solver = "dopri5",
                    .rtol = 1e-11,
                    .atol = 1e-11}});
  cases.push_back(
      {"ode_mlp_field",
       {2, 1, 1},
       {.type = "ode", .width = 5, .activation = "tanh", .time = 0.8, .steps = 3, .field = "mlp"}});
  cases.push_back({"ode_antisymmetric",
                   {4, 1, 1},
                   {.type = "ode",
                    .activation = "tanh",
                    .time = 1.0,
                    .steps = 3,
                    .field = "antisymmetric",
                    .gamma = 0.1}});
  cases.push_back({"linear_control",
                   {3, 1, 1},
                   {},
                   linear_control_problem<double>,
                   linear_control_problem<float>});
  return cases;
}

template <class S>
Problem<S> single_layer(const Case& c) {
  if constexpr (std::is_same_v<S, double>) {
    if (c.build64) return c.build64();
  } else {
    if (c.build32) return c.build32();
  }
  return build_problem<S>({c.input, {c.spec}, "squared_error", 0.0});
}

Mat<double> random_mat(Rng& rng, Index r, Index c) {
  Mat<double> m(r, c);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = rng.normal();
  return m;
}
Vec<double> random_vec(Rng& rng, Index n) {
  Vec<double> v(n);
  for (Index i = 0; i < n; ++i) v[i] = rng.normal();
  return v;
}

class LayerConformance : public ::testing::TestWithParam<Case> {
 protected:
  static constexpr Index kBatch = 3;
  void SetUp() override {
    problem_ = std::make_unique<Problem<double>>(single_layer<double>(GetParam()));
    const auto& layer = problem_->layer(0);
    Rng rng(17);
    theta_ = problem_->init_params(rng, {InitKind::Gaussian, 1.5, 0.1})[0];
    x_ = random_mat(rng, kBatch, layer.input_size());
    dx_ = random_mat(rng, kBatch, layer.input_size());
    dtheta_ = random_vec(rng, layer.num_params());
    u_ = random_mat(rng, kBatch, layer.output_size());
    data_ = layer.make_data(kBatch);
  }
  const Layer<double>& layer() const { return problem_->layer(0); }
  Mat<double> forward(const Mat<double>& x, const Vec<double>& theta) {
    Mat<double> y(kBatch, layer().output_size());
    layer().forward(*data_, x, theta, y);
    return y;
  }
  // Central difference of f along (dx, dθ), step ε.
  Mat<double> directional_difference(double eps) {
    return (forward(x_ + eps * dx_, theta_ + eps * dtheta_) -
            forward(x_ - eps * dx_, theta_ - eps * dtheta_)) /
           (2 * eps);
  }

  std::unique_ptr<Problem<double>> problem_;
  Vec<double> theta_, dtheta_;
  Mat<double> x_, dx_, u_;
  std::unique_ptr<LayerData> data_;
};

double relative_error(const Mat<double>& a, const Mat<double>& b) {
  return (a - b).norm() / std::max({a.norm(), b.norm(), 1e-12});
}

TEST_P(LayerConformance, ShapesAndParameterCount) {
  const Mat<double> y = forward(x_, theta_);
  EXPECT_EQ(y.cols(), layer().output_shape().size());
  EXPECT_EQ(theta_.size(), layer().num_params());
  EXPECT_TRUE(y.allFinite());
  EXPECT_TRUE(theta_.allFinite());
}

TEST_P(LayerConformance, JvpMatchesFiniteDifferences) {
  const Mat<double> fd = directional_difference(1e-6);
  forward(x_, theta_);
  Mat<double> jv(kBatch, layer().output_size());
  layer().jvp(*data_, x_, theta_, dx_, dtheta_, jv);
  EXPECT_LE(relative_error(jv, fd), 1e-6) << layer().describe();
}

TEST_P(LayerConformance, VjpMatchesFiniteDifferences) {
  // ⟨u, (f(x+εv) − f(x−εv))/2ε⟩ against ⟨vjp(u), v⟩ = ⟨p, dx⟩ + ⟨g, dθ⟩.
  const double fd = u_.cwiseProduct(directional_difference(1e-6)).sum();
  forward(x_, theta_);
  Mat<double> p(kBatch, layer().input_size());
  Vec<double> g(layer().num_params());
  layer().vjp(*data_, x_, theta_, u_, p, g);
  const double adj = p.cwiseProduct(dx_).sum() + g.dot(dtheta_);
  EXPECT_LE(std::abs(adj - fd), 1e-6 * std::max(1.0, std::abs(fd))) << layer().describe();
}

TEST_P(LayerConformance, AdjointIdentity) {
  forward(x_, theta_);
  Mat<double> jv(kBatch, layer().output_size());
  layer().jvp(*data_, x_, theta_, dx_, dtheta_, jv);
  Mat<double> p(kBatch, layer().input_size());
  Vec<double> g(layer().num_params());
  layer().vjp(*data_, x_, theta_, u_, p, g);
  const double lhs = u_.cwiseProduct(jv).sum();
  const double rhs = p.cwiseProduct(dx_).sum() + g.dot(dtheta_);
  EXPECT_NEAR(lhs, rhs, 1e-12 * std::max(1.0, std::abs(lhs))) << layer().describe();
}

TEST_P(LayerConformance, SkippingTheInputCostateKeepsTheParameterGradient) {
  forward(x_, theta_);
  Mat<double> p(kBatch, layer().input_size());
  Vec<double> g_full(layer().num_params()), g_skip(layer().num_params());
  layer().vjp(*data_, x_, theta_, u_, p, g_full);
  layer().vjp(*data_, x_, theta_, u_, p.topRows(0), g_skip);
  EXPECT_EQ(g_full, g_skip);
}

TEST_P(LayerConformance, SkippingTheParameterGradientKeepsTheInputCostate) {
  forward(x_, theta_);
  Mat<double> p_full(kBatch, layer().input_size()), p_skip(kBatch, layer().input_size());
  Vec<double> g(layer().num_params()), none(0);
  layer().vjp(*data_, x_, theta_, u_, p_full, g);
  layer().vjp(*data_, x_, theta_, u_, p_skip, none);
  EXPECT_EQ(p_full, p_skip);
}

TEST_P(LayerConformance, FloatAgreesWithDouble) {
  Problem<float> pf = single_layer<float>(GetParam());
  const auto& lf = pf.layer(0);
  auto df = lf.make_data(kBatch);
  const Mat<float> xf = x_.cast<float>(), uf = u_.cast<float>();
  const Vec<float> tf = theta_.cast<float>();
  Mat<float> yf(kBatch, lf.output_size()), pf_x(kBatch, lf.input_size());
  Vec<float> gf(lf.num_params());
  lf.forward(*df, xf, tf, yf);
  lf.vjp(*df, xf, tf, uf, pf_x, gf);

  const Mat<double> y = forward(x_, theta_);
  Mat<double> p(kBatch, layer().input_size());
  Vec<double> g(layer().num_params());
  layer().vjp(*data_, x_, theta_, u_, p, g);
  EXPECT_LE(relative_error(yf.cast<double>(), y), 1e-5);
  EXPECT_LE(relative_error(pf_x.cast<double>(), p), 1e-4);
  if (g.size() > 0) {
    EXPECT_LE((gf.cast<double>() - g).norm() / std::max(g.norm(), 1e-12), 1e-4);
  }
}

INSTANTIATE_TEST_SUITE_P(AllLayers, LayerConformance, ::testing::ValuesIn(conformance_cases()),
                         [](const auto& info) {
                           std::string n = info.param.label;
                           for (auto& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

// φ′ and φ″ against central differences of φ and φ′, on points away from kinks.
class ActivationDerivatives : public ::testing::TestWithParam<std::string> {};

TEST_P(ActivationDerivatives, MatchFiniteDifferences) {
  const Activation act = Activation::parse(GetParam());
  std::vector<double> a;
  for (double v = -3.05; v <= 3.0; v += 0.1) a.push_back(v);
  const Index n = static_cast<Index>(a.size());
  const double h = 1e-5;
  std::vector<double> ap(n), am(n), fp(n), fm(n), d(n), dp(n), dm(n), d2(n);
  for (Index i = 0; i < n; ++i) ap[i] = a[i] + h, am[i] = a[i] - h;
  act.value(ap.data(), fp.data(), n);
  act.value(am.data(), fm.data(), n);
  act.derivative(a.data(), d.data(), n);
  act.derivative(ap.data(), dp.data(), n);
  act.derivative(am.data(), dm.data(), n);
  act.second_derivative(a.data(), d2.data(), n);
  std::vector<double> y(n), d_fused(n);
  act.value_and_derivative(a.data(), y.data(), d_fused.data(), n);
  for (Index i = 0; i < n; ++i) {
    EXPECT_NEAR(d[i], (fp[i] - fm[i]) / (2 * h), 1e-8) << GetParam() << " at " << a[i];
    EXPECT_NEAR(d2[i], (dp[i] - dm[i]) / (2 * h), 1e-7) << GetParam() << " at " << a[i];
    EXPECT_NEAR(d_fused[i], d[i], 1e-14);
  }
}

TEST(Activation, KnownValues) {
  auto eval = [](const std::string& name, double a) {
    double y;
    Activation::parse(name).value(&a, &y, 1);
    return y;
  };
  EXPECT_DOUBLE_EQ(eval("relu", -2.0), 0.0);
  EXPECT_DOUBLE_EQ(eval("leaky_relu:0.2", -2.0), -0.4);
  EXPECT_DOUBLE_EQ(eval("hard_tanh", 3.0), 1.0);
  EXPECT_NEAR(eval("softplus", 0.0), std::log(2.0), 1e-15);
  EXPECT_NEAR(eval("softplus", 800.0), 800.0, 1e-12);  // no overflow
  EXPECT_NEAR(eval("gelu", 1.0), 0.8413447460685429, 1e-15);
  EXPECT_NEAR(eval("erf", 1.0), 0.8427007929497149, 1e-15);
  EXPECT_THROW(Activation::parse("swish"), std::exception);
  EXPECT_THROW(Activation::parse("tanh:2"), std::exception);
}

INSTANTIATE_TEST_SUITE_P(All, ActivationDerivatives, ::testing::ValuesIn(Activation::names()));

}  // namespace
}  // namespace deepctl
