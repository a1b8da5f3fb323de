"""The default study (examples/fashion_mnist_mlp.toml) from Python: Fashion-MNIST, a
784-256-256-10 tanh MLP trained with Adam and a cosine schedule, its curves and per-layer
statistics as PNG and SVG.   Run:  /usr/bin/python3 examples/python/default_study.py [OUT]"""
import sys

import numpy as np

import deepctl as dc
from deepctl import figures

out = sys.argv[1] if len(sys.argv) > 1 else "runs/python-study"
train, test = dc.load("fashion-mnist")
problem = dc.Problem32([dc.Dense32(784, 256, "tanh"), dc.Dense32(256, 256, "tanh"),
                        dc.Dense32(256, 10)], "cross_entropy")
trainer = dc.GradientTrainer32(problem, train, test,
                               dc.options(epochs=8, batch_size=128, lr=1e-3, schedule="cosine"))
trainer.init(problem.init_params(seed=0))
probe_X = np.asarray(train.inputs[:256])
history = dc.History()
layers = dc.LayerMonitor(problem, trainer, probe_X, np.asarray(train.targets[:256]), every=50)
print(problem, trainer.solve([history, layers]), history.epochs[-1], sep="\n")
figures.save(figures.training_curves(history.steps[::50], history.epochs, "step"), f"{out}/curves")
figures.save(figures.layer_statistics(layers.records), f"{out}/layers")
print(f"figures: {out}/curves.png, {out}/layers.png (and .svg)")
