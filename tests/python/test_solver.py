"""Trainers through the bindings: determinism, callbacks written in Python, checkpoints that
resume exactly, divergence as a status, and convergence on DIGITS."""
import numpy as np
import pytest

import deepctl as dc


@pytest.fixture(scope="module")
def digits():
    return dc.load("digits")


def make(digits, dtype="", epochs=3, **kw):
    train, test = digits
    Problem = getattr(dc, "Problem" + dtype)
    Dense = getattr(dc, "Dense" + dtype)
    problem = Problem([Dense(64, 32, "tanh"), Dense(32, 10)], "cross_entropy", l2=1e-4)
    settings = dict(epochs=epochs, batch_size=50, seed=11, lr=3e-3) | kw
    trainer = getattr(dc, "GradientTrainer" + dtype)(problem, train, test, dc.options(**settings))
    trainer.init(problem.init_params(seed=1))
    return problem, trainer


def test_same_seed_same_parameters(digits):
    _, a = make(digits)
    _, b = make(digits)
    a.solve()
    b.solve()
    for x, y in zip(a.params, b.params):
        assert np.array_equal(x, y)


def test_python_callback_records_and_stops(digits):
    class StopAt(dc.Callback):
        def __init__(self):
            self.losses = []

        def on_step(self, report):
            self.losses.append(report.loss)
            return report.step < 7

    _, trainer = make(digits)
    stop, history = StopAt(), dc.History()
    result = trainer.solve([stop, history])
    assert result.status == "stopped" and "step 7" in result.message
    assert len(stop.losses) == 7 and [s["loss"] for s in history.steps] == stop.losses
    assert trainer.steps == 7


def test_callback_exception_reaches_python(digits):
    class Boom(dc.Callback):
        def on_epoch(self, report):
            raise RuntimeError("boom at epoch %d" % report.epoch)

    _, trainer = make(digits)
    with pytest.raises(RuntimeError, match="boom at epoch 1"):
        trainer.solve(Boom())


def test_checkpoint_resume_equals_uninterrupted_run(digits, tmp_path):
    _, full = make(digits, epochs=4, optimizer="adam")
    full.solve()
    _, first = make(digits, epochs=4, optimizer="adam")
    first.run_epoch()
    first.run_epoch()
    path = tmp_path / "ck.npz"
    first.save_checkpoint(str(path))
    _, resumed = make(digits, epochs=4, optimizer="adam")
    resumed.load_checkpoint(str(path))
    assert resumed.epoch == 2
    resumed.solve()
    for x, y in zip(full.params, resumed.params):
        assert np.array_equal(x, y)
    with np.load(path) as z:  # NumPy reads it without deepctl
        assert int(z["epoch"]) == 2 and "adam_m_0" in z.files


def test_divergence_is_a_status(digits):
    _, trainer = make(digits, optimizer="sgd", lr=1e6)
    result = trainer.solve()
    assert result.status == "diverged" and "lower the learning rate" in result.message


def test_digits_reaches_95_percent_in_float32(digits):
    train, test = digits
    problem = dc.Problem32([dc.Dense32(64, 64, "tanh"), dc.Dense32(64, 10)])
    trainer = dc.GradientTrainer32(problem, train, test,
                                   dc.options(epochs=40, batch_size=32, lr=3e-3, schedule="cosine"))
    trainer.init(problem.init_params(seed=0))
    history = dc.History()
    assert trainer.solve(history).status == "completed"
    assert history.epochs[-1]["test_accuracy"] >= 0.95
    assert dc.evaluate32(problem, trainer.params, test).accuracy == history.epochs[-1]["test_accuracy"]


def test_emsa_on_digits_trains(digits):
    train, test = digits
    problem = dc.Problem([dc.Dense(64, 32, "tanh"), dc.Dense(32, 10)], "cross_entropy")
    theta = problem.init_params(seed=0)
    X, Y = np.asarray(train.inputs, dtype=float), np.asarray(train.targets, dtype=float)
    rng = np.random.default_rng(0)
    for _ in range(150):
        rows = rng.choice(len(X), 128, replace=False)
        J, theta = dc.msa_step(problem, X[rows], Y[rows], theta, rho=0.05, inner_steps=5, inner_lr=0.1)
    assert dc.evaluate(problem, theta, test).accuracy > 0.9
    # At θ's own trajectory the augmented Hamiltonian's gradient is −∇J (e = r = 0).
    _, grad = problem.gradient(X[:50], Y[:50], theta)
    _, gH = dc.augmented_hamiltonian(problem, X[:50], Y[:50], theta, 0, theta[0], rho=0.5)
    assert np.allclose(gH, -grad[0], atol=1e-12)


