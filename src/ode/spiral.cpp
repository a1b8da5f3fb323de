#include "deepctl/ode/spiral.hpp"

#include <chrono>
#include <cmath>
#include <optional>

#include "deepctl/core/error.hpp"
#include "deepctl/layer/chain.hpp"
#include "deepctl/layer/dense.hpp"
#include "deepctl/layer/linear_control.hpp"
#include "deepctl/solver/update_policy.hpp"

namespace deepctl {
namespace {

// y ↦ y³ elementwise (no parameters), the demo's input feature: f_y = diag(3y²).
class Cube final : public Layer<double> {
 public:
  std::string kind() const override { return "cube"; }
  std::string describe() const override { return "y^3"; }
  Shape input_shape() const override { return {2, 1, 1}; }
  Shape output_shape() const override { return {2, 1, 1}; }
  Index num_params() const override { return 0; }
  std::unique_ptr<LayerData> make_data(Index batch) const override {
    return std::make_unique<LayerData>(batch);
  }
  void forward(LayerData&, CMatRef<double> x, CVecRef<double>, MatRef<double> y) const override {
    y = x.array().cube().matrix();
  }
  void vjp(LayerData&, CMatRef<double> x, CVecRef<double>, CMatRef<double> p_next, MatRef<double> p,
           VecRef<double>) const override {
    if (p.rows() > 0) p = (p_next.array() * 3 * x.array().square()).matrix();
  }
  void jvp(LayerData&, CMatRef<double> x, CVecRef<double>, CMatRef<double> dx, CVecRef<double>,
           MatRef<double> dy) const override {
    dy = (3 * x.array().square() * dx.array()).matrix();
  }
  void init_params(Rng&, const Initializer&, VecRef<double>) const override {}
};

}  // namespace

Mat<double> spiral_trajectory(Index points, double t_end) {
  if (points < 2 || !(t_end > 0)) throw InputError("spiral: need points >= 2 and t_end > 0");
  Mat<double> A(2, 2);
  A << -0.1, 2.0, -2.0, -0.1;
  auto field = std::make_shared<Chain<double>>(std::vector<std::shared_ptr<const Layer<double>>>{
      std::make_shared<Cube>(),
      std::make_shared<LinearControl<double>>(A, Mat<double>::Zero(2, 1))});
  const OdeBlock<double> block(field, t_end / double(points - 1), 1, OdeSolver::DOPRI5,
                               OdeGradient::Discrete, {1e-10, 1e-10});
  auto data = block.make_data(1);
  Mat<double> y(points, 2), next(1, 2);
  y.row(0) << 2.0, 0.0;
  const Vec<double> none = Vec<double>::Zero(1);  // B = 0: the control does nothing
  for (Index i = 1; i < points; ++i) {
    block.forward(*data, y.row(i - 1), none, next);
    y.row(i) = next;
  }
  return y;
}

SpiralResult fit_spiral(const SpiralOptions& o,
                        const std::function<bool(const SpiralRecord&)>& on_record) {
  if (o.points < 3 || o.batch_time < 2 || o.batch_time >= o.points || o.batch < 1 ||
      o.iterations < 0 || o.test_every < 1 || o.hidden < 1 || o.steps < 1 || !(o.lr > 0))
    throw InputError(
        "spiral: need points >= 3, 2 <= batch_time < points, batch >= 1, iterations >= 0, "
        "test_every >= 1, hidden >= 1, steps >= 1 and lr > 0");
  SpiralResult r;
  r.times = Vec<double>::LinSpaced(o.points, 0.0, o.t_end);
  r.observed = spiral_trajectory(o.points, o.t_end);
  const double dt = o.t_end / double(o.points - 1);
  auto field = std::make_shared<Chain<double>>(std::vector<std::shared_ptr<const Layer<double>>>{
      std::make_shared<Cube>(),
      std::make_shared<Dense<double>>(2, o.hidden, Activation(ActivationKind::Tanh)),
      std::make_shared<Dense<double>>(o.hidden, 2, Activation())});
  // Three blocks of one field: the training one (whose counts are training's alone), the
  // other gradient mode for the gap between the two, and one for the tests (forward passes
  // only: the adjoint mode keeps a single step's stages).
  const OdeSolver solver = ButcherTableau::parse(o.solver);
  const OdeGradient mode = ButcherTableau::parse_gradient(o.gradient);
  const OdeBlock<double> block(field, dt, o.steps, solver, mode, {o.rtol, o.atol}),
      other(field, dt, o.steps, solver,
            mode == OdeGradient::Adjoint ? OdeGradient::Discrete : OdeGradient::Adjoint,
            {o.rtol, o.atol}),
      test_block(field, dt, o.steps, solver, OdeGradient::Adjoint, {o.rtol, o.atol});
  r.parameters = block.num_params();
  const Rng rng(o.seed);
  Params<double> theta = {Vec<double>(block.num_params())};
  {
    // The demo's initialisation: weights N(0, 0.1²), biases 0. θ = [W₁ (H × 2), b₁ (H),
    // W₂ (2 × H), b₂ (2)] (Dense layout, the cube has none).
    Rng init = rng.split(0);
    const Index H = o.hidden;
    theta[0].setZero();
    for (Index i = 0; i < 2 * H; ++i) theta[0][i] = 0.1 * init.normal();
    for (Index i = 3 * H; i < 5 * H; ++i) theta[0][i] = 0.1 * init.normal();
  }
  UpdateOptions adam;
  adam.kind = UpdateKind::Adam;
  UpdatePolicy<double> policy(adam, theta);
  Rng draw = rng.split(1);

  const Index K = o.batch_time - 1, B = o.batch;
  std::vector<Mat<double>> states(K + 1, Mat<double>(B, 2)), targets = states;
  const double weight = 1.0 / double(2 * B * o.batch_time);
  // L on the window in `targets` and ∇_θ L into grad, through K blocks of one kind.
  struct WindowGradient {
    const OdeBlock<double>& block;
    std::vector<std::unique_ptr<LayerData>> data;
    Mat<double> a, a_prev;
    Vec<double> g_part;
  };
  auto make_window = [&](const OdeBlock<double>& b) {
    WindowGradient w{b, {}, Mat<double>(B, 2), Mat<double>(B, 2), Vec<double>(b.num_params())};
    for (Index k = 0; k < K; ++k) w.data.push_back(b.make_data(B));
    return w;
  };
  WindowGradient train_window = make_window(block);
  std::optional<WindowGradient> other_window;  // allocated only to measure the gap
  if (o.measure_gap) other_window.emplace(make_window(other));
  auto window_gradient = [&](WindowGradient& w, Vec<double>& grad) {
    states[0] = targets[0];
    for (Index k = 0; k < K; ++k) w.block.forward(*w.data[k], states[k], theta[0], states[k + 1]);
    double loss = 0;
    for (Index k = 1; k <= K; ++k) loss += (states[k] - targets[k]).cwiseAbs().sum() * weight;
    // a_K = ∂L/∂ŷ_K; backward interval by interval, adding each state's running cost.
    grad.setZero();
    w.a = weight * (states[K] - targets[K]).array().sign().matrix();
    for (Index k = K; k >= 1; --k) {
      w.block.vjp(*w.data[k - 1], states[k - 1], theta[0], w.a, w.a_prev, w.g_part);
      grad += w.g_part;
      if (k > 1) w.a = w.a_prev + weight * (states[k - 1] - targets[k - 1]).array().sign().matrix();
    }
    return loss;
  };
  Params<double> grad = {Vec<double>(block.num_params())};
  Vec<double> other_grad(block.num_params());

  auto data_test = test_block.make_data(1);
  auto test = [&] {
    r.fitted.resize(o.points, 2);
    r.fitted.row(0) = r.observed.row(0);
    Mat<double> next(1, 2);
    for (Index i = 1; i < o.points; ++i) {
      test_block.forward(*data_test, r.fitted.row(i - 1), theta[0], next);
      r.fitted.row(i) = next;
    }
    return (r.fitted - r.observed).cwiseAbs().mean();
  };
  double seconds = 0;
  for (long it = 1; it <= o.iterations; ++it) {
    const auto start = std::chrono::steady_clock::now();
    for (Index b = 0; b < B; ++b) {
      const Index s = Index(draw.uniform_int(std::uint64_t(o.points - o.batch_time)));
      for (Index k = 0; k <= K; ++k) targets[k].row(b) = r.observed.row(s + k);
    }
    const double loss = window_gradient(train_window, grad[0]);
    const bool record = it % o.test_every == 0 || it == o.iterations;
    double gap = std::nan("");
    if (record && other_window) {  // the other gradient on the same window, before the update
      const auto paused = std::chrono::steady_clock::now();  // (not timed)
      window_gradient(*other_window, other_grad);
      const Vec<double>& discrete = mode == OdeGradient::Adjoint ? other_grad : grad[0];
      gap = (grad[0] - other_grad).norm() / std::max(discrete.norm(), 1e-300);
      seconds -= std::chrono::duration<double>(std::chrono::steady_clock::now() - paused).count();
    }
    policy.apply(theta, grad, o.lr);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!std::isfinite(loss) || !grad[0].allFinite()) {
      r.finite = false;
      break;
    }
    if (record) {
      r.history.push_back({it, loss, test(), seconds, gap});
      if (on_record && !on_record(r.history.back())) break;
    }
  }
  if (r.fitted.size() == 0) test();
  r.counts = block.counts();
  return r;
}

}  // namespace deepctl
