"""Figures with matplotlib (Agg backend, no display needed). Each function takes the metric
records a run folder holds (RunDir.steps / .epochs / .layer_stats) or that a History callback
collected, returns a matplotlib Figure, and save() writes it as PNG and SVG.

    run = deepctl.RunDir("runs/default")
    fig = training_curves(run.steps, run.epochs, x="wall_time")
    save(fig, "curves")          # curves.png, curves.svg
"""
import pathlib
import sys

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LAYER_PANELS = [
    ("weight_rms", "weights: rms of θ_t"),
    ("grad_rms", "gradients: rms of ∇θ_t J"),
    ("activation_std", "activations: std of x_{t+1}"),
    ("costate_rms", "costates: rms of p_{t+1} (per sample)"),
]


def training_curves(steps, epochs, x="step"):
    """Minibatch loss and per-epoch train/test loss against x = "step" or "wall_time", with
    test accuracy on a second axis."""
    label = {"step": "step", "wall_time": "wall time (s)"}[x]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    if steps:
        ax.plot([s[x] for s in steps], [s["loss"] for s in steps], lw=1, alpha=0.6,
                color="tab:blue", label="minibatch J")
    if epochs:
        ex = [e[x] for e in epochs]
        ax.plot(ex, [e["train_loss"] for e in epochs], "o-", color="tab:blue", label="train J (epoch mean)")
        test = [e["test_loss"] for e in epochs]
        if any(t is not None for t in test):
            ax.plot(ex, test, "s-", color="tab:orange", label="test loss")
        acc = [e["test_accuracy"] for e in epochs]
        if any(a is not None for a in acc):
            ax2 = ax.twinx()
            ax2.plot(ex, acc, "^-", color="tab:green", label="test accuracy")
            ax2.set_ylabel("test accuracy", color="tab:green")
            ax2.set_ylim(0, 1)
    ax.set_xlabel(label)
    ax.set_ylabel("loss")
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(f"training curves against {label}")
    fig.tight_layout()
    return fig


def layer_statistics(layer_stats, names=None):
    """Per-layer weights, gradients, activations and costates over training: one line per
    layer in each of four panels, against step."""
    fig, axes = plt.subplots(2, 2, figsize=(9, 6), dpi=100, sharex=True)
    if layer_stats:
        steps = [r["step"] for r in layer_stats]
        count = len(layer_stats[0]["layers"])
        colors = plt.cm.viridis([t / max(count - 1, 1) for t in range(count)])
        for ax, (key, title) in zip(axes.flat, LAYER_PANELS):
            for t in range(count):
                name = names[t] if names else f"layer {t}"
                ax.plot(steps, [r["layers"][t][key] for r in layer_stats], color=colors[t], label=name)
            ax.set_title(title, fontsize=10)
            ax.set_yscale("log")
            ax.grid(alpha=0.3)
        axes[0, 0].legend(fontsize=7)
    for ax in axes[1]:
        ax.set_xlabel("step")
    fig.suptitle("per-layer statistics on a fixed probe batch")
    fig.tight_layout()
    return fig