def test_entropy_sgd_trains_from_python():
    train, test = dc.load("digits")
    problem = dc.Problem([dc.Dense(64, 16, "tanh"), dc.Dense(16, 10)], "cross_entropy")
    trainer = dc.EntropySgdTrainer(problem, train, test, dc.options(epochs=6, lr=0.5),
                                   inner_steps=3, gamma=0.03)
    trainer.init(problem.init_params(seed=1))
    trainer.solve()
    assert dc.evaluate(problem, trainer.params, test).accuracy > 0.9
    assert trainer.gamma() == pytest.approx(0.03 * 1.001 ** trainer.steps)
    assert trainer.passes_per_step == 4


def test_sgld_posterior_predictive_and_its_calibration():
    train, test = dc.load("digits")
    problem = dc.Problem([dc.Dense(64, 16, "tanh"), dc.Dense(16, 10)], "cross_entropy", l2=1e-3)
    trainer = dc.GradientTrainer(problem, train, test,
                                 dc.options(epochs=20, lr=0.1, optimizer="sgld", temperature=0.1))
    trainer.init(problem.init_params(seed=2))
    average = dc.PredictiveAverage(problem, test)

    class Collect(dc.Callback):
        def on_epoch(self, report):
            if report.epoch >= 10:
                average.add(trainer.params)
            return True

    trainer.solve(Collect())
    assert average.samples == 11
    P = average.probabilities()
    labels = np.asarray(average.labels)
    assert P.shape == (len(test), 10) and np.allclose(P.sum(1), 1)
    confidence, predicted = P.max(1), P.argmax(1)
    bins = np.minimum((confidence * 15).astype(int), 14)
    ece = sum(abs((predicted[bins == m] == labels[bins == m]).sum() - confidence[bins == m].sum())
              for m in range(15)) / len(labels)
    assert dc.expected_calibration_error(P, labels.tolist()) == pytest.approx(ece, abs=1e-12)
    score = dc.score_predictions(P, labels.tolist())
    assert score["accuracy"] > 0.9
    with pytest.raises(ValueError, match="temperature"):
        dc.GradientTrainer(problem, train, test, dc.options(optimizer="sgld", temperature=-1.0))


def test_mala_chain_reference_for_bayesian_logistic_regression():
    # The chain's mean logit difference agrees with SGLD's long-run average (the C++ test checks
    # every coordinate); here: the binding's plumbing, its moments and its error path.
    train, _ = dc.load("breast-cancer")
    assert (len(train), train.inputs.shape[1]) == (455, 30)
    problem = dc.Problem([dc.Dense(30, 2)], "cross_entropy", l2=0.01)
    moments = dc.ChainMoments()
    states = []

    def keep(theta):
        moments.add(theta)
        states.append(np.concatenate([np.ravel(a) for a in theta]))

    last, info = dc.mala_chain(problem, train, problem.zero_params(), burn_in=2000, samples=3000,
                               seed=4, on_sample=keep)
    assert info["evaluations"] == 5001 and abs(info["acceptance"] - 0.574) < 0.08
    assert moments.count == 3000
    chain = np.array(states)
    assert np.allclose(moments.mean, chain.mean(0), atol=1e-12)
    assert np.allclose(moments.variance(), chain.var(0), rtol=1e-9)
    assert np.allclose(np.concatenate([np.ravel(a) for a in last]), chain[-1])
    with pytest.raises(ValueError, match="temperature > 0"):
        dc.mala_chain(problem, train, last, temperature=0)


