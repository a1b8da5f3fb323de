"""Losses through the bindings: gradients and Gauss-Newton blocks against finite differences
and closed forms."""
import numpy as np
import pytest
from conftest import relative_error

import deepctl as dc


@pytest.mark.parametrize("name", ["cross_entropy", "squared_error"])
def test_gradient_and_gauss_newton(name, rng):
    loss = dc.Loss(name)
    z = rng.standard_normal((4, 3))
    y = np.eye(3)[[0, 2, 1, 1]] if name == "cross_entropy" else rng.standard_normal((4, 3))
    g = loss.gradient(z, y)
    eps = 1e-6
    for k in range(3):
        dz = np.zeros_like(z)
        dz[:, k] = eps
        fd = (loss.value(z + dz, y) - loss.value(z - dz, y)) / (2 * eps)
        assert relative_error(g[:, k], fd) < 1e-7
    # For these losses the Gauss-Newton block is the exact Hessian of Φ in z.
    G = loss.gauss_newton(z[0], y[0])
    H = np.array([(loss.gradient((z[0] + eps * e)[None], y[:1]) -
                   loss.gradient((z[0] - eps * e)[None], y[:1]))[0] / (2 * eps) for e in np.eye(3)])
    assert relative_error(G, H) < 1e-6


def test_closed_forms():
    ce = dc.Loss("cross_entropy")
    assert ce.value(np.zeros((1, 4)), np.eye(4)[:1])[0] == pytest.approx(np.log(4))
    assert ce.classification and not dc.Loss("squared_error").classification
    assert dc.Loss("squared_error").value(np.array([[3.0, 0.0]]), np.array([[0.0, 4.0]]))[0] == pytest.approx(12.5)
    with pytest.raises(ValueError, match="unknown loss"):
        dc.Loss("hinge")
