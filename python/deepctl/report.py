"""The study report: RUN_DIR/report.html, one self-contained page (figures embedded as PNG,
no network access) that opens with a summary and has one section per lens.

    python3 -m deepctl.report RUN_DIR
    python3 -m deepctl.report --compare DIR   (the page of `deepctl compare --out DIR`)

A lens adds its section with @section: a function of the RunDir returning (title, html
body, [(figure name, matplotlib Figure)]) or None when the run has nothing for it. Figures are
also written to RUN_DIR/figures/<name>.png and .svg.
"""
import base64
import functools
import html
import io
import json
import pathlib
import sys

import matplotlib.pyplot as plt

from . import figures
from .runs import RunDir

SECTIONS = []


def section(fn):
    """Registers a report section (in order of registration)."""
    SECTIONS.append(fn)
    return fn


def network_text(config):
    layers = config.get("model", {}).get("layers", [])
    parts = []
    for layer in layers:
        kind = layer.get("type", "?")
        size = layer.get("width") or layer.get("channels") or layer.get("kernel") or ""
        act = layer.get("activation", "linear")
        parts.append(f"{kind} {size} {act}".replace("  ", " ").strip())
    return " → ".join(parts)


def layer_names(config):
    """"t: kind size activation" for each layer, for figure legends and tables."""
    return [f"{t}: {n}" for t, n in enumerate(network_text(config).split(" → "))]


def summary_rows(run):
    c, s = run.config, run.summary
    data, model, train = c.get("data", {}), c.get("model", {}), c.get("train", {})

    def fmt(v, spec):
        return format(v, spec) if isinstance(v, (int, float)) else "n/a"

    return [
        ("data", f"{data.get('name')} (train_limit {data.get('train_limit', 0) or 'all'}, "
                 f"test_limit {data.get('test_limit', 0) or 'all'})"),
        ("network", f"{network_text(c)}; loss {model.get('loss')}; init {model.get('init')} "
                    f"(σ_w² {model.get('sw2')}, σ_b² {model.get('sb2')}); "
                    f"{s.get('parameters', 'n/a')} parameters"),
        ("optimiser", f"{train.get('optimizer')}, lr {train.get('lr')}, schedule "
                      f"{train.get('schedule')}, batch {train.get('batch_size')}, "
                      f"{train.get('epochs')} epochs, seed {train.get('seed')}, "
                      f"{train.get('precision')}, {train.get('threads')} threads"),
        ("result", f"{s.get('status')}: {s.get('message')}"),
        ("final metrics", f"test accuracy {fmt(s.get('test_accuracy'), '.4f')}, "
                          f"test loss {fmt(s.get('test_loss'), '.4f')}"),
        ("wall time", f"{fmt(s.get('wall_time'), '.2f')} s, "
                      f"{fmt(s.get('samples_per_second'), ',.0f')} samples/s"),
    ]


@section
def training_section(run):
    if not run.steps and not run.epochs:
        return None
    body = ("<p>The gradient-adjoint trainer: each step runs the rollout x_{t+1} = f_t(x_t, θ_t), "
            "the costate pass p_t = f_xᵀ p_{t+1} from p_T = −(1/B)∇Φ, and the update policy on "
            "∇J = −∇_θH. Minibatch J at logged steps, epoch means and test metrics.</p>")
    return ("Training dynamics", body,
            [("curves_step", figures.training_curves(run.steps, run.epochs, "step")),
             ("curves_wall", figures.training_curves(run.steps, run.epochs, "wall_time"))])


@section
def layers_section(run):
    stats = run.layer_stats
    if not stats:
        return None
    names = layer_names(run.config)
    body = ("<p>Per layer, on the first 256 training samples: rms of the parameters and of "
            "their gradient, the spread of the layer's output, and the rms of the costate "
            "p_{t+1} that reaches it. Costates that shrink or grow with depth are vanishing or "
            "exploding gradients seen as the backward (adjoint) dynamics.</p>")
    return ("Layers: weights, gradients, activations, costates", body,
            [("layers", figures.layer_statistics(stats, names))])


def mean_field_point(config):
    """(activation, σ_w², σ_b², depth) of a config's network as mean-field theory reads it, or
    None with the reason: hidden dense/residual layers sharing one activation."""
    model = config.get("model", {})
    layers = model.get("layers", [])
    hidden = [layer for layer in layers[:-1] if layer.get("type") in ("dense", "residual")]
    if not hidden or any(layer.get("type") not in ("dense", "residual", "flatten") for layer in layers[:-1]):
        return None, "the network is not a fully connected stack"
    activations = {layer.get("activation", "linear") for layer in hidden}
    if len(activations) != 1:
        return None, f"the hidden layers mix activations ({', '.join(sorted(activations))})"
    init = model.get("init", "gaussian")
    sw2, sb2 = model.get("sw2", 1.0), model.get("sb2", 0.0)
    if init == "he":
        sw2, sb2 = 2.0, 0.0
    elif init == "glorot":
        return None, "glorot initialisation has no single σ_w² across unequal widths"
    return (activations.pop(), float(sw2), float(sb2), len(hidden) + 1), None


