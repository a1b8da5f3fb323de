"""deepctl.infoplane through the bindings: the KDE bounds against a Gaussian channel computed
with NumPy, the kNN estimator on correlated Gaussians, and information_plane against binning the
network's own layer outputs."""
import numpy as np
import pytest

import deepctl as dc
import deepctl.infoplane as ip


def test_kde_bounds_bracket_a_numpy_gaussian_channel():
    h = np.array([[0.0], [0.04], [0.1], [0.5]])
    variance = 1e-3
    t = np.linspace(-0.3, 0.8, 400_001)
    density = np.exp(-(t[:, None] - h[:, 0]) ** 2 / (2 * variance)).mean(1) / np.sqrt(2 * np.pi * variance)
    mixture = -np.trapz(np.where(density > 0, density * np.log2(density), 0.0), t)
    exact = mixture - 0.5 * np.log2(2 * np.pi * np.e * variance)
    b = ip.kde_information(h, [], variance)
    assert b["i_xt_lower"] <= exact <= b["i_xt_upper"]
    with pytest.raises(ValueError, match="noise variance"):
        ip.kde_information(h, [], -1.0)


def test_knn_on_correlated_gaussians(rng):
    x = rng.standard_normal((1200, 1))
    t = 0.8 * x + 0.6 * rng.standard_normal((1200, 1))
    assert ip.knn_information(x, t, 3) == pytest.approx(-0.5 * np.log2(1 - 0.64), abs=0.05)


def test_information_plane_bins_the_layer_outputs(rng):
    spec = dc.NetworkSpec(12, [dc.LayerSpec("dense", width=5, activation="tanh"),
                               dc.LayerSpec("dense", width=2)], loss="cross_entropy")
    problem = dc.build_problem(spec)
    theta = problem.init_params(seed=1)
    X = ((np.arange(4096)[:, None] >> np.arange(12)) & 1).astype(float)
    labels = rng.integers(0, 2, 4096).tolist()
    plane = ip.information_plane(problem, theta, X, labels, ["tanh", "linear"])
    hidden = np.tanh(X @ theta[0][:60].reshape(5, 12).T + theta[0][60:])
    assert plane[0][:2] == pytest.approx(ip.binning_information(hidden, labels, np.linspace(-1, 1, 30)))
    kde = ip.information_plane(problem, theta, X[:512], labels[:512], ["tanh", "linear"],
                               estimator="kde")
    assert all(lower <= upper + 1e-12 for upper, _, lower in kde)
    with pytest.raises(ValueError, match="estimator"):
        ip.information_plane(problem, theta, X, labels, ["tanh", "linear"], estimator="mine")
