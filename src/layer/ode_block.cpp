#include "deepctl/layer/ode_block.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

// Per slot (step n, stage i): the stage input y_{n,i}, its slope k_{n,i} and g's data there.
template <class S>
struct OdeData : LayerData {
  OdeData(Index batch, Index width) : LayerData(batch), width(width) {}
  Index width;
  std::vector<Mat<S>> stage_in, slope, kappa, nu;
  std::vector<Vec<S>> g_stage;  // adjoint: g_θᵀp of each stage
  std::vector<std::unique_ptr<LayerData>> g_data;
  std::vector<double> steps;   // the accepted step sizes of the last forward pass
  std::vector<Mat<S>> starts;  // checkpointed: the state at the start of each accepted step
  Mat<S> x, p, x_new, p_new;   // running state (forward) or costate (vjp) and the trial step's
  Mat<S> x_end;                // adjoint: x(T) of the last forward pass, where each vjp starts
  Vec<S> g_part, g_new;
};

// Checkpointed mode: the state d.x at the start of accepted step n.
template <class S>
void keep_start(OdeData<S>& d, Index n) {
  if (Index(d.starts.size()) <= n) d.starts.emplace_back();
  d.starts[n] = d.x;
}

template <class S>
void ensure_slots(OdeData<S>& d, Index count, const Layer<S>& g) {
  while (Index(d.g_data.size()) < count) {
    for (auto* v : {&d.stage_in, &d.slope, &d.kappa, &d.nu}) v->emplace_back(d.batch, d.width);
    d.g_data.push_back(g.make_data(d.batch));
  }
}

// RMS of e / (atol + rtol·max(|a|, |b|)) over all entries.
template <class S>
double error_norm(const Mat<S>& e, const Mat<S>& a, const Mat<S>& b, const OdeTolerance& tol) {
  const auto scale =
      (a.array().abs().max(b.array().abs()).template cast<double>() * tol.rtol + tol.atol);
  return std::sqrt((e.array().template cast<double>() / scale).square().mean());
}

std::string format_number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

double step_factor(double err, int error_order) {
  if (err == 0) return 10.0;
  return std::clamp(0.9 * std::pow(err, -1.0 / (error_order + 1)), 0.2, 10.0);
}

}  // namespace