@functools.lru_cache(maxsize=2)
def _training_split(config_path):
    from . import _core
    config = _core.load_config(config_path)
    return config, _core.load_data(config.data)[0]


def trained_network(run, checkpoint=True):
    """(RunConfig, training split, float64 Problem, θ of the final checkpoint or None) of a run
    folder; the split is loaded once per report."""
    import numpy as np
    from . import _core
    config, train = _training_split(str(run.path / "config.toml"))
    problem = _core.build_problem(config.network(train.input_shape))
    theta = [np.asarray(t, dtype=float) for t in run.params()] if checkpoint else None
    return config, train, problem, theta


def state_widths(problem, theta, x):
    """Widths of the states x_0 … x_T of the network for the input x."""
    import numpy as np
    outputs = int(np.prod(problem.output_shape))
    return [s.shape[1] for s in problem.rollout(x[None, :], np.zeros((1, outputs)), theta).states]


def lyapunov_at_initialisation(run, chi1):
    """HTML: the Lyapunov exponents of one random draw of the configured network (QR method
    over its layers at the first training input, REFERENCE F6) beside the mean-field rate
    ½ ln χ_1 per layer at which perturbations grow in wide random networks."""
    import math

    import numpy as np
    from . import _core
    config, train, problem, _ = trained_network(run, checkpoint=False)
    theta = problem.init_params(seed=config.seed, init=config.initializer())
    x = np.asarray(train.inputs[0], dtype=float)
    k = min(3, *state_widths(problem, theta, x))
    _, growth = _core.spectrum.lyapunov_exponents(problem, theta, x, k=k)
    hidden = sorted(np.asarray(growth)[:-1].mean(axis=0), reverse=True)  # without the output layer
    predicted = 0.5 * math.log(chi1) if chi1 > 0 else float("-inf")
    return ("<p>Lyapunov exponents of one random draw of this network at the first training "
            "input, over its hidden layers (QR method, per layer): "
            + ", ".join(f"{e:.3f}" for e in hidden)
            + f"; mean field predicts that perturbations grow at ½ ln χ_1 = {predicted:.3f} per "
            "layer in wide networks (finite width spreads the measured values below it).</p>")


def jacobian_spectrum_at_initialisation(act, sw2, sb2, depth, orthogonal, width=256, draws=2):
    """(figure, HTML) of dynamical isometry for this initialisation: the squared singular values
    of the input–output Jacobian of `depth` square dense φ layers of width 256 (exact, `draws`
    draws, inputs at q*) against the free-probability law (REFERENCE F4); None where the length map
    has no finite fixed point, and no figure where J vanishes."""
    import numpy as np
    from . import _core, meanfield
    q = meanfield.analyze(act, sw2, sb2)["q_star"]
    if not (0 <= q < float("inf")):
        return None
    problem = _core.Problem([_core.Dense(width, width, act) for _ in range(depth)], "squared_error")
    init = _core.Initializer("orthogonal" if orthogonal else "gaussian", sw2, sb2)
    rng = np.random.default_rng(0)
    values = np.concatenate([
        _core.spectrum.jacobian_squared_singular_values(
            problem, problem.init_params(seed=d, init=init),
            np.sqrt(max(q - sb2, 0.0) / sw2) * rng.standard_normal(width))
        for d in range(draws)])
    theory = _core.spectrum.free_probability(act, sw2, q, depth, orthogonal)
    if not max(theory["edge"], values.max()) > 0:
        return None, (f"<p>Dynamical isometry: the input–output Jacobian vanishes at this "
                      f"initialisation (q* = {q:.3g}, where φ′ = 0): no signal passes.</p>")
    histogram = _core.spectrum.law_histogram(values, np.full(len(values), 1 / len(values)),
                                             max(theory["edge"], values.max()), act, sw2, q, depth,
                                             orthogonal)
    result = {"activation": act, "sw2": sw2, "sb2": sb2, "depth": depth, "width": width,
              "weights": "orthogonal" if orthogonal else "gaussian", "draws": draws,
              "method": "exact", "theory": theory, "histogram": histogram}
    body = (f"<p>Dynamical isometry at this initialisation: the squared singular values λ of the "
            f"input–output Jacobian of {depth} square {html.escape(act)} layers (width {width}, "
            f"{result['weights']} weights, {draws} draws) have mean {values.mean():.4g} and "
            f"variance {values.var():.4g}; free probability predicts {theory['mean']:.4g} and "
            f"{theory['variance']:.4g} for N → ∞, with the spectral edge at {theory['edge']:.4g}"
            + (f" and mass {theory['atom']:.2g} at 0" if theory["atom"] > 0 else "")
            + ". Isometry means mean ≈ 1 and a small variance: the signal's every direction passes "
              "through the depth unchanged.</p>")
    return figures.jacobian_spectrum(result), body


