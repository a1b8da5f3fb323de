"""Shared fixtures: the repository's python/ on sys.path (so the suite runs before or without
the .pth that scripts/setup.sh installs) and finite-difference helpers."""
import pathlib
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))


def central_difference(f, x, eps=1e-6):
    """∂f/∂x of a scalar function of an array, by central differences."""
    g = np.zeros_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        fp = f(x)
        flat[i] = old - eps
        fm = f(x)
        flat[i] = old
        gflat[i] = (fp - fm) / (2 * eps)
    return g


def relative_error(a, b):
    return np.linalg.norm(np.asarray(a) - np.asarray(b)) / max(np.linalg.norm(b), 1e-12)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
