"""Layer conformance through the bindings: vjp and jvp against central differences, the
adjoint identity ⟨u, J v⟩ = ⟨Jᵀu, v⟩, float32 against float64, and a layer written in Python."""
import numpy as np
import pytest
from conftest import central_difference, relative_error

import deepctl as dc

LAYERS = {
    "dense_tanh": lambda: dc.Dense(5, 4, "tanh"),
    "dense_gelu": lambda: dc.Dense(5, 4, "gelu"),
    "dense_softplus": lambda: dc.Dense(5, 4, "softplus"),
    "residual_erf": lambda: dc.Residual(dc.Dense(5, 5, "erf"), 0.5),
    "conv2d_sigmoid": lambda: dc.Conv2d((2, 4, 4), 3, 3, padding=1, activation="sigmoid"),
    "avgpool": lambda: dc.Pool2d((2, 4, 4), "avg", 2),
    "flatten": lambda: dc.Flatten((2, 2, 2)),
    "sum": lambda: dc.Sum((2, 2, 2)),
    "ode_rk4_tanh": lambda: dc.OdeBlock(dc.Dense(5, 5, "tanh"), time=0.8, steps=3, solver="rk4"),
    "ode_antisymmetric": lambda: dc.OdeBlock(dc.Antisymmetric(4, "tanh", 0.1), time=1.0, steps=2),
    "hamiltonian_tanh": lambda: dc.Hamiltonian(6, "tanh", 0.3),
    "ode_dopri5_adaptive_mlp": lambda: dc.OdeBlock(
        dc.Chain([dc.Dense(3, 8, "tanh"), dc.Dense(8, 3)]), time=1.0, solver="dopri5",
        rtol=1e-11, atol=1e-11),
}


def test_ode_block_counts_its_evaluations(rng):
    block = dc.OdeBlock(dc.Chain([dc.Dense(2, 6, "tanh"), dc.Dense(6, 2)]), time=2.0, steps=5,
                        solver="bs3")
    x, theta = sample(block, rng)
    block.forward(x, theta)
    assert block.counts["forward_evaluations"] == 15 == block.nfe  # 3 stages, FSAL stage unused
    adaptive = dc.OdeBlock(dc.Dense(2, 2, "tanh"), time=2.0, solver="bs3", rtol=1e-6, atol=1e-6)
    adaptive.forward(x, theta[:6])
    c = adaptive.counts
    assert c["forward_passes"] == 1 and c["forward_evaluations"] > 15
    with pytest.raises(ValueError, match="embedded pair"):
        dc.OdeBlock(dc.Dense(2, 2), solver="rk4", rtol=1e-3, atol=1e-3)


def sample(layer, rng, batch=3):
    x = rng.standard_normal((batch, layer.input_size))
    theta = layer.init_params(dc.Rng(1), dc.Initializer("gaussian", 1.5, 0.1))
    return x, theta


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_vjp_matches_finite_differences(name, rng):
    layer = LAYERS[name]()
    x, theta = sample(layer, rng)
    u = rng.standard_normal((x.shape[0], layer.output_size))
    p, g = layer.vjp(x, theta, u)
    fd_x = central_difference(lambda xx: np.sum(u * layer.forward(xx, theta)), x.copy())
    assert relative_error(p, fd_x) < 1e-6
    if layer.num_params() > 0:
        fd_t = central_difference(lambda tt: np.sum(u * layer.forward(x, tt)), theta.copy())
        assert relative_error(g, fd_t) < 1e-6


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_jvp_is_the_adjoint_of_vjp(name, rng):
    layer = LAYERS[name]()
    x, theta = sample(layer, rng)
    dx, dtheta = rng.standard_normal(x.shape), rng.standard_normal(theta.shape)
    u = rng.standard_normal((x.shape[0], layer.output_size))
    jv = layer.jvp(x, theta, dx, dtheta)
    p, g = layer.vjp(x, theta, u)
    assert np.sum(u * jv) == pytest.approx(np.sum(p * dx) + np.dot(g, dtheta), rel=1e-10)
    eps = 1e-6
    fd = (layer.forward(x + eps * dx, theta + eps * dtheta)
          - layer.forward(x - eps * dx, theta - eps * dtheta)) / (2 * eps)
    assert relative_error(jv, fd) < 1e-6


