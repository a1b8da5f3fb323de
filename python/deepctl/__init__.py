"""deepctl: a deep network as a discrete-time controlled dynamical system.

    x_{t+1} = f_t(x_t, θ_t),   minimise J(θ) = (1/B) Σ_s Φ(x_T^s, y^s) + Σ_t R_t(θ_t)

Training is optimal control; back-propagation is the costate pass of Pontryagin's principle.
The C++ core (deepctl._core) holds layers, losses, problems, trainers, datasets and
checkpoints; this package adds callbacks, run folders, figures, the study report and PyTorch
interop.

Classes with plain names work in float64 (NumPy's default); those ending in 32 in float32.

    import deepctl as dc
    train, test = dc.load("digits")
    problem = dc.Problem([dc.Dense(64, 32, "tanh"), dc.Dense(32, 10)], "cross_entropy")
    trainer = dc.GradientTrainer(problem, train, test, dc.options(epochs=5, lr=3e-3))
    trainer.init(problem.init_params(seed=1))
    history = dc.History()
    trainer.solve(history)
"""
from ._core import *  # noqa: F401,F403
import sys as _sys

from ._core import infoplane, meanfield, ode, sde, spectrum  # noqa: F401
from ._core import (DataConfig, Schedule, TrainerOptions, UpdateOptions, __version__,  # noqa: F401
                    load_data)
from .callbacks import Callback, History, LayerMonitor  # noqa: F401
from .runs import RunDir, compare_run, train_run  # noqa: F401

_sys.modules[__name__ + ".meanfield"] = meanfield  # import deepctl.meanfield works too
_sys.modules[__name__ + ".spectrum"] = spectrum
_sys.modules[__name__ + ".infoplane"] = infoplane
_sys.modules[__name__ + ".sde"] = sde
_sys.modules[__name__ + ".ode"] = ode


def options(epochs=10, batch_size=128, seed=0, optimizer="adam", lr=1e-3, schedule="constant",
            momentum=0.9, beta1=0.9, beta2=0.999, epsilon=1e-8, weight_decay=0.0, gamma=0.1,
            every=10, min_lr=0.0, decay=1e-3, eval_batch=1000, ki=5.0, kd=10.0, u0=1.0,
            beta_min=0.9, beta_max=0.99, temperature=1.0, psgld_alpha=0.99, psgld_lambda=1e-5,
            adagrad_initial=0.0):
    """TrainerOptions from flat keywords (the names of the [train] table of a config)."""
    o = TrainerOptions()
    o.epochs, o.batch_size, o.seed, o.eval_batch = epochs, batch_size, seed, eval_batch
    u = o.update
    u.kind, u.momentum, u.beta1, u.beta2 = optimizer, momentum, beta1, beta2
    u.epsilon, u.weight_decay, u.ki, u.kd = epsilon, weight_decay, ki, kd
    u.u0, u.beta_min, u.beta_max = u0, beta_min, beta_max
    u.temperature, u.psgld_alpha, u.psgld_lambda = temperature, psgld_alpha, psgld_lambda
    u.adagrad_initial = adagrad_initial
    s = o.schedule
    s.kind, s.base, s.gamma, s.every, s.min_lr, s.decay = schedule, lr, gamma, every, min_lr, decay
    return o


def load(name, **fields):
    """(train, test) of a dataset by name, as a config's [data] table would load it.

    name: fashion-mnist | digits | ib12bit | breast-cancer | wine | iris | spirals |
    gaussian-mixture | teacher-student | sine; fields are the
    other [data] keys (train_limit, test_limit, test_fraction, split_seed, samples, noise, ...).
    """
    d = DataConfig()
    d.name = name
    for key, value in fields.items():
        if not hasattr(d, key):
            raise ValueError(f"data.{key}: unknown key")
        setattr(d, key, value)
    return load_data(d)
