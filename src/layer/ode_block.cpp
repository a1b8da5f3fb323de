#include "deepctl/layer/ode_block.hpp"

#include "deepctl/core/error.hpp"

namespace deepctl {
namespace {

// Per step n and stage i: the stage input y_{n,i}, its slope k_{n,i} and g's data there.
template <class S>
struct OdeData : LayerData {
  OdeData(Index batch, Index width, Index evaluations)
      : LayerData(batch),
        stage_in(evaluations, Mat<S>(batch, width)),
        slope(evaluations, Mat<S>(batch, width)),
        kappa(evaluations, Mat<S>(batch, width)),
        nu(evaluations, Mat<S>(batch, width)),
        x(batch, width),
        p(batch, width),
        g_part(0) {}
  std::vector<Mat<S>> stage_in, slope, kappa, nu;
  std::vector<Vec<S>> g_stage;  // adjoint: g_θᵀp of each stage
  std::vector<std::unique_ptr<LayerData>> g_data;
  Mat<S> x, p;  // running state (forward) or costate (vjp)
  Vec<S> g_part;
};

}  // namespace

ButcherTableau ButcherTableau::of(OdeSolver solver) {
  switch (solver) {
    case OdeSolver::Euler:
      return {{{}}, {1.0}, 1};
    case OdeSolver::Midpoint:
      return {{{}, {0.5}}, {0.0, 1.0}, 2};
    case OdeSolver::RK4:
      return {{{}, {0.5}, {0.0, 0.5}, {0.0, 0.0, 1.0}}, {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6}, 4};
  }
  return {};
}

OdeSolver ButcherTableau::parse(const std::string& text) {
  for (OdeSolver s : {OdeSolver::Euler, OdeSolver::Midpoint, OdeSolver::RK4})
    if (name(s) == text) return s;
  throw InputError("unknown ODE solver '" + text + "'; expected euler, midpoint or rk4");
}

OdeGradient ButcherTableau::parse_gradient(const std::string& text) {
  if (text == "discrete") return OdeGradient::Discrete;
  if (text == "adjoint") return OdeGradient::Adjoint;
  throw InputError("unknown ODE gradient '" + text + "'; expected discrete or adjoint");
}

std::string ButcherTableau::name(OdeSolver solver) {
  switch (solver) {
    case OdeSolver::Euler:
      return "euler";
    case OdeSolver::Midpoint:
      return "midpoint";
    case OdeSolver::RK4:
      return "rk4";
  }
  return "?";
}

template <class S>
OdeBlock<S>::OdeBlock(std::shared_ptr<const Layer<S>> vector_field, double time, Index steps,
                      OdeSolver solver, OdeGradient gradient)
    : g_(std::move(vector_field)),
      time_(time),
      steps_(steps),
      solver_(solver),
      gradient_(gradient),
      tableau_(ButcherTableau::of(solver)) {
  if (g_->input_size() != g_->output_size())
    throw InputError("ode: the vector field " + g_->describe() + " must keep the width");
  if (!(time > 0)) throw InputError("ode: time must be positive, got " + std::to_string(time));
  if (steps < 1) throw InputError("ode: steps must be at least 1, got " + std::to_string(steps));
}

template <class S>
Index OdeBlock<S>::slot(Index n, Index i) const {
  return gradient_ == OdeGradient::Discrete ? n * Index(tableau_.b.size()) + i : i;
}

template <class S>
std::string OdeBlock<S>::describe() const {
  return "ode(" + g_->describe() + ", T " + std::to_string(time_) + ", " + std::to_string(steps_) +
         " " + ButcherTableau::name(solver_) + " steps" +
         (gradient_ == OdeGradient::Adjoint ? ", continuous adjoint" : "") + ")";
}

template <class S>
std::unique_ptr<LayerData> OdeBlock<S>::make_data(Index batch) const {
  const Index slots = gradient_ == OdeGradient::Discrete ? nfe() : Index(tableau_.b.size());
  auto d = std::make_unique<OdeData<S>>(batch, g_->input_size(), slots);
  for (Index e = 0; e < slots; ++e) d->g_data.push_back(g_->make_data(batch));
  d->g_part.resize(num_params());
  d->g_stage.assign(std::size_t(tableau_.b.size()), Vec<S>(num_params()));
  return d;
}

template <class S>
void OdeBlock<S>::forward(LayerData& data, CMatRef<S> x, CVecRef<S> theta, MatRef<S> y) const {
  check_batch(describe(), data, x.rows());
  auto& d = static_cast<OdeData<S>&>(data);
  const S h = S(time_ / double(steps_));
  const Index s = Index(tableau_.b.size());
  d.x = x;
  for (Index n = 0; n < steps_; ++n) {
    for (Index i = 0; i < s; ++i) {
      const Index e = slot(n, i);
      d.stage_in[e] = d.x;
      for (Index j = 0; j < i; ++j)
        if (tableau_.a[i][j] != 0) d.stage_in[e] += h * S(tableau_.a[i][j]) * d.slope[slot(n, j)];
      g_->forward(*d.g_data[e], d.stage_in[e], theta, d.slope[e]);
    }
    for (Index i = 0; i < s; ++i)
      if (tableau_.b[i] != 0) d.x += h * S(tableau_.b[i]) * d.slope[slot(n, i)];
  }
  y = d.x;
}

template <class S>
void OdeBlock<S>::vjp(LayerData& data, CMatRef<S>, CVecRef<S> theta, CMatRef<S> p_next, MatRef<S> p,
                      VecRef<S> g) const {
  auto& d = static_cast<OdeData<S>&>(data);
  const S h = S(time_ / double(steps_));
  const Index s = Index(tableau_.b.size());
  g.setZero();
  d.p = p_next;
  if (gradient_ == OdeGradient::Adjoint) {
    // (x, p, G) backward in τ from (x(T), p', 0); d.x holds x(T) after forward. Stage i:
    // state stage_in[i], costate kappa[i]; slopes −g (slope[i]), g_xᵀp (nu[i]), g_θᵀp (g_stage[i]).
    for (Index n = 0; n < steps_; ++n) {
      for (Index i = 0; i < s; ++i) {
        d.stage_in[i] = d.x;
        d.kappa[i] = d.p;
        for (Index j = 0; j < i; ++j)
          if (tableau_.a[i][j] != 0) {
            d.stage_in[i] += h * S(tableau_.a[i][j]) * d.slope[j];
            d.kappa[i] += h * S(tableau_.a[i][j]) * d.nu[j];
          }
        g_->forward(*d.g_data[i], d.stage_in[i], theta, d.slope[i]);
        d.slope[i] = -d.slope[i];
        g_->vjp(*d.g_data[i], d.stage_in[i], theta, d.kappa[i], d.nu[i], d.g_stage[i]);
      }
      for (Index i = 0; i < s; ++i)
        if (tableau_.b[i] != 0) {
          d.x += h * S(tableau_.b[i]) * d.slope[i];
          d.p += h * S(tableau_.b[i]) * d.nu[i];
          g += h * S(tableau_.b[i]) * d.g_stage[i];
        }
    }
    if (p.rows() > 0) p = d.p;
    return;
  }
  for (Index n = steps_ - 1; n >= 0; --n) {
    for (Index i = s - 1; i >= 0; --i) {
      const Index e = n * s + i;
      d.kappa[e] = h * S(tableau_.b[i]) * d.p;
      for (Index j = i + 1; j < s; ++j)
        if (tableau_.a[j][i] != 0) d.kappa[e] += h * S(tableau_.a[j][i]) * d.nu[n * s + j];
      g_->vjp(*d.g_data[e], d.stage_in[e], theta, d.kappa[e], d.nu[e], d.g_part);
      g += d.g_part;
    }
    for (Index i = 0; i < s; ++i) d.p += d.nu[n * s + i];
  }
  if (p.rows() > 0) p = d.p;
}

template <class S>
void OdeBlock<S>::jvp(LayerData& data, CMatRef<S> x, CVecRef<S> theta, CMatRef<S> dx,
                      CVecRef<S> dtheta, MatRef<S> dy) const {
  // The forward pass again with the tangent alongside: stage states in stage_in, slopes in
  // slope, stage tangents in kappa and their slopes in nu.
  auto& d = static_cast<OdeData<S>&>(data);
  const S h = S(time_ / double(steps_));
  const Index s = Index(tableau_.b.size());
  d.x = x;
  d.p = dx;
  for (Index n = 0; n < steps_; ++n) {
    for (Index i = 0; i < s; ++i) {
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
    for (Index i = 0; i < s; ++i)
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