@section
def meanfield_section(run):
    from . import meanfield
    point, why = mean_field_point(run.config)
    if point is None:
        return ("Mean field: signal propagation at initialisation",
                f"<p>Not placed on the phase diagram: {html.escape(why)}.</p>", [])
    act, sw2, sb2, depth = point
    a = meanfield.analyze(act, sw2, sb2)
    crit = meanfield.critical_point(act, sb2)

    def show(v):
        return "undefined" if v != v else ("∞" if v == float("inf") else f"{v:.4g}")

    rows = [("activation", act), ("σ_w², σ_b² (variances)", f"{sw2:g}, {sb2:g}"),
            ("depth L (weight layers)", depth), ("q*", show(a["q_star"])), ("c*", show(a["c_star"])),
            ("χ_1", show(a["chi1"])), ("phase", a["phase"]), ("ξ_c", show(a["xi_c"])),
            ("ξ_∇ (gradients)", show(a["xi_grad"]))]
    xi = a["xi_c"]
    if xi == xi and xi != float("inf"):
        verdict = (f"L = {depth} is {depth / xi:.2g} ξ_c: "
                   + ("inside" if depth <= 6 * xi else "beyond") + " the trainable depth of about 6 ξ_c "
                   "(Schoenholz et al. 2017).")
    elif xi == float("inf"):
        verdict = "ξ_c is infinite here (critical): correlations propagate through any depth."
    else:
        verdict = "ξ_c is undefined here (q* = 0 or the length map diverges)."
    if crit["sw2"] == crit["sw2"]:
        advice = (f"Critical initialisation for σ_b² = {sb2:g}: σ_w² = {crit['sw2']:.6g} "
                  f"(χ_1 = 1, q* = {show(crit['q_star'])}); set model.sw2 to it for deep {act} stacks.")
    else:
        advice = f"{act} has no critical point at σ_b² = {sb2:g}; lower σ_b² towards 0."
    table = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    body = (f"<p>Wide random networks with this initialisation, read by mean-field theory "
            f"(q and c maps, REFERENCE F2–F3).</p><table>{table}</table>"
            f"<p>{html.escape(verdict)}</p><p>{html.escape(advice)}</p>")
    body += lyapunov_at_initialisation(run, a["chi1"])
    import numpy as np
    hi_w, hi_b = max(3.0, 1.25 * sw2), max(0.25, 1.25 * sb2)
    grid = meanfield.phase_diagram(act, np.linspace(0.5, hi_w, 64), np.linspace(0.0, hi_b, 48))
    fig = figures.phase_diagram(grid, act, point=(sw2, sb2), depth=depth)
    shown = [("phase_diagram", fig)]
    spectrum = jacobian_spectrum_at_initialisation(
        act, sw2, sb2, depth, run.config.get("model", {}).get("init") == "orthogonal")
    if spectrum is not None:
        if spectrum[0] is not None:
            shown.append(("jacobian_spectrum", spectrum[0]))
        body += spectrum[1]
    return ("Mean field: signal propagation at initialisation", body, shown)