def test_ddp_trainer_from_python():
    train, test = dc.load("digits")
    problem = dc.Problem([dc.Dense(64, 32, "tanh"), dc.Dense(32, 10)], "cross_entropy")
    trainer = dc.DdpTrainer(problem, train, test, dc.options(epochs=5, lr=3e-3, batch_size=32))
    trainer.init(problem.init_params(seed=1))
    trainer.solve()
    assert dc.evaluate(problem, trainer.params, test).accuracy > 0.95  # measured 0.978
    assert trainer.passes_per_step == 3
    kfac = dc.DdpTrainer(problem, train, test, dc.options(epochs=5, lr=1e-2, batch_size=32),
                         curvature="kfac", damping=1e-2, adaptive_damping=True)
    kfac.init(problem.init_params(seed=1))
    assert np.isnan(kfac.reduction_ratio) and kfac.damping == 1e-2
    kfac.solve()
    assert dc.evaluate(problem, kfac.params, test).accuracy > 0.95
    assert np.isfinite(kfac.reduction_ratio) and kfac.damping >= 1e-2  # γ is the floor
    # Kronecker factors for a convolution too (KFC).
    cnn = dc.Problem([dc.Conv2d((1, 8, 8), 4, 3, padding=1, activation="tanh"),
                      dc.Flatten((4, 8, 8)), dc.Dense(256, 10)], "cross_entropy")
    kfc = dc.DdpTrainer(cnn, train, test, dc.options(epochs=5, lr=1e-2, batch_size=32),
                        curvature="kfac", damping=1e-2)
    kfc.init(cnn.init_params(seed=1))
    kfc.solve()
    assert dc.evaluate(cnn, kfc.params, test).accuracy > 0.95  # measured 0.969
    with pytest.raises(ValueError, match="identity, diagonal or kfac"):
        dc.DdpTrainer(problem, train, test, curvature="fisher")


def test_vanilla_ddp_trainer_from_python():
    train, test = dc.load("digits", train_limit=120)
    problem = dc.Problem([dc.Dense(64, 5, "tanh"), dc.Dense(5, 10)], "cross_entropy")
    theta = problem.init_params(seed=2)
    before = dc.evaluate(problem, theta, train).loss
    trainer = dc.VanillaDdpTrainer(problem, train, test, dc.options(epochs=2, batch_size=8), mu=1.0)
    trainer.init(theta)
    trainer.solve()
    assert dc.evaluate(problem, trainer.params, train).loss < 0.6 * before


def test_one_vanilla_ddp_iteration_solves_the_lqr():
    # x_{t+1} = A x_t + B θ_t, ½‖x_T − y‖² + (λ/2)Σ‖θ_t‖²: the optimum is a ridge regression in
    # the stacked controls, which one exact DDP iteration reaches.
    A = np.array([[0.9, 0.2, 0.0], [-0.1, 1.1, 0.3], [0.0, 0.4, 0.8]])
    B = np.array([[1.0, 0.0], [0.5, -1.0], [0.0, 2.0]])
    x0, y, lam, T = np.array([1.0, -0.5, 0.25]), np.array([0.3, 0.2, -0.4]), 0.1, 5
    problem = dc.Problem([dc.LinearControl(A, B) for _ in range(T)], "squared_error", l2=lam)
    G = np.hstack([np.linalg.matrix_power(A, T - 1 - t) @ B for t in range(T)])
    c = np.linalg.matrix_power(A, T) @ x0
    optimum = np.linalg.solve(G.T @ G + lam * np.eye(2 * T), G.T @ (y - c))
    theta, info = dc.vanilla_ddp_iteration(problem, x0[None, :], y[None, :], problem.zero_params())
    assert info["alpha"] == 1.0
    assert np.allclose(np.concatenate(theta), optimum, atol=1e-12)


def test_ternary_network_by_discrete_msa_from_python():
    train, test = dc.load("digits")
    problem = dc.Problem([dc.Dense(64, 128, "relu", weights="ternary"),
                          dc.Dense(128, 10, weights="ternary")], "cross_entropy")
    trainer = dc.DiscreteMsaTrainer(problem, train, test,
                                    dc.options(epochs=10, lr=1e-3, batch_size=32), rho=0.25,
                                    lam=3e-6)
    trainer.init(problem.init_params(seed=1))
    trainer.solve()
    W = trainer.params[0][:64 * 128]
    assert set(np.unique(W)) <= {-1.0, 0.0, 1.0}
    assert dc.evaluate(problem, trainer.params, test).accuracy > 0.93
    assert 0 < dc.discrete_nonzero_fraction(problem, trainer.params) < 0.9
