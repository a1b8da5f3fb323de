"""The Problem through the bindings: the costate pass against finite differences of J on a
mixed network (REFERENCE F1), the trajectory's views, and the row-sharded gradient."""
import numpy as np
import pytest
from conftest import central_difference, relative_error

import deepctl as dc


def mixed_problem():
    spec = dc.NetworkSpec((2, 6, 6), [
        dc.LayerSpec("conv2d", channels=3, kernel=3, padding=1, activation="tanh"),
        dc.LayerSpec("maxpool", kernel=2),
        dc.LayerSpec("flatten"),
        dc.LayerSpec("dense", width=5, activation="gelu"),
        dc.LayerSpec("residual", step=0.5, activation="tanh"),
        dc.LayerSpec("dense", width=4),
    ], loss="cross_entropy", l2=0.01)
    return dc.build_problem(spec)


def batch(problem, rng, n=5):
    X = rng.standard_normal((n, 72))
    Y = np.eye(4)[rng.integers(0, 4, n)]
    return X, Y


def test_costate_pass_matches_finite_differences_of_J(rng):
    problem = mixed_problem()
    X, Y = batch(problem, rng)
    theta = problem.init_params(seed=3, init=dc.Initializer("gaussian", 1.8, 0.05))
    traj = problem.rollout(X, Y, theta)
    assert traj.objective == pytest.approx(problem.objective(X, Y, theta))
    grad = problem.adjoint(traj, Y, theta)
    for t in range(problem.num_layers):
        def J(th_t, t=t):
            th = list(theta)
            th[t] = th_t
            return problem.objective(X, Y, th)
        assert relative_error(grad[t], central_difference(J, theta[t].copy())) < 1e-6
    # p_0 = −∂J/∂x_0 (per-sample costates carry the 1/B of the objective).
    dJdx = central_difference(lambda x: problem.objective(x, Y, theta), X.copy())
    assert relative_error(traj.costates[0], -dJdx) < 1e-6


def test_trajectory_arrays_view_the_buffers(rng):
    problem = mixed_problem()
    X, Y = batch(problem, rng)
    traj = problem.rollout(X, Y, problem.init_params(seed=1))
    states = traj.states
    assert len(states) == problem.num_layers + 1
    assert np.array_equal(states[0], X)
    assert not states[-1].flags.owndata  # a view, not a copy
    assert states[-1].shape == (5, 4)


def test_sharded_gradient_equals_one_pass(rng):
    problem = mixed_problem()
    X = rng.standard_normal((100, 72))
    Y = np.eye(4)[rng.integers(0, 4, 100)]
    theta = problem.init_params(seed=2)
    J1, g1 = problem.gradient(X, Y, theta, threads=1)
    J3, g3 = problem.gradient(X, Y, theta, threads=3)
    assert J3 == pytest.approx(J1, rel=1e-13)
    for a, b in zip(g3, g1):
        assert relative_error(a, b) < 1e-12


def test_bad_input_raises_value_error_with_the_message(rng):
    problem = mixed_problem()
    theta = problem.init_params()
    with pytest.raises(ValueError, match="rollout: inputs are 5 x 3, expected 5 x 72"):
        problem.objective(np.zeros((5, 3)), np.zeros((5, 4)), theta)
    with pytest.raises(ValueError, match="expected 6 per-layer vectors, got 5"):
        problem.objective(np.zeros((5, 72)), np.zeros((5, 4)), theta[:5])
    with pytest.raises(ValueError, match=r"model.layers\[0\] \(dense\): width must be a positive"):
        dc.build_problem(dc.NetworkSpec(3, [dc.LayerSpec("dense", width=-2)]))
    with pytest.raises(ValueError, match="unknown activation 'tahn'"):
        dc.Dense(3, 3, "tahn")


def test_hamiltonian_and_pmp_residuals(rng):
    problem = mixed_problem()
    X, Y = batch(problem, rng)
    theta = problem.init_params(seed=3)
    traj = problem.rollout(X, Y, theta)
    with pytest.raises(ValueError, match="call Problem.adjoint"):
        problem.pmp_residuals(traj, theta)
    grad = problem.adjoint(traj, Y, theta)
    r = problem.pmp_residuals(traj, theta)
    assert max(r["state"]) < 1e-14 and max(r["costate"]) < 1e-13
    for t in range(problem.num_layers):
        H, gH = problem.hamiltonian(traj, t, theta[t])
        assert H == pytest.approx(r["hamiltonian"][t])
        assert np.allclose(gH, -grad[t], atol=1e-12)  # ∇_θ H_t = −∇_{θ_t} J
        assert r["stationarity"][t] == pytest.approx(np.linalg.norm(grad[t]), abs=1e-12)
