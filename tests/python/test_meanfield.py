"""Mean field through the bindings: tanh moments against 30-digit mpmath quadrature (the large-q
pitfall of Gauss–Hermite), the published critical points, and the grid against pointwise
analysis."""
import math

import mpmath
import numpy as np
import pytest

import deepctl.meanfield as mf

mpmath.mp.dps = 30


def mp_expect(f, q):
    r = mpmath.sqrt(q)
    g = lambda z: f(r * z) * mpmath.exp(-z * z / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
    return float(mpmath.quad(g, [-mpmath.inf, -1, -1 / r, 0, 1 / r, 1, mpmath.inf]))


@pytest.mark.parametrize("q", [0.05, 1.0, 25.0, 400.0, 1e4])
def test_tanh_moments_to_1e12_at_any_q(q):
    m = mf.Moments("tanh")
    assert m.second_moment(q) == pytest.approx(mp_expect(lambda u: mpmath.tanh(u) ** 2, q), rel=1e-12)
    assert m.derivative_moment(q) == pytest.approx(
        mp_expect(lambda u: mpmath.sech(u) ** 4, q), rel=1e-12)


def test_published_critical_points():
    assert mf.critical_point("relu", 0.0)["sw2"] == 2.0
    assert mf.critical_point("erf", 0.0)["sw2"] == pytest.approx(math.pi / 4, rel=1e-15)
    assert mf.critical_point("tanh", 0.05)["sw2"] == pytest.approx(1.76, abs=0.01)
    assert math.isnan(mf.critical_point("relu", 0.1)["sw2"])
    a = mf.analyze("relu", 1.5, 0.1)
    assert a["q_star"] == pytest.approx(0.4, rel=1e-13) and a["phase"] == "ordered"
    assert mf.analyze("relu", 3.0, 0.1)["phase"] == "divergent"


def test_grid_matches_pointwise_analysis():
    sw2, sb2 = np.linspace(0.8, 2.6, 7), np.array([0.01, 0.1])
    g = mf.phase_diagram("tanh", sw2, sb2)
    for i, b in enumerate(sb2):
        for j, w in enumerate(sw2):
            a = mf.analyze("tanh", w, b)
            assert g["q_star"][i, j] == pytest.approx(a["q_star"], rel=1e-10)
            # χ_c, not ξ_c = −1/ln χ_c, which amplifies differences by 1/|ln χ_c| near criticality
            assert g["chi_c"][i, j] == pytest.approx(a["chi_c"], rel=1e-8)


def test_bad_input():
    with pytest.raises(ValueError, match="sw2"):
        mf.analyze("tanh", -1.0, 0.0)
    with pytest.raises(ValueError, match="unknown activation"):
        mf.analyze("tahn", 1.0, 0.0)


def test_spectrum_of_an_orthogonal_linear_network_is_flat():
    import deepctl as dc
    import deepctl.spectrum as sp
    problem = dc.Problem([dc.Dense(32, 32, "linear") for _ in range(5)], "squared_error")
    theta = problem.init_params(seed=3, init=dc.Initializer("orthogonal", 1.0, 0.0))
    s = sp.jacobian_squared_singular_values(problem, theta, np.ones(32))
    assert np.allclose(s, 1.0, atol=1e-10)
    th = sp.free_probability("linear", 1.0, 1.0, 5, orthogonal=False)
    assert th["variance"] == pytest.approx(5.0) and th["edge"] == pytest.approx(6**6 / 5**5)


def test_free_probability_density_of_one_gaussian_layer_is_marchenko_pastur():
    import deepctl.spectrum as sp
    x = np.linspace(0.05, 3.95, 40)
    rho = sp.free_probability_density("linear", 1.0, 1.0, 1, x, orthogonal=False)
    assert np.allclose(rho, np.sqrt(x * (4 - x)) / (2 * np.pi * x), rtol=1e-9)
    assert sp.free_probability("relu", 2.0, 1.0, 3)["atom"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="positive"):
        sp.free_probability_density("linear", 1.0, 1.0, 1, np.array([0.0]))


def test_matrix_free_jacobian_spectrum_matches_the_exact_one():
    import deepctl as dc
    problem = dc.Problem([dc.Dense(50, 50, "tanh") for _ in range(3)], "squared_error")
    theta = problem.init_params(seed=1, init=dc.Initializer("gaussian", 1.5, 0.0))
    x = np.linspace(-1, 1, 50)
    exact = dc.spectrum.jacobian_squared_singular_values(problem, theta, x)
    r = dc.spectrum.jacobian_spectrum_matrix_free(problem, theta, x, k=3, steps=50, probes=30)
    assert np.allclose(r["top"], exact[::-1][:3], rtol=1e-8)
    assert np.isclose(r["weights"].sum(), 1.0)
    error = np.sqrt(2 * np.mean(exact ** 2) / (50 * 30))  # the quadrature's sampling error
    assert abs(r["mean"] - exact.mean()) < 4 * error


def test_trainability_job_trains_near_criticality_and_fails_deep_in_the_ordered_phase():
    import deepctl as dc
    train, _ = dc.load("fashion-mnist", normalize="center", train_limit=4000, test_limit=1)
    near = mf.train_briefly(train, 6, 1.76, width=64, steps=150, batch=64, lr=1e-2,
                            eval_samples=2000)
    ordered = mf.train_briefly(train, 30, 0.3, width=64, steps=150, batch=64, lr=1e-2,
                               eval_samples=2000)
    assert near > 0.6 and ordered < 0.3, (near, ordered)
    again = mf.train_briefly(train, 6, 1.76, width=64, steps=150, batch=64, lr=1e-2,
                             eval_samples=2000)
    assert again == near  # a seed fixes the job
    with pytest.raises(ValueError, match="sw2 > 0"):
        mf.train_briefly(train, 6, -1.0, width=8, steps=2)