@section
def optimal_control_section(run):
    """The trained parameters read by Pontryagin's maximum principle: per layer, the
    stationarity residual ‖∇_θ H_t‖ (= ‖∇_{θ_t} J‖) and H_t on a probe batch of 512 training
    samples, from the final checkpoint."""
    import numpy as np
    if not (run.path / "checkpoint.npz").is_file():
        return None
    config, train, problem, theta = trained_network(run)
    rows = min(512, len(train))
    X = np.asarray(train.inputs[:rows], dtype=float)
    Y = np.asarray(train.targets[:rows], dtype=float)
    traj = problem.rollout(X, Y, theta)
    problem.adjoint(traj, Y, theta)
    r = problem.pmp_residuals(traj, theta)
    layers = [problem.layer(t) for t in range(problem.num_layers)]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), dpi=100)
    ticks = range(len(layers))
    axes[0].bar(ticks, r["stationarity"], color="tab:red")
    axes[0].set_yscale("log")
    axes[0].set_title("stationarity ‖∇_θ H_t‖ = ‖∇_{θ_t} J‖", fontsize=10)
    axes[1].bar(ticks, r["hamiltonian"], color="tab:blue")
    axes[1].set_title("H_t = Σ_s p_{t+1}·f_t(x_t, θ_t) − R_t", fontsize=10)
    for ax in axes:
        ax.set_xticks(list(ticks))
        ax.set_xticklabels([str(t) for t in ticks])
        ax.set_xlabel("layer t")
        ax.grid(alpha=0.3)
    fig.suptitle(f"PMP at the final parameters, {rows} training samples")
    fig.tight_layout()
    table = "".join(f"<tr><td>{t}: {html.escape(layers[t])}</td><td>{r['stationarity'][t]:.3e}</td>"
                    f"<td>{r['hamiltonian'][t]:.4g}</td></tr>" for t in ticks)
    body = ("<p>Training as optimal control: at a PMP point every layer's parameters maximise its "
            "Hamiltonian, so ∇_θ H_t = 0 (REFERENCE F8). The residual per layer shows how far the "
            "final parameters are from that, on the first training samples; the state and "
            f"costate equations hold exactly on this trajectory (max residuals {max(r['state']):.1e}, "
            f"{max(r['costate']):.1e}).</p><table><tr><td>layer</td><td>‖∇_θ H_t‖</td><td>H_t</td></tr>"
            f"{table}</table>")
    return ("Optimal control: the maximum principle at the final parameters", body, [("pmp", fig)])


@section
def sgd_dynamics_section(run):
    """SGD as a stochastic dynamical system (REFERENCE F15–F20): the "dynamics" metric lines
    over training, the noise floor of constant-rate SGD at the end, and SGD against its
    stochastic modified equations on the quadratic oracle."""
    from . import sde
    records = run.dynamics
    if not records:
        return None
    train = run.config.get("train", {})
    lr = float(train.get("lr", 1e-3))
    names = layer_names(run.config)
    last = records[-1]
    lrs = [0.2, 0.1, 0.05, 0.025, 0.0125]
    first, second = (sde.quadratic_weak_errors(lrs, order=o) for o in (1, 2))

    def order(v):
        return "–" if v != v else f"{v:.2f}"

    table = "".join(f"<tr><td>{lr_:g}</td><td>{a['error']:.3e}</td><td>{order(a['order'])}</td>"
                    f"<td>{b['error']:.3e}</td><td>{order(b['order'])}</td></tr>"
                    for lr_, a, b in zip(lrs, first, second))
    alpha = last["tail_index"]
    body = (
        f"<p>Every {html.escape(str(train.get('dynamics_every')))} epoch(s), on the first "
        f"{last['probe_samples']} training samples: the per-sample gradient covariance Σ from the "
        "costate pass run one sample at a time, the noise of a minibatch of B samples (Σ/B) against "
        "the squared full gradient, the tail index α̂ of that noise (Şimşekli et al.; 2 is "
        "Gaussian), the sharpness λ_max of the Hessian (Lanczos on Hessian-vector products) beside "
        "the threshold 2/η above which gradient descent at rate η is unstable along the top "
        "direction, and the per-layer signal-to-noise ratio.</p>"
        f"<p>At the end: SGD temperature g = η(N/B − 1) = {last['noise_scale']:.4g}; "
        f"tr Σ = {last['covariance_trace']:.4g} with effective rank {last['effective_rank']:.1f} "
        f"(the noise is highly anisotropic); α̂ = {alpha if alpha is None else format(alpha, '.3f')}; "
        f"sharpness {last['sharpness']:.4g} against 2/η = {2 / lr:.4g}. Near a minimum, constant-rate "
        "SGD is an Ornstein–Uhlenbeck process whose stationary excess loss is ½tr(AΣ_θ) = "
        f"(η/4B) tr Σ = {last['sgd_noise_floor']:.3g} (Mandt et al.; valid for plain SGD), against "
        f"a final training loss of {last['loss']:.4g} on these samples.</p>"
        "<p>SGD against its stochastic modified equations on the exact oracle of REFERENCE F15 "
        "(f = ½x², unit gradient noise, x₀ = 1, T = 1, g = x²): the weak error |E x_K² − E X_T²| "
        "shrinks as η for the first-order SME and as η² for the second-order one.</p>"
        "<table><tr><td>η</td><td>order-1 error</td><td>order</td><td>order-2 error</td>"
        f"<td>order</td></tr>{table}</table>")
    return ("SGD as a stochastic dynamical system: noise, tails, sharpness", body,
            [("sgd_dynamics", figures.sgd_dynamics(records, lr, names))])


