"""PyTorch 1.13 interop: the same MLP from the same weights on the same batches, 50 SGD, 50 Adam
and 50 Adagrad steps in float64, gives the same loss sequence to 1e-6 relative; checkpoints cross
over in both directions; every layer kind maps to an equal torch module."""
import pathlib

import numpy as np
import pytest
import torch

import deepctl as dc
from deepctl.torch_interop import from_torch, load_run, save_params, to_torch

ROOT = pathlib.Path(__file__).resolve().parents[2]


def mlp_spec():
    return dc.NetworkSpec(64, [dc.LayerSpec("dense", width=32, activation="tanh"),
                               dc.LayerSpec("dense", width=16, activation="gelu"),
                               dc.LayerSpec("dense", width=10)], "cross_entropy")


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adagrad"])
def test_fifty_steps_agree_with_pytorch(optimizer):
    train, _ = dc.load("digits")
    X, Y = np.asarray(train.inputs, dtype=np.float64), np.asarray(train.targets, dtype=np.float64)
    spec = mlp_spec()
    problem = dc.build_problem(spec)
    theta0 = problem.init_params(seed=5)
    lr = {"sgd": 0.05, "adam": 1e-3, "adagrad": 0.05}[optimizer]
    trainer = dc.GradientTrainer(problem, train, None,
                                 dc.options(optimizer=optimizer, lr=lr, adagrad_initial=0.1))
    trainer.init(theta0)
    model = to_torch(spec, theta0, torch.float64)
    opt = {"sgd": lambda p: torch.optim.SGD(p, lr=lr),
           "adam": lambda p: torch.optim.Adam(p, lr=lr, betas=(0.9, 0.999), eps=1e-8),
           "adagrad": lambda p: torch.optim.Adagrad(p, lr=lr, initial_accumulator_value=0.1,
                                                    eps=1e-8)}[optimizer](model.parameters())
    rng = np.random.default_rng(7)
    ours, theirs = [], []
    for _ in range(50):
        rows = rng.choice(len(X), 32, replace=False)
        ours.append(trainer.step(X[rows], Y[rows]).loss)
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(X[rows])),
                                                 torch.from_numpy(Y[rows].argmax(axis=1)))
        loss.backward()
        opt.step()
        theirs.append(loss.item())
    ours, theirs = np.array(ours), np.array(theirs)
    assert ours[-1] < 0.8 * ours[0]  # it trained
    assert np.max(np.abs(ours - theirs) / np.abs(theirs)) < 1e-6
    for a, b in zip(trainer.params, from_torch(model)):
        assert np.allclose(a, b, rtol=1e-6, atol=1e-9)


def test_every_layer_kind_maps_to_an_equal_torch_module():
    spec = dc.NetworkSpec((2, 8, 8), [
        dc.LayerSpec("conv2d", channels=3, kernel=3, padding=1, stride=1, activation="erf"),
        dc.LayerSpec("maxpool", kernel=2),
        dc.LayerSpec("conv2d", channels=4, kernel=2, stride=2, activation="leaky_relu:0.2"),
        dc.LayerSpec("avgpool", kernel=2),
        dc.LayerSpec("flatten"),
        dc.LayerSpec("dense", width=6, activation="softplus"),
        dc.LayerSpec("residual", step=0.5, activation="sigmoid"),
        dc.LayerSpec("dense", width=3, activation="hard_tanh"),
    ], "squared_error")
    problem = dc.build_problem(spec)
    theta = problem.init_params(seed=2, init=dc.Initializer("gaussian", 2.0, 0.1))
    X = np.random.default_rng(1).standard_normal((5, 128))
    traj = problem.rollout(X, np.zeros((5, 3)), theta)
    model = to_torch(spec, theta)
    assert np.allclose(model(torch.from_numpy(X)).detach().numpy(), traj.states[-1], atol=1e-12)
    assert all(np.array_equal(a, b) for a, b in zip(from_torch(model), theta))


def test_checkpoint_to_torch_and_back(tmp_path):
    run = dc.train_run(ROOT / "examples" / "digits_mlp.toml", tmp_path / "run",
                       ["train.epochs=2"], threads=1)
    model = load_run(run.path)
    test = dc.load("digits")[1]
    logits = model(torch.from_numpy(np.asarray(test.inputs, dtype=np.float64))).detach().numpy()
    acc = np.mean(logits.argmax(1) == np.asarray(test.targets).argmax(1))
    assert acc == pytest.approx(run.epochs[-1]["test_accuracy"], abs=1e-9)
    with torch.no_grad():  # change the weights in torch, bring them back
        model.deepctl_owners[0].bias.add_(1.0)
    save_params(tmp_path / "back.npz", from_torch(model))
    problem = dc.build_problem32(dc.load_config(str(run.path / "config.toml")).network(test.input_shape))
    back = dc.load_params(str(tmp_path / "back.npz"), problem)
    assert np.allclose(back[0][-64:], run.params()[0][-64:] + 1.0)
