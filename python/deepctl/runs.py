"""Run folders as `deepctl train` and `deepctl study` write them (docs/checkpoints.md):

    config.toml     the resolved configuration
    metrics.jsonl   one JSON object per line: kind "step", "epoch", "layers", "dynamics",
                    "infoplane" or "posterior"
    checkpoint.npz  θ_t as theta_<t>, the controller state, epoch, step, updates
    summary.json    status, message, final metrics, wall time, throughput
"""
import json
import os
import pathlib
import subprocess
import tomllib

import numpy as np


def cli_path():
    """The deepctl executable: $DEEPCTL_CLI, else the repository's build/deepctl."""
    env = os.environ.get("DEEPCTL_CLI")
    if env:
        return pathlib.Path(env)
    return pathlib.Path(__file__).resolve().parents[2] / "build" / "deepctl"


class RunDir:
    """A run folder, read lazily: config (dict), metrics (list of dicts), steps, epochs,
    layer_stats, summary (dict), params() (list of arrays)."""

    def __init__(self, path):
        self.path = pathlib.Path(path)
        if not (self.path / "config.toml").is_file():
            raise ValueError(f"{self.path}: not a run folder (no config.toml)")

    @property
    def config(self):
        with open(self.path / "config.toml", "rb") as f:
            return tomllib.load(f)

    @property
    def metrics(self):
        path = self.path / "metrics.jsonl"
        if not path.is_file():
            return []
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def _kind(self, kind):
        return [m for m in self.metrics if m.get("kind") == kind]

    @property
    def steps(self):
        return self._kind("step")

    @property
    def epochs(self):
        return self._kind("epoch")

    @property
    def layer_stats(self):
        return self._kind("layers")

    @property
    def dynamics(self):
        return self._kind("dynamics")

    @property
    def infoplane(self):
        return self._kind("infoplane")

    @property
    def posterior(self):
        return self._kind("posterior")

    @property
    def summary(self):
        path = self.path / "summary.json"
        return json.loads(path.read_text()) if path.is_file() else {}

    def params(self):
        """θ = [θ_0, ..., θ_{T-1}] from checkpoint.npz."""
        with np.load(self.path / "checkpoint.npz") as z:
            count = sum(1 for k in z.files if k.startswith("theta_"))
            return [z[f"theta_{t}"] for t in range(count)]

    def __repr__(self):
        s = self.summary
        return (f"RunDir('{self.path}', status={s.get('status')!r}, "
                f"test_accuracy={s.get('test_accuracy')!r})")


def _run_cli(command, args, overrides, threads):
    """stdout of `deepctl COMMAND ARGS [--set k=v ...]`; ValueError with the CLI's one-line
    message on bad input (exit code 2), RuntimeError on any other failure but divergence (1)."""
    cmd = [str(cli_path()), command] + [str(a) for a in args]
    for o in list(overrides) + ([f"train.threads={threads}"] if threads else []):
        cmd += ["--set", o]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode == 2:
        raise ValueError(proc.stderr.strip())
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"deepctl {command} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def compare_run(config, optimizers, out=None, seeds=3, overrides=(), target=None, threads=None):
    """Runs `deepctl compare CONFIG --optimizers SPEC,... --seeds N --json [--out OUT]` and returns
    its summary: a dict with "optimizers" (per SPEC: test_accuracy_mean/std, test_loss_mean/std,
    steps_to_target, seconds_to_target, ms_per_step, first_epoch_loss, diverged, ...), "seeds"
    and "target_accuracy". OPTIMIZERS is a list of SPECs such as "adam:lr=0.003"; with OUT the
    run's curves, figures and report.html are written there (OUT/compare.json holds the curves).
    Raises ValueError with the CLI's one-line message on bad input."""
    args = [config, "--optimizers", ",".join(optimizers), "--seeds", seeds, "--json"]
    args += (["--target", target] if target is not None else [])
    args += (["--out", out] if out is not None else [])
    return json.loads(_run_cli("compare", args, overrides, threads))


def train_run(config, out, overrides=(), threads=None):
    """Runs `deepctl train CONFIG --out OUT [--set k=v ...]` and returns the RunDir.

    Raises ValueError with the CLI's one-line message on bad input (exit code 2)."""
    _run_cli("train", [config, "--out", out], overrides, threads)
    return RunDir(out)
