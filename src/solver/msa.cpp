#include "deepctl/solver/msa.hpp"

#include <cmath>

#include "deepctl/core/error.hpp"
#include "deepctl/core/lbfgs.hpp"
#include "deepctl/core/rng.hpp"
#include "deepctl/layer/residual.hpp"
#include "deepctl/problem/hamiltonian.hpp"

namespace deepctl {

MsaInner MsaOptions::parse_inner(const std::string& text) {
  if (text == "gradient") return MsaInner::GradientAscent;
  if (text == "lbfgs") return MsaInner::Lbfgs;
  throw InputError("unknown inner optimiser '" + text + "'; expected gradient or lbfgs");
}

namespace {

// ∇_θ H̃ of a dense layer, or of a residual block x + hφ(Wx + b) around one (h = 1 for the plain
// layer), without the running cost (REFERENCE F9 (b)), per sample:
//   u = hφ′(a) ⊙ p_{t+1},  v = h(W r) ⊙ φ″(a) ⊙ p_{t+1},  δ = hφ′(a) ⊙ (p_{t+1} + ρe) + ρv
//   ∇_W H̃ = Σ_s [δ xᵀ + ρ u rᵀ],   ∇_b H̃ = Σ_s δ
template <class S>
void augmented_hamiltonian_dense_gradient(const Dense<S>& dense, S h, const Mat<S>& x,
                                          const Mat<S>& p_next, const Mat<S>& e, const Mat<S>& r,
                                          double rho, CVecRef<S> theta_t, Vec<S>& grad) {
  const Index B = x.rows(), n_in = dense.input_size(), n_out = dense.output_size();
  Eigen::Map<const Mat<S>> W(theta_t.data(), n_out, n_in);
  Eigen::Map<const Vec<S>> b(theta_t.data() + n_out * n_in, n_out);
  Mat<S> a = x * W.transpose();
  a.rowwise() += b.transpose();
  Mat<S> d1(B, n_out), d2(B, n_out), phi(B, n_out);
  dense.activation().value_and_derivatives(a.data(), phi.data(), d1.data(), d2.data(), a.size());
  const Mat<S> u = h * d1.cwiseProduct(p_next);
  const Mat<S> v = h * (r * W.transpose()).cwiseProduct(d2).cwiseProduct(p_next);
  const Mat<S> delta = h * d1.cwiseProduct(p_next + S(rho) * e) + S(rho) * v;  // ∂H̃/∂a per sample
  grad.resize(dense.num_params());
  Eigen::Map<Mat<S>> gW(grad.data(), n_out, n_in);
  gW.noalias() = delta.transpose() * x;
  gW.noalias() += S(rho) * (u.transpose() * r);
  grad.tail(n_out) = delta.colwise().sum().transpose();
}

// ∇_θ H̃ of a convolution, or of a residual block x + hφ(K ⋆ x + b) around one (h = 1 for the
// plain layer), without the running cost: the dense formula on every patch, with col(·) the
// im2col patch matrix of a sample (a = K col(x) + b 1ᵀ, M × P):
//   u = hφ′(a) ⊙ p_{t+1},  v = h(K col(r)) ⊙ φ″(a) ⊙ p_{t+1},  δ = hφ′(a) ⊙ (p_{t+1} + ρe) + ρv
//   ∇_K H̃ = Σ_s [δ col(x)ᵀ + ρ u col(r)ᵀ],   ∇_b H̃ = Σ_s δ 1
// (⟨r, col⁻ᵀ(Kᵀu)⟩ = ⟨K col(r), u⟩ since col2im is the adjoint of im2col).
template <class S>
void augmented_hamiltonian_conv_gradient(const Conv2d<S>& conv, S h, const Mat<S>& x,
                                         const Mat<S>& p_next, const Mat<S>& e, const Mat<S>& r,
                                         double rho, CVecRef<S> theta_t, Vec<S>& grad) {
  const KroneckerShape shape = conv.kronecker_shape();
  const Index M = shape.outputs, n = shape.inputs, P = conv.output_size() / M;
  Eigen::Map<const Mat<S>> K(theta_t.data(), M, n);
  Eigen::Map<const Vec<S>> b(theta_t.data() + M * n, M);
  grad.setZero(conv.num_params());
  Eigen::Map<Mat<S>> gK(grad.data(), M, n);
  Mat<S> col_x(n, P), col_r(n, P), a(M, P), phi(M, P), d1(M, P), d2(M, P);
  for (Index s = 0; s < x.rows(); ++s) {
    conv.im2col(x.row(s).data(), col_x);
    conv.im2col(r.row(s).data(), col_r);
    a.noalias() = K * col_x;
    a.colwise() += b;
    conv.activation().value_and_derivatives(a.data(), phi.data(), d1.data(), d2.data(), a.size());
    const Eigen::Map<const Mat<S>> p(p_next.row(s).data(), M, P), e_s(e.row(s).data(), M, P);
    const Mat<S> u = h * d1.cwiseProduct(p);
    const Mat<S> v = h * (K * col_r).cwiseProduct(d2).cwiseProduct(p);
    const Mat<S> delta = h * d1.cwiseProduct(p + S(rho) * e_s) + S(rho) * v;
    gK.noalias() += delta * col_x.transpose();
    gK.noalias() += S(rho) * (u * col_r.transpose());
    grad.tail(M) += delta.rowwise().sum();
  }
}

}  // namespace

template <class S>
double augmented_hamiltonian(const Problem<S>& problem, const Workspace<S>& trajectory, Index t,
                             CVecRef<S> theta_t, double rho, Vec<S>* grad) {
  // The value through the layer's own forward and vjp (problem/hamiltonian.hpp): any layer kind.
  const LayerEvaluation<S> ev = evaluate_layer<S>(problem, trajectory, t, theta_t, true);
  const Layer<S>& layer = problem.layer(t);
  const Mat<S>& x = trajectory.states[t];
  const Mat<S>& p_next = trajectory.costates[t + 1];
  const Mat<S> e = trajectory.states[t + 1] - ev.f, r = trajectory.costates[t] - ev.p;
  const double l2 = problem.l2();
  const double value = double((p_next.array() * ev.f.array()).sum()) -
                       0.5 * rho * double(e.squaredNorm()) - 0.5 * rho * double(r.squaredNorm()) -
                       0.5 * l2 * double(theta_t.squaredNorm());
  if (!grad || layer.num_params() == 0) {
    if (grad) grad->resize(0);
    return value;
  }
  // e and r as defined above: x_{t+1} − f and p_t − f_xᵀ p_{t+1} (the latter already in r).
  auto step_of = [](double step) { return step == 0 ? S(1) : S(step); };
  if (const auto dense = as_layer_step<Dense<S>>(layer))
    augmented_hamiltonian_dense_gradient(*dense->layer, step_of(dense->step), x, p_next, e, r, rho,
                                         theta_t, *grad);
  else if (const auto conv = as_layer_step<Conv2d<S>>(layer))
    augmented_hamiltonian_conv_gradient(*conv->layer, step_of(conv->step), x, p_next, e, r, rho,
                                        theta_t, *grad);
  else
    throw InputError(
        "layer " + std::to_string(t) + " " + layer.describe() +
        ": E-MSA needs the gradient of H̃, written for dense and conv2d layers and residual "
        "blocks around them");
  *grad -= S(l2) * theta_t;
  return value;
}

template <class S>
double msa_step(const Problem<S>& problem, CMatRef<S> X, CMatRef<S> Y, Params<S>& theta,
                const MsaOptions& options, double* grad_norm, std::uint64_t step) {
  problem.check_params(theta);
  if (!options.valid())
    throw InputError(
        "msa: inner_steps must be positive, inner_lr positive, rho and perturbation "
        "non-negative");
  Workspace<S> ws = problem.make_workspace(X.rows());
  const double J = problem.rollout(ws, X, Y, theta);
  Params<S> grad;
  problem.adjoint(ws, Y, theta, grad, /*input_costate=*/true);
  if (grad_norm) *grad_norm = params_norm(grad);
  if (!std::isfinite(J)) return J;  // the trainer reports the divergence
  Vec<S> g;
  for (Index t = 0; t < problem.num_layers(); ++t) {  // independent given x and p
    if (theta[t].size() == 0) continue;
    if (options.perturbation > 0) {
      Rng draw = Rng(options.noise_seed).split(step).split(static_cast<std::uint64_t>(t));
      for (Index i = 0; i < theta[t].size(); ++i)
        theta[t][i] += S(options.perturbation * (2 * draw.uniform() - 1));
    }
    if (options.inner == MsaInner::Lbfgs) {  // minimise −H̃_t, in double, warm-started at θ_t
      Vec<double> x = theta[t].template cast<double>();
      auto fg = [&](const Vec<double>& th, Vec<double>& grad_out) {
        const double H =
            augmented_hamiltonian<S>(problem, ws, t, th.template cast<S>(), options.rho, &g);
        grad_out = -g.template cast<double>();
        return -H;
      };
      lbfgs_minimize(fg, x, {.max_iterations = options.inner_steps});
      theta[t] = x.template cast<S>();
      continue;
    }
    Vec<S> th = theta[t];
    for (int k = 0; k < options.inner_steps; ++k) {
      augmented_hamiltonian<S>(problem, ws, t, th, options.rho, &g);
      th += S(options.inner_lr) * g;  // ascent on H̃_t
    }
    theta[t] = std::move(th);
  }
  return J;
}

template <class S>
MsaTrainer<S>::MsaTrainer(const Problem<S>& problem, const Dataset& train, const Dataset* test,
                          TrainerOptions options, MsaOptions msa)
    : MinibatchTrainer<S>(problem, train, test, options), msa_(msa) {
  if (!msa.valid())
    throw InputError(
        "train.inner_steps must be positive, train.inner_lr positive and train.rho and "
        "train.inner_perturbation non-negative");
  msa_.noise_seed = Rng(options.seed).split(kStartStream).next_u64();
  if (problem.time_smoothness() > 0)
    throw InputError(
        "msa: model.time_smoothness couples the layers' running costs; the per-layer "
        "Hamiltonian maximisation needs separable ones (set it to 0)");
}

template <class S>
StepReport MsaTrainer<S>::step(CMatRef<S> X, CMatRef<S> Y) {
  StepReport r;
  r.epoch = this->epoch_;
  r.lr = msa_.inner_lr;
  r.loss = msa_step<S>(this->problem_, X, Y, this->theta_, msa_, &r.grad_norm,
                       static_cast<std::uint64_t>(this->steps_));
  r.step = ++this->steps_;
  return r;
}

template class MsaTrainer<float>;
template class MsaTrainer<double>;
template double augmented_hamiltonian<float>(const Problem<float>&, const Workspace<float>&, Index,
                                             CVecRef<float>, double, Vec<float>*);
template double augmented_hamiltonian<double>(const Problem<double>&, const Workspace<double>&,
                                              Index, CVecRef<double>, double, Vec<double>*);
template double msa_step<float>(const Problem<float>&, CMatRef<float>, CMatRef<float>,
                                Params<float>&, const MsaOptions&, double*, std::uint64_t);
template double msa_step<double>(const Problem<double>&, CMatRef<double>, CMatRef<double>,
                                 Params<double>&, const MsaOptions&, double*, std::uint64_t);

}  // namespace deepctl
