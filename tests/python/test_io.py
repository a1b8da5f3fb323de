"""Run folders and configs from Python: `deepctl train` through train_run, RunDir reading it,
configs parsed strictly with the CLI's messages."""
import ast
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import deepctl as dc

ROOT = pathlib.Path(__file__).resolve().parents[2]
DIGITS = ROOT / "examples" / "digits_mlp.toml"


def test_train_run_and_read_the_folder(tmp_path):
    run = dc.train_run(DIGITS, tmp_path / "run", ["train.epochs=3"], threads=1)
    assert run.summary["status"] == "completed"
    assert [e["epoch"] for e in run.epochs] == [1, 2, 3]
    assert run.config["train"]["epochs"] == 3
    config = dc.load_config(str(run.path / "config.toml"))
    train, test = dc.load_data(config.data)
    problem = dc.build_problem32(config.network(train.input_shape))
    theta = dc.load_params(str(run.path / "checkpoint.npz"), problem)
    assert all(np.array_equal(a, b) for a, b in zip(theta, run.params()))
    acc = dc.evaluate32(problem, theta, test).accuracy
    assert acc == pytest.approx(run.epochs[-1]["test_accuracy"], abs=1e-12)


def test_bad_config_is_a_value_error_naming_the_key(tmp_path):
    with pytest.raises(ValueError, match=r"train.epochs: expected an integer"):
        dc.train_run(DIGITS, tmp_path / "bad", ["train.epochs=\"many\""])
    with pytest.raises(ValueError, match="unknown key"):
        dc.parse_config("[train]\nepoks = 3\n", "inline.toml")
    with pytest.raises(ValueError, match="not a run folder"):
        dc.RunDir(tmp_path)


def test_python_example_reproduces_the_default_study(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "default_study.py"),
                           str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    last_epoch = ast.literal_eval(proc.stdout.strip().splitlines()[-2])  # History record
    assert last_epoch["epoch"] == 8 and last_epoch["test_accuracy"] >= 0.85
    for name in ("curves", "layers"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
        assert (tmp_path / f"{name}.svg").is_file()
