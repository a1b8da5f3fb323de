"""deepctl.sde and the curvature / NTK parts of deepctl.spectrum through the bindings:
REFERENCE F15's weak-error table, F20's tail index, an Sde written in Python against the built-in
one, per-sample gradients against PyTorch autograd, Hessian products against finite
differences, and the NTK against J Jᵀ."""
import numpy as np
import pytest
import torch
from conftest import relative_error

import deepctl as dc
from deepctl.torch_interop import to_torch


def small_problem(loss="cross_entropy", l2=0.0):
    spec = dc.NetworkSpec(4, [dc.LayerSpec("dense", width=6, activation="tanh"),
                              dc.LayerSpec("dense", width=3)], loss=loss, l2=l2)
    return spec, dc.build_problem(spec)


def data(rng, n=30):
    return rng.standard_normal((n, 4)), np.eye(3)[rng.integers(0, 3, n)]


def test_sme_weak_error_table_of_f15():
    lrs = [0.2, 0.1, 0.05, 0.025, 0.0125]
    first = dc.sde.quadratic_weak_errors(lrs, order=1)
    second = dc.sde.quadratic_weak_errors(lrs, order=2)
    assert first[-1]["error"] == pytest.approx(1.651e-3, rel=1e-3)
    assert second[-1]["error"] == pytest.approx(5.372e-5, rel=1e-3)
    assert second[-1]["order"] == pytest.approx(2.0, abs=0.05)


def test_deep_relaxation_of_a_quadratic_from_python():
    a, t, beta = 2.0, 0.3, 4.0
    f = lambda x: 0.5 * a * x * x  # noqa: E731
    exact = a * 0.8 ** 2 / (2 * (1 + a * t))
    assert dc.sde.cole_hopf(f, 0.8, t, beta) == pytest.approx(exact + np.log(1 + a * t) / (2 * beta), abs=1e-9)
    assert dc.sde.hopf_lax(f, 0.8, t, -3, 3) == pytest.approx(exact, abs=1e-8)


def test_tail_index_on_stable_samples():
    for alpha in (1.3, 1.9):
        x = dc.sde.stable_samples(alpha, 250_000, seed=4)
        assert dc.sde.tail_index(x, 100) == pytest.approx(alpha, abs=0.05)
    with pytest.raises(ValueError, match="alpha"):
        dc.sde.stable_samples(2.5, 10)


def test_python_sde_subclass_matches_the_builtin_ornstein_uhlenbeck():
    class Ou(dc.sde.Sde):
        def dim(self):
            return 1

        def noise_dim(self):
            return 1

        def noise(self):
            return dc.sde.NoiseKind.additive

        def drift(self, t, x):
            return -0.5 * x

        def diffusion(self, t, x):
            return np.array([[0.8]])

    builtin = dc.sde.OrnsteinUhlenbeck(0.5, 0.8)
    for scheme in ("euler_maruyama", "milstein", "weak2"):
        a = dc.sde.integrate(Ou(), scheme, np.array([2.0]), 0.0, 1.0, 16, seed=3)
        b = dc.sde.integrate(builtin, scheme, np.array([2.0]), 0.0, 1.0, 16, seed=3)
        assert a == pytest.approx(b, abs=1e-14)
    path = dc.sde.BrownianPath(1, 0.0, 1.0, seed=9)
    fine = sum(path.increment(k / 64, (k + 1) / 64) for k in range(64))
    assert fine == pytest.approx(path.value(1.0), abs=1e-12)
    spec, problem = small_problem("squared_error")
    X = np.random.default_rng(0).standard_normal((6, 4))
    Y = np.random.default_rng(1).standard_normal((6, 3))
    sme = dc.sde.ProblemSme(problem, X, Y, lr=0.1, batch=2, order=2)
    theta0 = np.concatenate(problem.init_params(seed=0))
    assert sme.dim() == theta0.size and sme.noise_dim() == 6
    end = dc.sde.integrate(sme, "euler_maruyama", theta0, 0.0, 0.5, 10, seed=2)
    assert end.shape == theta0.shape and np.all(np.isfinite(end))
    with pytest.raises(ValueError, match="needs additive or diagonal"):
        dc.sde.integrate(sme, "weak2", theta0, 0.0, 0.5, 10)
    orders = dc.sde.gbm_orders("weak2")
    assert orders["weak"][-1]["order"] == pytest.approx(2.0, abs=0.25)


def test_per_sample_gradients_against_torch_autograd(rng):
    spec, problem = small_problem()
    X, Y = data(rng)
    theta = problem.init_params(seed=2)
    G = dc.sde.per_sample_gradients(problem, theta, X, Y)
    net = to_torch(spec, theta)
    for i in (0, 7, 29):
        net.zero_grad()
        out = net(torch.from_numpy(X[i:i + 1]))
        loss = torch.nn.functional.cross_entropy(out, torch.from_numpy(Y[i:i + 1].argmax(1)))
        loss.backward()
        reference = np.concatenate([np.concatenate([m.weight.grad.numpy().ravel(),
                                                    m.bias.grad.numpy()])
                                    for m in net if isinstance(m, torch.nn.Linear)])
        assert relative_error(G[i], reference) < 1e-12
    out = np.empty_like(G)
    assert dc.sde.per_sample_gradients(problem, theta, X, Y, out=out) is None
    assert np.array_equal(out, G)
    stats = dc.sde.gradient_noise(problem, theta, X, Y, batch=5, top=3)
    centred = G - G.mean(0)
    sigma = centred.T @ centred / len(X)
    assert stats["covariance_trace"] == pytest.approx(np.trace(sigma), rel=1e-12)
    assert stats["top_eigenvalues"] == pytest.approx(np.linalg.eigvalsh(sigma)[::-1][:3], rel=1e-9)


def test_curvature_and_ntk(rng):
    spec, problem = small_problem()
    X, Y = data(rng)
    theta = problem.init_params(seed=2)
    curvature = dc.spectrum.Curvature(problem, theta, X, Y)
    v = rng.standard_normal(curvature.dim)
    flat = np.concatenate(theta)

    def gradient(point):
        parts, offset = [], 0
        for t in theta:
            parts.append(point[offset:offset + t.size])
            offset += t.size
        traj = problem.rollout(X, Y, parts)
        return np.concatenate(problem.adjoint(traj, Y, parts))

    h = 1e-4
    reference = (gradient(flat + h * v) - gradient(flat - h * v)) / (2 * h)
    assert relative_error(curvature.hessian_vector(v), reference) < 1e-6
    H = curvature.dense("hessian")
    assert curvature.top_eigenvalues(3, 40)[0] == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-6)
    assert np.linalg.eigvalsh(curvature.dense("gauss-newton")).min() > -1e-10
    nodes, weights = curvature.density(steps=20, probes=4)
    assert weights.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="matrix"):
        curvature.trace(matrix="fisher")

    J = dc.spectrum.output_jacobian(problem, theta, X[:5])
    assert J.shape == (15, curvature.dim)
    assert dc.spectrum.empirical_ntk(problem, theta, X[:5]) == pytest.approx(J @ J.T)