ButcherTableau ButcherTableau::of(OdeSolver solver) {
  switch (solver) {
    case OdeSolver::Euler:
      return {{{}}, {1.0}, {}, 1, 0, 1};
    case OdeSolver::Midpoint:
      return {{{}, {0.5}}, {0.0, 1.0}, {}, 2, 0, 2};
    case OdeSolver::RK4:
      return {{{}, {0.5}, {0.0, 0.5}, {0.0, 0.0, 1.0}},
              {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6},
              {},
              4,
              0,
              4};
    case OdeSolver::BS3: {
      const std::vector<double> b = {2.0 / 9, 1.0 / 3, 4.0 / 9, 0.0},
                                b_hat = {7.0 / 24, 1.0 / 4, 1.0 / 3, 1.0 / 8};
      ButcherTableau t{{{}, {0.5}, {0.0, 0.75}, {2.0 / 9, 1.0 / 3, 4.0 / 9}}, b, {}, 3, 2, 3};
      for (std::size_t i = 0; i < b.size(); ++i) t.b_error.push_back(b[i] - b_hat[i]);
      return t;
    }
    case OdeSolver::DOPRI5: {
      const std::vector<double> b = {35.0 / 384,     0.0,       500.0 / 1113, 125.0 / 192,
                                     -2187.0 / 6784, 11.0 / 84, 0.0},
                                b_hat = {
                                    5179.0 / 57600,    0.0,          7571.0 / 16695, 393.0 / 640,
                                    -92097.0 / 339200, 187.0 / 2100, 1.0 / 40};
      ButcherTableau t{{{},
                        {1.0 / 5},
                        {3.0 / 40, 9.0 / 40},
                        {44.0 / 45, -56.0 / 15, 32.0 / 9},
                        {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
                        {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
                        {35.0 / 384, 0.0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}},
                       b,
                       {},
                       5,
                       4,
                       6};
      for (std::size_t i = 0; i < b.size(); ++i) t.b_error.push_back(b[i] - b_hat[i]);
      return t;
    }
  }
  return {};
}

OdeSolver ButcherTableau::parse(const std::string& text) {
  for (OdeSolver s :
       {OdeSolver::Euler, OdeSolver::Midpoint, OdeSolver::RK4, OdeSolver::BS3, OdeSolver::DOPRI5})
    if (name(s) == text) return s;
  throw InputError("unknown ODE solver '" + text +
                   "'; expected euler, midpoint, rk4, bs3 or dopri5");
}

OdeGradient ButcherTableau::parse_gradient(const std::string& text) {
  if (text == "discrete") return OdeGradient::Discrete;
  if (text == "checkpointed") return OdeGradient::Checkpointed;
  if (text == "adjoint") return OdeGradient::Adjoint;
  throw InputError("unknown ODE gradient '" + text +
                   "'; expected discrete, checkpointed or adjoint");
}

std::string ButcherTableau::name(OdeSolver solver) {
  switch (solver) {
    case OdeSolver::Euler:
      return "euler";
    case OdeSolver::Midpoint:
      return "midpoint";
    case OdeSolver::RK4:
      return "rk4";
    case OdeSolver::BS3:
      return "bs3";
    case OdeSolver::DOPRI5:
      return "dopri5";
  }
  return "?";
}

template <class S>
OdeBlock<S>::OdeBlock(std::shared_ptr<const Layer<S>> vector_field, double time, Index steps,
                      OdeSolver solver, OdeGradient gradient, OdeTolerance tolerance)
    : g_(std::move(vector_field)),
      time_(time),
      steps_(steps),
      solver_(solver),
      gradient_(gradient),
      tolerance_(tolerance),
      tableau_(ButcherTableau::of(solver)) {
  if (g_->input_size() != g_->output_size())
    throw InputError("ode: the vector field " + g_->describe() + " must keep the width");
  if (!(time > 0)) throw InputError("ode: time must be positive, got " + std::to_string(time));
  if (steps < 1) throw InputError("ode: steps must be at least 1, got " + std::to_string(steps));
  if (!(tolerance.rtol >= 0) || !(tolerance.atol >= 0) || tolerance.max_steps < 1)
    throw InputError("ode: rtol and atol must be >= 0 and max_steps >= 1");
  if (tolerance.adaptive() && !(tolerance.atol > 0))
    throw InputError(
        "ode: adaptive steps need atol > 0 (the error scale atol + rtol·|x| must "
        "not vanish where x does)");
  if (tolerance.adaptive() && tableau_.b_error.empty())
    throw InputError("ode: adaptive steps (rtol, atol) need an embedded pair: bs3 or dopri5, not " +
                     ButcherTableau::name(solver));
}

template <class S>
Index OdeBlock<S>::slot(Index n, Index i) const {
  return gradient_ == OdeGradient::Discrete ? n * Index(tableau_.b.size()) + i : i;
}

template <class S>
std::string OdeBlock<S>::describe() const {
  const std::string steps =
      tolerance_.adaptive()
          ? "adaptive " + ButcherTableau::name(solver_) + " steps, rtol " +
                format_number(tolerance_.rtol) + " atol " + format_number(tolerance_.atol)
          : std::to_string(steps_) + " " + ButcherTableau::name(solver_) + " steps";
  return "ode(" + g_->describe() + ", T " + std::to_string(time_) + ", " + steps +
         (gradient_ == OdeGradient::Adjoint        ? ", continuous adjoint"
          : gradient_ == OdeGradient::Checkpointed ? ", checkpointed"
                                                   : "") +
         ")";
}

template <class S>
OdeCounts OdeBlock<S>::counts() const {
  return {forward_passes_.load(), forward_evaluations_.load(), rejected_steps_.load(),
          backward_passes_.load(), backward_evaluations_.load()};
}

template <class S>
Index OdeBlock<S>::steps_taken(const LayerData& data) {
  return Index(static_cast<const OdeData<S>&>(data).steps.size());
}

template <class S>
std::unique_ptr<LayerData> OdeBlock<S>::make_data(Index batch) const {
  const Index stages = Index(tableau_.b.size());
  auto d = std::make_unique<OdeData<S>>(batch, g_->input_size());
  ensure_slots(
      *d, gradient_ == OdeGradient::Discrete && !tolerance_.adaptive() ? steps_ * stages : stages,
      *g_);
  d->x.resize(batch, d->width);
  d->p.resize(batch, d->width);
  d->g_part.resize(num_params());
  d->g_new.resize(num_params());
  d->g_stage.assign(std::size_t(stages), Vec<S>(num_params()));
  return d;
}

template <class S>
double OdeBlock<S>::initial_step(LayerData& data, CVecRef<S> theta) const {
  // Hairer, Nørsett & Wanner I.II.4: f0 = g(x0) goes to stage 0 of step 0 (reused), the trial
  // evaluation at x0 + h0 f0 to stage 1's slot.
  auto& d = static_cast<OdeData<S>&>(data);
  const Index k0 = slot(0, 0), k1 = slot(0, 1);
  g_->forward(*d.g_data[k0], d.x, theta, d.slope[k0]);
  d.stage_in[k0] = d.x;
  const Mat<S> zero = Mat<S>::Zero(d.x.rows(), d.x.cols());
  const double d0 = error_norm<S>(d.x, d.x, zero, tolerance_),
               d1 = error_norm<S>(d.slope[k0], d.x, zero, tolerance_);
  double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
  h0 = std::min(h0, time_);
  d.stage_in[k1] = d.x + S(h0) * d.slope[k0];
  g_->forward(*d.g_data[k1], d.stage_in[k1], theta, d.slope[k1]);
  forward_evaluations_ += 2;
  const double d2 = error_norm<S>(d.slope[k1] - d.slope[k0], d.x, zero, tolerance_) / h0;
  const double largest = std::max(d1, d2);
  const double h1 = largest <= 1e-15 ? std::max(1e-6, h0 * 1e-3)
                                     : std::pow(0.01 / largest, 1.0 / (tableau_.order + 1));
  return std::min({100 * h0, h1, time_});
}

template <class S>
void OdeBlock<S>::evaluate_stages(LayerData& data, Index n, double h, CVecRef<S> theta, Index first,
                                  Index stages) const {
  auto& d = static_cast<OdeData<S>&>(data);
  const S hs = S(h);
  for (Index i = first; i < stages; ++i) {
    const Index e = slot(n, i);
    d.stage_in[e] = d.x;
    for (Index j = 0; j < i; ++j)
      if (tableau_.a[i][j] != 0) d.stage_in[e] += hs * S(tableau_.a[i][j]) * d.slope[slot(n, j)];
    g_->forward(*d.g_data[e], d.stage_in[e], theta, d.slope[e]);
  }
}

template <class S>
double OdeBlock<S>::attempt(LayerData& data, Index n, double h, CVecRef<S> theta,
                            Index first) const {
  auto& d = static_cast<OdeData<S>&>(data);
  const Index stages =
      tolerance_.adaptive() ? Index(tableau_.b.size()) : Index(tableau_.solution_stages);
  const S hs = S(h);
  evaluate_stages(data, n, h, theta, first, stages);
  forward_evaluations_ += stages - first;
  d.x_new = d.x;
  for (Index i = 0; i < tableau_.solution_stages; ++i)
    if (tableau_.b[i] != 0) d.x_new += hs * S(tableau_.b[i]) * d.slope[slot(n, i)];
  if (!tolerance_.adaptive()) return 0;
  d.p_new.setZero(d.x.rows(), d.x.cols());
  for (Index i = 0; i < stages; ++i)
    if (tableau_.b_error[i] != 0) d.p_new += hs * S(tableau_.b_error[i]) * d.slope[slot(n, i)];
  return error_norm<S>(d.p_new, d.x, d.x_new, tolerance_);
}

template <class S>
void OdeBlock<S>::forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const {
  check_batch(describe(), data, x.rows());
  auto& d = static_cast<OdeData<S>&>(data);
  d.x = x;
  d.steps.clear();
  ++forward_passes_;
  // Step n of size h, attempted into d.x_new, becomes the state.
  auto accept = [&](Index n, double h) {
    if (gradient_ == OdeGradient::Checkpointed) keep_start(d, n);
    d.x.swap(d.x_new);
    d.steps.push_back(h);
  };
  if (!tolerance_.adaptive()) {
    const double h = time_ / double(steps_);
    for (Index n = 0; n < steps_; ++n) {
      attempt(data, n, h, theta, 0);
      accept(n, h);
    }
  } else {
    const Index last = Index(tableau_.b.size()) - 1;
    double t = 0, h = initial_step(data, theta);
    for (Index attempts = 1; t < time_ * (1 - 1e-12); ++attempts) {
      if (attempts > tolerance_.max_steps) {  // stiff or diverging: a NaN state, not a hang
        d.x.setConstant(std::numeric_limits<S>::quiet_NaN());
        break;
      }
      h = std::min(h, time_ - t);
      const Index n = Index(d.steps.size());
      ensure_slots(d, slot(n, last) + 1, *g_);
      // Stage 0 is g at the step's start: from the initial estimate, the previous step's last
      // stage (FSAL) or a rejected attempt of this step.
      const double err = attempt(data, n, h, theta, 1);
      if (err <= 1 || !std::isfinite(err)) {
        accept(n, h);
        t += h;
        // FSAL: g at the new state becomes the next step's stage 0 (its slot keeps the records).
        const Index from = slot(n, last), to = slot(n + 1, 0);
        ensure_slots(d, to + 1, *g_);
        std::swap(d.stage_in[from], d.stage_in[to]);
        std::swap(d.slope[from], d.slope[to]);
        std::swap(d.g_data[from], d.g_data[to]);
        if (!std::isfinite(err)) break;
      } else {
        ++rejected_steps_;
      }
      h *= step_factor(std::isfinite(err) ? err : 0.0, tableau_.error_order);
    }
  }
  if (gradient_ == OdeGradient::Adjoint) d.x_end = d.x;
  y = d.x;
}

template <class S>
void OdeBlock<S>::vjp(LayerData& data, CMatRef<S>, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
                      VecRef<S> g) const {
  auto& d = static_cast<OdeData<S>&>(data);
  const Index s = Index(tableau_.b.size()), used = tableau_.solution_stages;
  g.setZero();
  d.p = p_next;
  ++backward_passes_;
  // g of size 0: no parameter gradient (the field's vjp gets empty vectors too).
  const Index parameters = g.size() > 0 ? num_params() : 0;
  if (gradient_ == OdeGradient::Adjoint) {
    // (x, p, G) backward in τ from (x(T), p', 0), x(T) kept by forward. Stage i:
    // state stage_in[i], costate kappa[i]; slopes −g (slope[i]), g_xᵀp (nu[i]), g_θᵀp (g_stage[i]).
    const Index stages = tolerance_.adaptive() ? s : used;
    d.x = d.x_end;
    double tau = 0, h = d.steps.back();
    Index attempts = 0;
    while (tau < time_ * (1 - 1e-12)) {
      if (++attempts > tolerance_.max_steps) {
        d.p.setConstant(std::numeric_limits<S>::quiet_NaN());
        g.setConstant(std::numeric_limits<S>::quiet_NaN());
        break;
      }
      h = tolerance_.adaptive() ? std::min(h, time_ - tau) : time_ / double(steps_);
      const S hs = S(h);
      for (Index i = 0; i < stages; ++i) {
        d.stage_in[i] = d.x;
        d.kappa[i] = d.p;
        for (Index j = 0; j < i; ++j)
          if (tableau_.a[i][j] != 0) {
            d.stage_in[i] += hs * S(tableau_.a[i][j]) * d.slope[j];
            d.kappa[i] += hs * S(tableau_.a[i][j]) * d.nu[j];
          }
        g_->forward(*d.g_data[i], d.stage_in[i], theta, d.slope[i]);
        d.slope[i] = -d.slope[i];
        g_->vjp(*d.g_data[i], d.stage_in[i], theta, d.kappa[i], d.nu[i],
                d.g_stage[i].head(parameters));
      }
      backward_evaluations_ += stages;
      d.x_new = d.x;
      d.p_new = d.p;
      d.g_new.setZero();
      for (Index i = 0; i < used; ++i)
        if (tableau_.b[i] != 0) {
          d.x_new += hs * S(tableau_.b[i]) * d.slope[i];
          d.p_new += hs * S(tableau_.b[i]) * d.nu[i];
          if (parameters > 0) d.g_new += hs * S(tableau_.b[i]) * d.g_stage[i];
        }
      double err = 0;
      if (tolerance_.adaptive()) {
        Mat<S> ex = Mat<S>::Zero(d.x.rows(), d.x.cols()), ep = ex;
        for (Index i = 0; i < s; ++i)
          if (tableau_.b_error[i] != 0) {
            ex += hs * S(tableau_.b_error[i]) * d.slope[i];
            ep += hs * S(tableau_.b_error[i]) * d.nu[i];
          }
        err = std::hypot(error_norm<S>(ex, d.x, d.x_new, tolerance_),
                         error_norm<S>(ep, d.p, d.p_new, tolerance_)) /
              std::sqrt(2.0);
      }
      if (err <= 1 || !std::isfinite(err)) {
        d.x.swap(d.x_new);
        d.p.swap(d.p_new);
        if (parameters > 0) g += d.g_new;
        tau += h;
        if (!std::isfinite(err)) break;
      }
      if (tolerance_.adaptive())
        h *= step_factor(std::isfinite(err) ? err : 0.0, tableau_.error_order);
    }
    if (p.rows() > 0) p = d.p;
    return;
  }
  const bool recompute = gradient_ == OdeGradient::Checkpointed;
  for (Index n = Index(d.steps.size()) - 1; n >= 0; --n) {
    const S h = S(d.steps[n]);
    if (recompute) {  // the step's stages again, from its stored start
      d.x = d.starts[n];
      evaluate_stages(data, n, d.steps[n], theta, 0, used);
    }
    for (Index i = used - 1; i >= 0; --i) {
      const Index e = slot(n, i);
      d.kappa[e] = h * S(tableau_.b[i]) * d.p;
      for (Index j = i + 1; j < used; ++j)
        if (tableau_.a[j][i] != 0) d.kappa[e] += h * S(tableau_.a[j][i]) * d.nu[slot(n, j)];
      g_->vjp(*d.g_data[e], d.stage_in[e], theta, d.kappa[e], d.nu[e], d.g_part.head(parameters));
      if (parameters > 0) g += d.g_part;
    }
    for (Index i = 0; i < used; ++i) d.p += d.nu[slot(n, i)];
  }
  backward_evaluations_ += Index(d.steps.size()) * used * (recompute ? 2 : 1);
  if (p.rows() > 0) p = d.p;
}

template <class S>
void OdeBlock<S>::jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx,
                      CVecRef<S> dtheta, MatRef<S> dy) const {
  // The last forward pass's steps again with the tangent alongside: stage states in stage_in,
  // slopes in slope, stage tangents in kappa and their slopes in nu.
  auto& d = static_cast<OdeData<S>&>(data);
  const Index used = tableau_.solution_stages;
  d.x = x;
  d.p = dx;
  for (Index n = 0; n < Index(d.steps.size()); ++n) {
    const S h = S(d.steps[n]);
    for (Index i = 0; i < used; ++i) {
      const Index e = slot(n, i);
      d.stage_in[e] = d.x;
      d.kappa[e] = d.p;
      for (Index j = 0; j < i; ++j)
        if (tableau_.a[i][j] != 0) {
          d.stage_in[e] += h * S(tableau_.a[i][j]) * d.slope[slot(n, j)];
          d.kappa[e] += h * S(tableau_.a[i][j]) * d.nu[slot(n, j)];
        }
      g_->forward(*d.g_data[e], d.stage_in[e], theta, d.slope[e]);
      g_->jvp(*d.g_data[e], d.stage_in[e], theta, d.kappa[e], dtheta, d.nu[e]);
    }
    for (Index i = 0; i < used; ++i)
      if (tableau_.b[i] != 0) {
        d.x += h * S(tableau_.b[i]) * d.slope[slot(n, i)];
        d.p += h * S(tableau_.b[i]) * d.nu[slot(n, i)];
      }
  }
  dy = d.p;
}

template <class S>
void OdeBlock<S>::init_params(Rng& rng, const Initializer& init, VecRef<S> theta) const {
  g_->init_params(rng, init, theta);
}

template class OdeBlock<float>;
template class OdeBlock<double>;

}  // namespace deepctl