@section
def infoplane_section(run):
    """The information plane over training (REFERENCE F21): the "infoplane" metric lines."""
    records = run.infoplane
    if not records:
        return None
    names = layer_names(run.config)
    rows = []
    for t in range(len(records[0]["layers"])):
        values = [r["layers"][t]["i_xt"] for r in records]
        peak = max(range(len(values)), key=values.__getitem__)
        rows.append(f"<tr><td>{html.escape(names[t] if t < len(names) else str(t))}</td>"
                    f"<td>{values[0]:.3f}</td><td>{values[peak]:.3f} (epoch {records[peak]['epoch']})"
                    f"</td><td>{values[-1]:.3f}</td><td>{values[-1] / max(values[peak], 1e-12):.2f}</td>"
                    f"<td>{records[-1]['layers'][t]['i_ty']:.3f}</td></tr>")
    body = ("<p>Each layer's activity T on the whole dataset (the enumerated inputs X) as a point "
            "(I(X;T), I(T;Y)) in bits, at log-spaced epochs (Shwartz-Ziv & Tishby). A rise of both is "
            "fitting; a later fall of I(X;T) at constant I(T;Y) is compression, which Saxe et al. tie "
            "to saturating activations (tanh compresses, ReLU does not) and to the binning estimator, "
            f"here {html.escape(str(records[0].get('estimator')))}.</p>"
            "<table><tr><td>layer</td><td>I(X;T) at start</td><td>peak</td><td>end</td>"
            f"<td>end/peak</td><td>I(T;Y) at end</td></tr>{''.join(rows)}</table>")
    body += ("<p>Beside it, per layer, the norms of the mean and of the standard deviation of the "
             "minibatch gradient on the training rows: drift while the mean dominates, diffusion "
             "once the noise does.</p>")
    return ("Information plane", body, [("infoplane", figures.information_plane(records, names)),
                                        ("gradient_phases", figures.gradient_phases(records, names))])


@section
def continuous_depth_section(run):
    """Networks with residual, ODE or Hamiltonian layers read as ODE discretisations (REFERENCE
    F6, F7): per-layer forward stability at the final parameters, the Lyapunov exponents of the
    whole network, and the ODE blocks' evaluations over training."""
    import numpy as np
    from . import _core
    kinds = [layer.get("type") for layer in run.config.get("model", {}).get("layers", [])]
    if not any(k in ("residual", "ode", "hamiltonian") for k in kinds):
        return None
    if not (run.path / "checkpoint.npz").is_file():
        return None
    config, train, problem, theta = trained_network(run)
    X = np.asarray(train.inputs[:8], dtype=float)
    stability = _core.spectrum.layer_stability(problem, theta, X)
    names = layer_names(run.config)
    k = min(5, *state_widths(problem, theta, X[0]))
    exponents, growth = _core.spectrum.lyapunov_exponents(problem, theta, X[0], k=k, seed=0)
    rows = []
    for s in stability:
        field = (f"<td>{s['max_real']:.3g}</td><td>{s['max_amplification']:.4f}</td>"
                 f"<td>{s['step']:.3g}</td>") if s["is_step"] else "<td>–</td><td>–</td><td>–</td>"
        name = names[s["layer"]] if s["layer"] < len(names) else str(s["layer"])
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{s['spectral_radius']:.4f}</td>"
                    f"<td>{s['abs_determinant']:.3g}</td>{field}</tr>")
    body = ("<p>Each width-keeping layer at the final parameters, on 8 training inputs: ρ(f_x), "
            "the largest |eigenvalue| of its Jacobian, and |det f_x|; for a layer that is a step "
            "of dx/dt = g(x) (residual x + h g(x), or an ODE block at its nominal step T/N) the "
            "field's max Re λ(g_x) (≤ 0: a stable field; ≈ 0: no information lost) and the "
            "scheme's max |R(hλ)| (≤ 1: the explicit step is stable along every eigendirection; "
            "Haber &amp; Ruthotto).</p><table><tr><td>layer</td><td>ρ(f_x)</td><td>|det f_x|</td>"
            "<td>max Re λ(g_x)</td><td>max |R(hλ)|</td><td>h</td></tr>" + "".join(rows) +
            "</table><p>Lyapunov exponents of forward propagation at the first input (QR method "
            "over the layers, per layer): " +
            ", ".join(f"{e:.3f}" for e in exponents) + " (positive: perturbations grow).</p>")
    figs = [("lyapunov", figures.lyapunov_growth(growth, names))]
    ode_layers = [t for t, kind in enumerate(kinds) if kind == "ode"]
    if ode_layers:
        body += ode_gradient_gap(config, train, theta, ode_layers, names)
        traces, labels = ode_trajectories(config, train, theta, ode_layers[0])
        figs.append(("ode_trajectories", figures.ode_trajectories(traces, labels,
                                                                  names[ode_layers[0]])))
    ode_epochs = [e for e in run.epochs if e.get("ode")]
    if ode_epochs:
        body += ("<p>Evaluations of each ODE block's field per forward pass and per costate pass "
                 "over the epochs (constant for fixed steps; adaptive solvers spend more as the "
                 "learned dynamics stiffen).</p>")
        figs.append(("ode_nfe", figures.ode_nfe(ode_epochs, names)))
    return ("Continuous depth: stability, Lyapunov exponents, NFE", body, figs)