def sgd_dynamics(records, lr, names=None):
    """SGD's noise and curvature over training ("dynamics" metric lines): noise against signal,
    the tail index of the noise, the sharpness against the stability threshold 2/η, and the
    per-layer signal-to-noise ratio of a minibatch gradient."""
    epochs = [r["epoch"] for r in records]
    fig, axes = plt.subplots(2, 2, figsize=(9, 6), dpi=100, sharex=True)
    ax = axes[0, 0]
    ax.plot(epochs, [r["covariance_trace"] / r["batch"] for r in records], "o-",
            label="tr Σ / B (minibatch noise)")
    ax.plot(epochs, [r["mean_gradient_norm"] ** 2 for r in records], "s-", label="‖∇J‖² (signal)")
    ax.set_yscale("log")
    ax.set_title("gradient noise and signal", fontsize=10)
    ax.legend(fontsize=8)
    ax = axes[0, 1]
    ax.plot(epochs, [r["tail_index"] if r["tail_index"] is not None else np.nan for r in records],
            "o-", color="tab:purple")
    ax.axhline(2.0, color="gray", ls="--", label="α = 2 (Gaussian)")
    ax.set_ylim(0, 2.2)
    ax.set_title("tail index α̂ of the minibatch noise", fontsize=10)
    ax.legend(fontsize=8)
    ax = axes[1, 0]
    ax.plot(epochs, [r["sharpness"] for r in records], "o-", color="tab:red", label="λ_max(H)")
    ax.axhline(2.0 / lr, color="gray", ls="--", label=f"2/η = {2.0 / lr:.3g}")
    ax.set_yscale("log")
    ax.set_title("sharpness (top Hessian eigenvalue)", fontsize=10)
    ax.legend(fontsize=8)
    ax = axes[1, 1]
    count = len(records[0]["snr"]) if records else 0
    colors = plt.cm.viridis([t / max(count - 1, 1) for t in range(count)])
    for t in range(count):
        ax.plot(epochs, [r["snr"][t] if r["snr"][t] is not None else np.nan for r in records],
                "o-", color=colors[t], label=names[t] if names else f"layer {t}")
    ax.set_yscale("log")
    ax.set_title("per-layer SNR ‖ḡ_t‖² / (tr Σ_t / B)", fontsize=10)
    ax.legend(fontsize=7)
    for ax in axes.flat:
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("epoch")
    fig.suptitle(f"SGD dynamics on {records[0]['probe_samples'] if records else 0} training samples")
    fig.tight_layout()
    return fig