def test_float32_agrees_with_float64(rng):
    x = rng.standard_normal((4, 6))
    d64, d32 = dc.Dense(6, 3, "tanh"), dc.Dense32(6, 3, "tanh")
    theta = d64.init_params(dc.Rng(2))
    assert np.allclose(d32.forward(x.astype(np.float32), theta.astype(np.float32)),
                       d64.forward(x, theta), atol=1e-5)
    assert d32.forward(x.astype(np.float32), theta.astype(np.float32)).dtype == np.float32


def test_activation_derivatives(rng):
    a = rng.standard_normal(50)
    for name in dc.Activation.names():
        act, eps = dc.Activation(name), 1e-6
        fd = (act.value(a + eps) - act.value(a - eps)) / (2 * eps)
        assert relative_error(act.derivative(a), fd) < 1e-6, name


class Cube(dc.Layer):
    """f(x, θ) = θ ⊙ x³ elementwise: a layer prototyped in Python."""

    def __init__(self, n):
        super().__init__()
        self.n = n

    def kind(self):
        return "cube"

    def input_shape(self):
        return self.n

    def output_shape(self):
        return self.n

    def num_params(self):
        return self.n

    def forward(self, x, theta):
        return theta * x**3

    def vjp(self, x, theta, p_next):
        return 3 * theta * x**2 * p_next, np.sum(x**3 * p_next, axis=0)

    def init_params(self, rng, init):
        return np.array([0.5 + 0.1 * rng.normal() for _ in range(self.n)])


def test_python_layer_joins_a_problem_and_its_gradient_is_exact(rng):
    cube = Cube(4)
    problem = dc.Problem([dc.Dense(3, 4, "tanh"), cube, dc.Dense(4, 2)], "squared_error", l2=0.01)
    assert "cube" in repr(problem) or "Cube" in repr(problem)
    X, Y = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    theta = problem.init_params(seed=3)
    J, grad = problem.gradient(X, Y, theta, threads=2)  # a Python layer forces one shard
    assert J == pytest.approx(problem.objective(X, Y, theta))
    for t in range(3):
        def objective(th_t, t=t):
            th = [a.copy() for a in theta]
            th[t] = th_t
            return problem.objective(X, Y, th)
        assert relative_error(grad[t], central_difference(objective, theta[t].copy())) < 1e-6


def test_python_layer_errors_are_clear(rng):
    class Broken(dc.Layer):
        def input_shape(self):
            return 2

        def output_shape(self):
            return 2

        def num_params(self):
            return 0

        def forward(self, x, theta):
            return x[:, :1]  # wrong width

    problem = dc.Problem([Broken()], "squared_error")
    with pytest.raises(ValueError, match=r"Broken\(2 -> 2\)\.forward: expected 3 x 2 values, got 3"):
        problem.objective(np.zeros((3, 2)), np.zeros((3, 2)), [np.zeros(0)])

    class ForwardOnly(Broken):
        def forward(self, x, theta):
            return x

    problem = dc.Problem([ForwardOnly()], "squared_error")
    with pytest.raises(ValueError, match="Python layer ForwardOnly does not define vjp"):
        problem.gradient(np.zeros((3, 2)), np.zeros((3, 2)), [np.zeros(0)])


def test_spiral_demo_from_python():
    observed = dc.ode.spiral_trajectory(200, 25.0)
    assert observed.shape == (200, 2) and observed[0].tolist() == [2.0, 0.0]
    r = dc.ode.fit_spiral(iterations=300, test_every=100, points=200)
    assert [h["iteration"] for h in r["history"]] == [100, 200, 300]
    assert r["counts"]["forward_evaluations"] == 300 * 9 * 4
    assert np.array_equal(r["observed"], observed) and r["fitted"].shape == (200, 2)
    untrained = dc.ode.fit_spiral(iterations=0, points=200)  # no history, only the trajectory
    assert untrained["history"] == []
    before = np.abs(untrained["fitted"] - observed).mean()  # measured 0.96
    assert r["history"][-1]["test_loss"] < 0.5 * before  # measured 0.25
    with pytest.raises(ValueError, match="batch_time"):
        dc.ode.fit_spiral(batch_time=1)


def test_hamiltonian_block_inverse(rng):
    layer = dc.Hamiltonian(6, "tanh", 0.5)
    x, theta = sample(layer, rng)
    assert np.allclose(layer.inverse(layer.forward(x, theta), theta), x, atol=1e-13)