def with_ode_layers(config, shape, **changes):
    """The configured network with the given LayerSpec fields changed on every ODE layer."""
    spec = config.network(shape)
    layers = spec.layers
    for layer in layers:
        if layer.type == "ode":
            for key, value in changes.items():
                setattr(layer, key, value)
    spec.layers = layers
    return spec


def ode_gradient_gap(config, train, theta, ode_layers, names):
    """HTML: per ODE layer, how far the continuous adjoint's gradient of J is from the exact
    discrete one at the final parameters, on 64 training samples."""
    import numpy as np
    from . import _core
    X = np.asarray(train.inputs[:64], dtype=float)
    Y = np.asarray(train.targets[:64], dtype=float)
    grads = {}
    for mode in ("discrete", "adjoint"):
        problem = _core.build_problem(with_ode_layers(config, train.input_shape, gradient=mode))
        grads[mode] = problem.gradient(X, Y, theta)[1]
    rows = "".join(
        f"<tr><td>{html.escape(names[t])}</td><td>"
        f"{np.linalg.norm(grads['adjoint'][t] - grads['discrete'][t]) / max(np.linalg.norm(grads['discrete'][t]), 1e-300):.2e}"
        "</td></tr>" for t in ode_layers)
    return ("<p>The continuous adjoint (optimise-then-discretise) reconstructs the state "
            "backwards and is an approximation of the exact gradient of the discretised block; "
            "at the final parameters, on 64 training samples, its relative distance "
            "‖∇_adjoint − ∇_discrete‖/‖∇_discrete‖ per ODE block (near 1: not to be trusted):"
            f"</p><table><tr><td>layer</td><td>gradient gap</td></tr>{rows}</table>")


def ode_trajectories(config, train, theta, layer, points=21, samples=24):
    """The hidden state x(t) through ODE block `layer` for the first training samples at
    `points` times in [0, T] (the block alone re-run from its input x(0) with time t and
    proportionally many steps), and the samples' class labels."""
    import numpy as np
    from . import _core
    spec = config.network(train.input_shape)
    X = np.asarray(train.inputs[:samples], dtype=float)
    Y = np.asarray(train.targets[:samples], dtype=float)
    network = _core.build_problem(spec)
    start = np.asarray(network.rollout(X, np.zeros((len(X), int(np.prod(network.output_shape)))),
                                       theta).states[layer])
    block = spec.layers[layer]
    time, steps = block.time, block.steps
    traces = [start]
    for k in range(1, points):
        block.time = time * k / (points - 1)
        block.steps = max(1, round(steps * k / (points - 1)))
        alone = _core.build_problem(_core.NetworkSpec((start.shape[1], 1, 1), [block],
                                                      loss="squared_error"))
        traces.append(np.asarray(alone.rollout(start, np.zeros_like(start), [theta[layer]])
                                 .states[-1]))
    labels = np.argmax(Y, axis=1) if Y.shape[1] > 1 else np.zeros(len(X), dtype=int)
    return np.stack(traces), labels


@section
def posterior_section(run):
    """Bayesian prediction by Langevin dynamics (REFERENCE F24): the "posterior" lines of an
    sgld/psgld run."""
    records = run.posterior
    if not records:
        return None
    train = run.config.get("train", {})
    last = records[-1]
    rows = "".join(
        f"<tr><td>{name}</td><td>{last[key]['accuracy']:.4f}</td><td>{last[key]['nll']:.4f}</td>"
        f"<td>{last[key]['ece']:.4f}</td></tr>"
        for key, name in (("iterate", "last iterate"),
                          ("predictive", f"posterior predictive, {last['samples']} samples")))
    body = (f"<p>{html.escape(str(train.get('optimizer')))} at temperature "
            f"{html.escape(str(train.get('temperature', 1)))} samples exp(−N·J(θ)/T): the L2 running "
            "cost is the Gaussian prior, and the iterates after the burn-in (epoch "
            f"{last['burn_in']}) are posterior samples. Averaging their softmax outputs on the test "
            "split gives the posterior predictive; a single iterate is a point estimate. The "
            "expected calibration error measures the gap between confidence and accuracy "
            "(Guo et al.). `deepctl sample CONFIG --mala STEPS` compares the same sampler with an "
            "exact Metropolis-adjusted chain and with the noise-free point estimate.</p>"
            "<table><tr><td></td><td>accuracy</td><td>NLL</td><td>ECE</td></tr>"
            f"{rows}</table>")
    return ("Bayesian prediction by Langevin dynamics", body,
            [("posterior", figures.posterior_predictive(records))])