def information_plane(records, names=None):
    """The information plane ("infoplane" metric lines): I(T;Y) against I(X;T) for each layer,
    one curve per layer, its points coloured by epoch on a log scale (Shwartz-Ziv & Tishby's
    figure)."""
    from matplotlib.colors import LogNorm
    fig, ax = plt.subplots(figsize=(7, 5), dpi=100)
    epochs = np.array([max(r["epoch"], 1) for r in records], dtype=float)
    norm = LogNorm(vmin=epochs.min(), vmax=max(epochs.max(), epochs.min() + 1))
    count = len(records[0]["layers"]) if records else 0
    for t in range(count):
        x = [r["layers"][t]["i_xt"] for r in records]
        y = [r["layers"][t]["i_ty"] for r in records]
        ax.plot(x, y, "-", color="gray", lw=0.8, alpha=0.6)
        points = ax.scatter(x, y, c=epochs, cmap="viridis", norm=norm, s=22, zorder=3)
        ax.annotate(names[t] if names else f"layer {t}", (x[-1], y[-1]), fontsize=7,
                    xytext=(4, -10), textcoords="offset points")
    if count:
        fig.colorbar(points, ax=ax, label="epoch")
        estimator = records[0].get("estimator", "binning")
        detail = (f"{records[0].get('bins')} edges / cells of {records[0].get('bin_width')}"
                  if estimator == "binning" else f"noise variance {records[0].get('noise_variance')}")
        ax.set_title(f"information plane ({estimator}: {detail}; {records[0].get('samples')} inputs)",
                     fontsize=10)
    ax.set_xlabel("I(X;T) [bits]")
    ax.set_ylabel("I(T;Y) [bits]")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def gradient_phases(records, names=None):
    """Per layer, the norm of the mean minibatch gradient and of its standard deviation against
    epoch ("infoplane" lines: grad_mean, grad_std), Shwartz-Ziv & Tishby's drift (mean ≫ std)
    and diffusion (std ≫ mean) phases."""
    epochs = [max(r["epoch"], 1) for r in records]
    count = len(records[0]["layers"]) if records else 0
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    colors = plt.cm.viridis([t / max(count - 1, 1) for t in range(count)])
    for t in range(count):
        label = names[t] if names else f"layer {t}"
        ax.plot(epochs, [r["layers"][t]["grad_mean"] for r in records], "-", color=colors[t],
                label=f"{label}: ‖mean‖")
        ax.plot(epochs, [r["layers"][t]["grad_std"] for r in records], "--", color=colors[t],
                label=f"{label}: ‖std‖")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("norm of the minibatch gradient's mean / std")
    ax.set_title("drift (mean ≫ std) and diffusion (std ≫ mean) phases", fontsize=10)
    ax.legend(fontsize=6, ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def posterior_predictive(records):
    """A Langevin run's "posterior" lines: test NLL and ECE of the running posterior predictive
    and of the current iterate against epoch, and the last line's reliability diagrams
    (accuracy against confidence per bin; the diagonal is perfect calibration)."""
    epochs = [r["epoch"] for r in records]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), dpi=100)
    for ax, key, title in ((axes[0], "nll", "test NLL"), (axes[1], "ece", "test ECE (15 bins)")):
        ax.plot(epochs, [r["predictive"][key] for r in records], "-", color="tab:blue", zorder=3,
                label="posterior predictive (running average)")
        ax.plot(epochs, [r["iterate"][key] for r in records], "-", color="tab:orange", alpha=0.6,
                lw=0.8, label="current iterate")
        ax.set_xlabel("epoch")
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    ax = axes[2]
    ax.plot([0, 1], [0, 1], "k:", lw=1, label="calibrated")
    last = records[-1]
    for key, color, label in (("predictive", "tab:blue", "posterior predictive"),
                              ("iterate", "tab:orange", "last iterate")):
        bins = [b for b in last[key].get("reliability", []) if b["count"] > 0]
        ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o-", color=color,
                ms=4, label=f"{label}, ECE {last[key]['ece']:.3f}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("confidence (mean of the bin)")
    ax.set_ylabel("accuracy in the bin")
    ax.set_title(f"reliability at epoch {last['epoch']}", fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def spiral(result):
    """The spiral demo (deepctl ode --out: spiral.json): the observed and the learned
    trajectories in the phase plane, both coordinates against time, and the test error over
    the iterations."""
    t = np.asarray(result["times"])
    observed, fitted = np.asarray(result["observed"]), np.asarray(result["fitted"])
    fig, axes = plt.subplots(1, 3, figsize=(13, 4), dpi=100)
    ax = axes[0]
    ax.plot(observed[:, 0], observed[:, 1], "g-", lw=1.5, label="observed: dy/dt = A y³")
    ax.plot(fitted[:, 0], fitted[:, 1], "b--", lw=1.2, label="Neural ODE from y(0)")
    ax.set_xlabel("y₁")
    ax.set_ylabel("y₂")
    ax.set_title("phase portrait", fontsize=10)
    ax.legend(fontsize=7)
    ax = axes[1]
    for j, style in ((0, "-"), (1, ":")):
        ax.plot(t, observed[:, j], "g" + style, lw=1.2, label=f"observed y{j + 1}")
        ax.plot(t, fitted[:, j], "b" + style, lw=1.0, alpha=0.8, label=f"learned y{j + 1}")
    ax.set_xlabel("t")
    ax.set_title("trajectories", fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    ax = axes[2]
    history = result.get("history", [])
    iterations = [h["iteration"] for h in history]
    ax.plot(iterations, [h["test_loss"] for h in history], "k.-",
            label="test: mean |ŷ − y| over the trajectory")
    gaps = [np.nan if h.get("gradient_gap") is None else h["gradient_gap"] for h in history]
    ax.plot(iterations, gaps, "r.:",
            label="‖∇adjoint − ∇discrete‖ / ‖∇discrete‖")
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.legend(fontsize=7)
    o = result.get("options", {})
    ax.set_title(f"{o.get('solver')}, {o.get('gradient')} gradient", fontsize=10)
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def lyapunov_growth(log_growth, names=None):
    """Per layer, log |R_t(i, i)| of the QR method (the growth of each direction of the
    frame through layer t); their means over the layers are the Lyapunov exponents."""
    growth = np.asarray(log_growth)
    fig, ax = plt.subplots(figsize=(7, 3.8), dpi=100)
    for i in range(growth.shape[1]):
        ax.plot(range(growth.shape[0]), growth[:, i], "o-", ms=3, label=f"direction {i + 1}")
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(range(growth.shape[0]))
    if names:
        ax.set_xticklabels([n.split(" ")[0] for n in names[:growth.shape[0]]], rotation=30,
                           fontsize=7)
    ax.set_ylabel("log |R_t(i, i)|")
    ax.set_title("growth of perturbations per layer (> 0: stretched)", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def ode_trajectories(traces, labels, name=""):
    """Hidden-state trajectories x(t) through an ODE block (traces: times × samples × width),
    projected on the two leading principal axes of all their points, coloured by class."""
    times, samples, width = traces.shape
    flat = traces.reshape(-1, width)
    centred = flat - flat.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    projected = (centred @ vt[:2].T).reshape(times, samples, 2)
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=100)
    colors = plt.cm.tab10(np.asarray(labels) % 10)
    for s in range(samples):
        ax.plot(projected[:, s, 0], projected[:, s, 1], "-", color=colors[s], lw=1, alpha=0.8)
        ax.plot(projected[0, s, 0], projected[0, s, 1], "o", color=colors[s], ms=3)
        ax.plot(projected[-1, s, 0], projected[-1, s, 1], "s", color=colors[s], ms=4)
    ax.set_xlabel("principal axis 1")
    ax.set_ylabel("principal axis 2")
    ax.set_title(f"x(t) through {name} (o: t = 0, ■: t = T; colour: class)", fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def ode_nfe(epochs, names=None):
    """Per ODE block, evaluations of its field per forward and per costate pass against
    epoch (the "ode" entries of epoch lines)."""
    fig, ax = plt.subplots(figsize=(7, 3.8), dpi=100)
    for i, block in enumerate(epochs[0]["ode"]):
        t = block["layer"]
        label = names[t] if names and t < len(names) else f"layer {t}"
        x = [e["epoch"] for e in epochs]
        ax.plot(x, [e["ode"][i]["nfe_forward"] for e in epochs], "o-", label=f"{label}: forward")
        ax.plot(x, [e["ode"][i]["nfe_backward"] for e in epochs], "s--",
                label=f"{label}: costate")
    ax.set_xlabel("epoch")
    ax.set_ylabel("evaluations per pass (NFE)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def phase_diagram(grid, activation, point=None, depth=None):
    """ξ_c over (σ_w², σ_b²) as a heatmap (log scale) with the critical line χ_1 = 1.

    grid: a dict with sw2, sb2 (axes) and xi_c, chi1 of shape (len(sb2), len(sw2)), as
    deepctl.meanfield.phase_diagram returns or read_phase_csv reads. point: (σ_w², σ_b²) of a
    network to mark, with its depth when given."""
    from . import meanfield
    sw2, sb2 = np.asarray(grid["sw2"]), np.asarray(grid["sb2"])
    xi = np.where(np.isfinite(grid["xi_c"]), grid["xi_c"], np.nan)
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    extent = [sw2[0], sw2[-1], sb2[0], sb2[-1]]
    image = ax.imshow(np.log10(np.clip(xi, 0.1, 1e4)), origin="lower", aspect="auto", extent=extent,
                      cmap="magma", vmin=-0.5, vmax=3)
    fig.colorbar(image, ax=ax, label="log10 ξ_c (depth scale of correlations)")
    critical = [meanfield.critical_point(activation, b)["sw2"] for b in sb2]
    ax.plot(critical, sb2, "c-", lw=2, label="critical line χ_1 = 1")
    if point is not None:
        label = "this network" + (f" (depth {depth})" if depth else "")
        ax.plot([point[0]], [point[1]], "o", ms=9, mfc="lime", mec="k", label=label)
    ax.set_xlim(sw2[0], sw2[-1])
    ax.set_ylim(sb2[0], sb2[-1])
    ax.set_xlabel("σ_w² (weight variance)")
    ax.set_ylabel("σ_b² (bias variance)")
    ax.set_title(f"order–chaos phase diagram, {activation}: ordered left of the line, chaotic right")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def trainability(records, activation, sb2, width=None):
    """Accuracy after brief SGD training over (σ_w², depth), with the mean-field depth scales ξ_c
    and 6 ξ_c overlaid (Schoenholz et al. 2017). records: dicts with depth, sw2, accuracy."""
    from . import meanfield
    sw2 = np.array(sorted({r["sw2"] for r in records}))
    depths = np.array(sorted({r["depth"] for r in records}))
    acc = np.full((len(depths), len(sw2)), np.nan)
    for r in records:
        acc[np.searchsorted(depths, r["depth"]), np.searchsorted(sw2, r["sw2"])] = r["accuracy"]
    def edges(v):  # cell boundaries halfway between the (possibly uneven) grid values
        v = v.astype(float)
        if len(v) == 1:
            return np.array([v[0] - 0.5, v[0] + 0.5])
        mid = (v[1:] + v[:-1]) / 2
        return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])

    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    ew, ed = edges(sw2), edges(depths)
    image = ax.pcolormesh(ew, ed, acc, cmap="viridis", vmin=0, vmax=1)
    fig.colorbar(image, ax=ax, label="training accuracy after brief SGD")
    fine = np.linspace(ew[0], ew[-1], 200)
    xi = meanfield.phase_diagram(activation, fine, [sb2])["xi_c"][0]
    ax.plot(fine, xi, "w--", lw=1.5, label="ξ_c")
    ax.plot(fine, 6 * xi, "w-", lw=2, label="6 ξ_c")
    ax.set_xlim(ew[0], ew[-1])
    ax.set_ylim(ed[0], ed[-1])
    ax.set_xlabel("σ_w² (weight variance)")
    ax.set_ylabel("depth L (weight layers)")
    title = f"trainability, {activation}, σ_b² = {sb2:g}" + (f", width {width}" if width else "")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig


def compare_curves(summary, x="step"):
    """Test accuracy of every optimiser's runs (thin) and their mean (thick) against x = "step"
    or "wall_time", from the compare.json `deepctl compare --out` writes (its report.html shows
    it); the test loss (log
    scale) when no run has an accuracy (a regression)."""
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    classified = any(a is not None for opt in summary["optimizers"] for r in opt["runs"]
                     for a in r["test_accuracy"])
    metric = "test_accuracy" if classified else "test_loss"
    for i, opt in enumerate(summary["optimizers"]):
        color = plt.cm.tab10(i % 10)
        runs = [r for r in opt["runs"] if r[metric] and None not in r[metric]]
        for r in runs:
            ax.plot(r[x], r[metric], color=color, lw=0.8, alpha=0.4)
        if runs:
            n = min(len(r[x]) for r in runs)
            mean_x = np.mean([r[x][:n] for r in runs], axis=0)
            mean_y = np.mean([r[metric][:n] for r in runs], axis=0)
            ax.plot(mean_x, mean_y, color=color, lw=2, label=opt["name"])
    if classified:
        ax.axhline(summary["target_accuracy"], color="k", ls=":", lw=1, label="target")
    else:
        ax.set_yscale("log")
    ax.set_xlabel({"step": "step", "wall_time": "wall time (s)"}[x])
    ax.set_ylabel(metric.replace("_", " "))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"optimisers compared over {summary['seeds']} seeds")
    fig.tight_layout()
    return fig


def compare_losses(summary):
    """Minibatch training loss (windows of 10 steps) of every optimiser's runs (thin) and their
    mean (thick) against step, log scale, from compare.json: how fast each falls per iteration."""
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    for i, opt in enumerate(summary["optimizers"]):
        color = plt.cm.tab10(i % 10)
        runs = [r for r in opt["runs"] if r.get("train_loss")]
        curves = [np.array([np.nan if v is None else v for v in r["train_loss"]]) for r in runs]
        for r, loss in zip(runs, curves):
            ax.plot(r["loss_step"], loss, color=color, lw=0.6, alpha=0.35)
        if runs:
            n = min(len(c) for c in curves)
            ax.plot(runs[0]["loss_step"][:n], np.mean([c[:n] for c in curves], axis=0),
                    color=color, lw=2, label=opt["name"])
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("minibatch training loss (mean of 10 steps)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    ax.set_title(f"training loss per iteration, {summary['seeds']} seeds")
    fig.tight_layout()
    return fig


def jacobian_spectrum(result):
    """The law of the squared singular values λ of the input–output Jacobian from `deepctl
    spectrum`'s JSON against free probability: the density of log λ (bin mass / bin width in
    log λ) for exact spectra; for matrix-free ones the distribution function P(λ ≤ x), since
    stochastic Lanczos quadrature's nodes bracket that (Chebyshev–Markov–Stieltjes) but their
    histogram is spiky."""
    h, theory = result["histogram"], result["theory"]
    edges = np.asarray(h["edges"])
    measured, predicted = np.asarray(h["measured"]), np.asarray(h["predicted"], dtype=float)
    fig, ax = plt.subplots(figsize=(6.4, 4), dpi=100)
    label = f"measured ({result['method']}, {result['draws']} draws, N = {result['width']})"
    if result["method"] == "matrix-free":
        ax.step(edges, h["below"] + np.concatenate([[0], np.cumsum(measured)]), where="post",
                color="tab:blue", label=label)
        ax.plot(edges, h["predicted_below"] + np.concatenate([[0], np.cumsum(predicted)]),
                color="tab:red", lw=1.8, label="free probability, N → ∞")
        ax.set_ylabel("P(λ ≤ x)")
    else:
        widths = np.diff(np.log(edges))
        ax.stairs(measured / widths, edges, fill=True, alpha=0.35, color="tab:blue", label=label)
        ax.stairs(predicted / widths, edges, color="tab:red", lw=1.8,
                  label="free probability, N → ∞")
        ax.set_ylabel("density of log λ")
    ax.axvline(theory["edge"], color="tab:red", ls="--", lw=1, label=f"edge {theory['edge']:.4g}")
    ax.axvline(theory["mean"], color="gray", ls=":", lw=1, label=f"mean {theory['mean']:.4g}")
    ax.set_xscale("log")
    ax.set_xlabel("squared singular value λ of J")
    atom = f", mass at 0: {theory['atom']:.2g}" if theory["atom"] > 0 else ""
    ax.set_title(f"{result['activation']}, σ_w² {result['sw2']:.4g}, σ_b² {result['sb2']:g}, "
                 f"{result['weights']} weights, depth {result['depth']}{atom}", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def read_phase_csv(path):
    """The CSV `deepctl phase-diagram` writes, as the dict phase_diagram() takes."""
    data = np.genfromtxt(path, delimiter=",", names=True, dtype=None, encoding="utf-8",
                         missing_values="", filling_values=np.nan)
    sw2, sb2 = np.unique(data["sw2"]), np.unique(data["sb2"])
    shape = (len(sb2), len(sw2))
    return {"sw2": sw2, "sb2": sb2, **{k: np.asarray(data[k], dtype=float).reshape(shape)
                                       for k in ("q_star", "c_star", "chi1", "chi_c", "xi_q", "xi_c")}}


def save(fig, stem):
    """Writes stem.png and stem.svg; returns the two paths."""
    stem = pathlib.Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    for p in paths:
        fig.savefig(p)
    return paths


def main(argv):
    """python3 -m deepctl.figures phase-diagram CSV ACTIVATION OUT_STEM
       python3 -m deepctl.figures spiral SPIRAL_JSON OUT_STEM
       python3 -m deepctl.figures spectrum SPECTRUM_JSON OUT_STEM
       python3 -m deepctl.figures infoplane RUN_DIR   (writes RUN_DIR/figures/infoplane.*)"""
    if len(argv) == 4 and argv[0] == "phase-diagram":
        paths = save(phase_diagram(read_phase_csv(argv[1]), argv[2]), argv[3])
    elif len(argv) == 2 and argv[0] == "infoplane":
        from .runs import RunDir
        run = RunDir(argv[1])
        if not run.infoplane:
            print(f"{argv[1]}: no infoplane metric lines", file=sys.stderr)
            return 2
        (run.path / "figures").mkdir(exist_ok=True)
        paths = save(information_plane(run.infoplane), run.path / "figures" / "infoplane")
        paths += save(gradient_phases(run.infoplane), run.path / "figures" / "gradient_phases")
    elif len(argv) == 3 and argv[0] == "spectrum":
        import json
        paths = save(jacobian_spectrum(json.loads(pathlib.Path(argv[1]).read_text())), argv[2])
    elif len(argv) == 3 and argv[0] == "spiral":
        import json
        paths = save(spiral(json.loads(pathlib.Path(argv[1]).read_text())), argv[2])
    else:
        print(main.__doc__, file=sys.stderr)
        return 2
    print("figure: " + ", ".join(str(p) for p in paths), file=sys.stderr)  # stdout stays data
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
