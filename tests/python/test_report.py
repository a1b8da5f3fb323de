"""`deepctl study` end to end: it trains, writes a self-contained report.html, and headless
Chromium loads it with no console messages and every figure drawn. A doctored copy (a blank
figure, a script error) is caught by the same check, so the check can fail."""
import base64
import io
import json
import os
import pathlib
import subprocess

import matplotlib.pyplot as plt
import pytest

import deepctl as dc
from deepctl.browser import check_report
from deepctl.runs import cli_path

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    out = tmp_path_factory.mktemp("study") / "digits"
    proc = subprocess.run([str(cli_path()), "study", str(ROOT / "examples" / "digits_mlp.toml"),
                           "--out", str(out), "--set", "train.epochs=4", "--set", "train.threads=1",
                           "--set", "train.log_every=10"],
                          capture_output=True, text=True, env=os.environ | {"PYTHONPATH": ""})
    assert proc.returncode == 0, proc.stderr
    assert f"report: {out}/report.html" in proc.stdout
    return out


def test_report_is_self_contained_with_summary_and_sections(study):
    page = (study / "report.html").read_text()
    for needle in ("<h2>Summary</h2>", "digits", "dense 64 tanh → dense 10 linear", "adam",
                   "test accuracy 0.9", "wall time", "<h2>Training dynamics</h2>",
                   "<h2>Layers: weights, gradients, activations, costates</h2>",
                   "<h2>Mean field: signal propagation at initialisation</h2>",
                   "Critical initialisation for σ_b² = 0: σ_w² = 1",
                   "<h2>Optimal control: the maximum principle at the final parameters</h2>",
                   "<h2>SGD as a stochastic dynamical system: noise, tails, sharpness</h2>",
                   "1.651e-03", "5.372e-05"):
        assert needle in page
    assert "Dynamical isometry at this initialisation" in page
    for name in ("curves_step", "curves_wall", "layers", "phase_diagram", "jacobian_spectrum", "pmp",
                 "sgd_dynamics"):
        assert (study / "figures" / f"{name}.png").stat().st_size > 10_000
        assert (study / "figures" / f"{name}.svg").read_text().lstrip().startswith("<?xml")


def test_chromium_renders_every_figure_without_console_errors(study):
    result = check_report(study / "report.html", study / "report.png")
    assert result["figures"] == 7 and result["figures_loaded"] == 7
    assert result["console"] == [] and result["blank"] == [] and result["external"] == []


def test_the_check_catches_a_blank_figure_and_a_script_error(study, tmp_path):
    fig = plt.figure(figsize=(7, 4), dpi=100)  # an empty white canvas
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    blank = base64.b64encode(buf.getvalue()).decode()
    page = (study / "report.html").read_text()
    start = page.index('alt="curves_wall" src="data:image/png;base64,') + len('alt="curves_wall" src="data:image/png;base64,')
    end = page.index('"', start)
    page = page[:start] + blank + page[end:]
    page = page.replace("</body>", "<script>undefined_function();</script></body>")
    doctored = tmp_path / "report.html"
    doctored.write_text(page)
    result = check_report(doctored, tmp_path / "shot.png")
    assert result["blank"] == ["curves_wall"]
    assert any("undefined_function" in line for line in result["console"])


def test_study_rejects_bad_input_with_exit_code_2(tmp_path):
    proc = subprocess.run([str(cli_path()), "study", str(ROOT / "examples" / "digits_mlp.toml"),
                           "--out", str(tmp_path / "x"), "--set", "train.epochs=-1"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "train.epochs" in proc.stderr


def study_section(out, example, sets, heading, figure_names):
    """Runs `deepctl study` on an example with --set overrides into `out`, checks that the
    section `heading` and its figures are in the page and that Chromium renders it cleanly;
    returns the page's HTML."""
    args = [str(cli_path()), "study", str(ROOT / "examples" / example), "--out", str(out)]
    for assignment in sets:
        args += ["--set", assignment]
    proc = subprocess.run(args, capture_output=True, text=True,
                          env=os.environ | {"PYTHONPATH": ""})
    assert proc.returncode == 0, proc.stderr
    page = (out / "report.html").read_text()
    assert f"<h2>{heading}</h2>" in page
    for name in figure_names:
        assert (out / "figures" / f"{name}.png").stat().st_size > 10_000
    result = check_report(out / "report.html", out / "report.png")
    assert result["console"] == [] and result["blank"] == []
    return page


def test_the_information_plane_section_of_a_12_bit_study(tmp_path):
    page = study_section(tmp_path / "ib", "ib12bit_relu.toml",
                         ["train.epochs=40", "train.infoplane_points=6"], "Information plane",
                         ["infoplane", "gradient_phases"])
    assert "end/peak" in page


def test_the_bayesian_section_of_a_langevin_study(tmp_path):
    page = study_section(tmp_path / "bc", "breast_cancer_sgld.toml", ["train.epochs=200"],
                         "Bayesian prediction by Langevin dynamics", ["posterior"])
    assert "posterior predictive, 101 samples" in page  # epochs 100..200


def test_the_continuous_depth_section_of_an_ode_study(tmp_path):
    page = study_section(tmp_path / "ode", "ode_digits.toml", ["train.epochs=3"],
                         "Continuous depth: stability, Lyapunov exponents, NFE",
                         ["lyapunov", "ode_nfe", "ode_trajectories"])
    assert "<td>1: ode tanh</td>" in page and "Lyapunov exponents of forward" in page
    assert "gradient gap</td>" in page


def test_the_comparison_page_from_python(tmp_path):
    """compare_run returns `deepctl compare --json`'s summary and, with out, the page: the
    table with one row per optimiser and the three figures, rendered cleanly by Chromium."""
    out = tmp_path / "cmp"
    summary = dc.compare_run(ROOT / "examples" / "digits_mlp.toml",
                             ["sgd:lr=0.1", "adagrad:lr=0.05", "ddp:lr=0.003"], out=out, seeds=2,
                             overrides=["train.epochs=2"], threads=1)
    names = [o["name"] for o in summary["optimizers"]]
    assert names == ["sgd:lr=0.1", "adagrad:lr=0.05", "ddp:lr=0.003"]
    for o in summary["optimizers"]:
        assert 0.8 < o["test_accuracy_mean"] <= 1 and o["ms_per_step"] > 0
    assert summary["seeds"] == 2
    assert json.loads((out / "compare.json").read_text())["optimizers"][2]["runs"][1]["status"] \
        == "completed"
    page = (out / "report.html").read_text()
    assert "<h2>Optimisers compared</h2>" in page
    assert page.count("<tr><td>") == 1 + 3 + 3  # settings rows, then the header and three rows
    for name in ("compare_step", "compare_wall", "compare_loss"):
        assert (out / f"{name}.png").stat().st_size > 10_000
    result = check_report(out / "report.html", out / "report.png")
    assert result["console"] == [] and result["blank"] == []
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'"):
        dc.compare_run(ROOT / "examples" / "digits_mlp.toml", ["rmsprop"], seeds=1)