def embedded_png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode("ascii")


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>deepctl study: {title}</title>
<style>
body {{ font-family: sans-serif; max-width: 1000px; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; }} td {{ padding: 4px 10px; border-bottom: 1px solid #ddd; vertical-align: top; }}
td:first-child {{ font-weight: bold; white-space: nowrap; }}
figure {{ margin: 1em 0; }} img {{ max-width: 100%; border: 1px solid #eee; }}
figcaption {{ font-size: 0.85em; color: #555; }}
</style></head>
<body>
<h1>deepctl study: {title}</h1>
<p>Run folder <code>{path}</code>; deepctl {version}.</p>
<h2>Summary</h2>
<table>{rows}</table>
{sections}
<script>
// Marks the page with how many figures decoded, for the browser test; logs an error for any
// figure that failed to load.
window.addEventListener("load", () => {{
  const imgs = Array.from(document.querySelectorAll("img.figure"));
  const bad = imgs.filter(i => !(i.complete && i.naturalWidth > 0));
  bad.forEach(i => console.error("figure failed to load: " + i.alt));
  document.body.dataset.figures = imgs.length;
  document.body.dataset.figuresLoaded = imgs.length - bad.length;
  document.body.dataset.figureRects = JSON.stringify(imgs.map(i => {{
    const r = i.getBoundingClientRect();
    return [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height];
  }}));
}});
</script>
</body></html>
"""


def section_html(title, body, figs, directory, subdir):
    """One <section>: its title, body and figures, each saved as directory/subdir/NAME.png and
    .svg and embedded as PNG."""
    blocks = [f"<section><h2>{html.escape(title)}</h2>{body}"]
    for name, fig in figs:
        stem = pathlib.Path(subdir) / name
        figures.save(fig, directory / stem)
        blocks.append(f'<figure><img class="figure" alt="{name}" '
                      f'src="data:image/png;base64,{embedded_png(fig)}">'
                      f"<figcaption>{stem}.png, {stem}.svg</figcaption></figure>")
        plt.close(fig)
    return "".join(blocks) + "</section>"


def write_page(directory, title, rows, sections):
    """DIRECTORY/report.html from the summary rows (pairs) and section HTML, written atomically."""
    from . import __version__
    table = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>"
                    for k, v in rows)
    page = PAGE.format(title=html.escape(title), path=html.escape(str(directory)),
                       version=__version__, rows=table, sections="\n".join(sections))
    out = directory / "report.html"
    tmp = out.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out


def write_report(run_dir):
    """Writes RUN_DIR/report.html and RUN_DIR/figures/*.{png,svg}; returns the report path."""
    run = RunDir(run_dir)
    sections = []
    for make in SECTIONS:
        result = make(run)
        if result is not None:
            title, body, figs = result
            sections.append(section_html(title, body, figs, run.path, "figures"))
    return write_page(run.path, run.path.name, summary_rows(run), sections)


def trainability_summary(records, activation, sb2):
    """How the trained cells sit against L ≤ 6 ξ_c: a cell trained when its accuracy is above
    halfway between chance (1/10) and the best cell."""
    from . import meanfield
    best = max(r["accuracy"] for r in records)
    threshold = 0.1 + 0.5 * (best - 0.1)
    sw2 = sorted({r["sw2"] for r in records})
    xi = dict(zip(sw2, meanfield.phase_diagram(activation, sw2, [sb2])["xi_c"][0]))
    inside = [r for r in records if r["depth"] <= 6 * xi[r["sw2"]]]
    outside = [r for r in records if r not in inside]

    def share(rs):
        return sum(r["accuracy"] >= threshold for r in rs) / len(rs) if rs else float("nan")

    return {"threshold": threshold, "inside": len(inside), "inside_trained": share(inside),
            "outside": len(outside), "outside_trained": share(outside)}


def write_trainability_report(sweep_dir):
    """SWEEP_DIR/report.html for `deepctl trainability`: settings, the heatmap with ξ_c and
    6 ξ_c, and how the trained cells sit against 6 ξ_c."""
    sweep = pathlib.Path(sweep_dir)
    settings = json.loads((sweep / "sweep.json").read_text())
    records = []
    for line in (sweep / "trainability.jsonl").read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut by a kill
    if not records:
        raise ValueError(f"{sweep}: no finished jobs in trainability.jsonl")
    act, sb2 = settings["activation"], settings["sb2"]
    fig = figures.trainability(records, act, sb2, settings["width"])
    stats = trainability_summary(records, act, sb2)
    body = (f"<p>{len(records)} networks trained. A cell counts as trained when its accuracy is at "
            f"least {stats['threshold']:.3f} (halfway from chance to the best cell). Of the "
            f"{stats['inside']} cells with L ≤ 6 ξ_c, {100 * stats['inside_trained']:.0f}% trained; of "
            f"the {stats['outside']} beyond, {100 * stats['outside_trained']:.0f}% trained.</p>")
    section = section_html("Trainability against the depth scale", body, [("trainability", fig)], sweep, ".")
    return write_page(sweep, f"trainability sweep {sweep.name}", settings.items(), [section])


def _value(v, digits):
    return "–" if v is None else f"{v:.{digits}f}"


def write_compare_report(compare_dir):
    """DIR/report.html for `deepctl compare --out DIR`: the settings, the table of the
    optimisers (final test accuracy, or test loss for a regression, mean ± s.d.; steps, effective
    epochs and seconds to the target; first-epoch loss; cost per step, also relative to the first
    row) and the curves against step and wall time and of the training loss, which are saved as
    DIR/compare_step, compare_wall and compare_loss (.png and .svg)."""
    directory = pathlib.Path(compare_dir)
    summary = json.loads((directory / "compare.json").read_text())
    optimizers = summary["optimizers"]
    regression = all(o["test_accuracy_mean"] is None for o in optimizers if not o["diverged"])
    metric = "test_loss" if regression else "test_accuracy"
    first_cost = optimizers[0]["ms_per_step"]
    rows = []
    for o in optimizers:
        final = (f"diverged on {o['diverged']} of {summary['seeds']}" if o["diverged"] else
                 f"{_value(o[metric + '_mean'], 4)} ± {_value(o[metric + '_std'], 4)}")
        relative = o["ms_per_step"] / first_cost if first_cost else None
        cells = [o["name"], final, _value(o["steps_to_target"], 0),
                 _value(o["effective_epochs_to_target"], 1), _value(o["seconds_to_target"], 3),
                 _value(o["first_epoch_loss"], 4), _value(o["ms_per_step"], 3),
                 _value(relative, 2)]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    head = ["optimiser", ("final test loss" if regression else "final test accuracy") +
            " (mean ± s.d.)", "steps to target", "effective epochs to target", "s to target",
            "first-epoch loss", "ms per step", "× first row"]
    target = ("" if regression else f" The target accuracy is {summary['target_accuracy']:.4g};"
              " the columns to it are means over the seeds that reached it, '–' if one did not.")
    body = (f"<p>Each optimiser trained {summary['seeds']} times (seeds 0..{summary['seeds'] - 1}"
            f" for initialisation and minibatch order) on {html.escape(summary['config'])}.{target}"
            " The first-epoch loss is the mean minibatch training loss over the first epoch: how"
            " fast the loss falls per iteration early on (REFERENCE F8–F12).</p><table><tr>" +
            "".join(f"<td>{h}</td>" for h in head) + "</tr>" + "".join(rows) + "</table>")
    figs = [("compare_step", figures.compare_curves(summary, "step")),
            ("compare_wall", figures.compare_curves(summary, "wall_time")),
            ("compare_loss", figures.compare_losses(summary))]
    section = section_html("Optimisers compared", body, figs, directory, ".")
    settings = [("config", summary["config"]), ("seeds", summary["seeds"]),
                ("optimisers", ", ".join(o["name"] for o in optimizers))]
    return write_page(directory, f"optimisers compared, {directory.name}", settings, [section])


def main(argv):
    if len(argv) == 2 and argv[0] in ("--trainability", "--compare"):
        write = write_trainability_report if argv[0] == "--trainability" else write_compare_report
        # compare's stdout holds its table or JSON, so its page is announced on stderr.
        where = sys.stdout if argv[0] == "--trainability" else sys.stderr
        try:
            print(f"report: {write(argv[1])}", file=where)
        except (ValueError, OSError, KeyError) as e:
            print(f"deepctl.report: error: {e}", file=sys.stderr)
            return 2
        return 0
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print("usage: python3 -m deepctl.report RUN_DIR   writes RUN_DIR/report.html\n"
              "       python3 -m deepctl.report --trainability SWEEP_DIR\n"
              "       python3 -m deepctl.report --compare COMPARE_DIR")
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        print(f"report: {write_report(argv[0])}")
    except ValueError as e:
        print(f"deepctl.report: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
