"""PyTorch interop: a deepctl network and its θ as the equivalent torch.nn.Sequential, and back.

Layouts match one to one: a dense θ_t = [W (out × in, row-major), b] is nn.Linear's
(weight, bias); a conv2d θ_t = [K (M × C·k·k), b] is nn.Conv2d's weight (M, C, k, k) and bias;
sample rows are the flattened (C, H, W) tensors torch uses. Residual blocks x + h·φ(Wx + b)
become a small module. Activations map to torch's (erf to torch.erf, GELU exact).

    model = to_torch(spec, theta, dtype=torch.float64)
    theta = from_torch(model)            # back, as a list of arrays in deepctl's layout
    model = load_run(run_dir)            # a run folder's checkpoint as a Sequential
"""
import numpy as np
import torch
from torch import nn

from . import _core
from .runs import RunDir


class Erf(nn.Module):
    def forward(self, x):
        return torch.erf(x)


class ResidualBlock(nn.Module):
    """x + h·φ(W x + b)."""

    def __init__(self, width, step, activation):
        super().__init__()
        self.linear, self.step, self.activation = nn.Linear(width, width), step, activation

    def forward(self, x):
        return x + self.step * self.activation(self.linear(x))


def activation_module(name):
    base, _, slope = name.partition(":")
    table = {
        "linear": nn.Identity, "tanh": nn.Tanh, "relu": nn.ReLU, "erf": Erf,
        "hard_tanh": nn.Hardtanh, "sigmoid": nn.Sigmoid, "softplus": nn.Softplus, "gelu": nn.GELU,
    }
    if base == "leaky_relu":
        return nn.LeakyReLU(float(slope) if slope else 0.01)
    if base not in table:
        raise ValueError(f"activation '{name}': no torch equivalent")
    return table[base]()


def to_torch(spec, theta=None, dtype=torch.float64):
    """nn.Sequential equal to the network of a NetworkSpec; with θ its weights are copied in."""
    shape = tuple(spec.input)
    modules, owners = [], []  # owners[t]: the module holding θ_t, or None
    image = shape[1] * shape[2] > 1
    if image:
        modules.append(nn.Unflatten(1, shape))
    for layer in spec.layers:
        c, h, w = shape
        if layer.type == "dense":
            if image:
                modules.append(nn.Flatten())
                image = False
            lin = nn.Linear(c * h * w, layer.width)
            modules += [lin, activation_module(layer.activation)]
            owners.append(lin)
            shape = (layer.width, 1, 1)
        elif layer.type == "residual":
            block = ResidualBlock(c * h * w, layer.step, activation_module(layer.activation))
            modules.append(block)
            owners.append(block.linear)
        elif layer.type == "conv2d":
            stride = layer.stride or 1
            conv = nn.Conv2d(c, layer.channels, layer.kernel, stride, layer.padding)
            modules += [conv, activation_module(layer.activation)]
            owners.append(conv)
            size = lambda n: (n + 2 * layer.padding - layer.kernel) // stride + 1  # noqa: E731
            shape = (layer.channels, size(h), size(w))
        elif layer.type in ("maxpool", "avgpool"):
            stride = layer.stride or layer.kernel
            pool = nn.MaxPool2d if layer.type == "maxpool" else nn.AvgPool2d
            modules.append(pool(layer.kernel, stride))
            owners.append(None)
            shape = (c, (h - layer.kernel) // stride + 1, (w - layer.kernel) // stride + 1)
        elif layer.type == "flatten":
            modules.append(nn.Flatten())
            owners.append(None)
            image = False
        else:
            raise ValueError(f"layer type '{layer.type}': no torch equivalent")
    if image:
        modules.append(nn.Flatten())
    model = nn.Sequential(*modules).to(dtype)
    model.deepctl_owners = owners
    if theta is not None:
        set_params(model, theta)
    return model


def set_params(model, theta):
    """Copies deepctl's θ into a model made by to_torch."""
    owners = model.deepctl_owners
    if len(theta) != len(owners):
        raise ValueError(f"parameters: expected {len(owners)} per-layer vectors, got {len(theta)}")
    with torch.no_grad():
        for t, (owner, th) in enumerate(zip(owners, theta)):
            if owner is None:
                continue
            nw, nb = owner.weight.numel(), owner.bias.numel()
            if np.size(th) != nw + nb:
                raise ValueError(f"parameters of layer {t}: expected {nw + nb} values, got {np.size(th)}")
            th = torch.as_tensor(np.asarray(th), dtype=owner.weight.dtype)
            owner.weight.copy_(th[:nw].reshape(owner.weight.shape))
            owner.bias.copy_(th[nw:])


def from_torch(model):
    """θ as deepctl lays it out, from a model made by to_torch (after training it in torch)."""
    theta = []
    for owner in model.deepctl_owners:
        if owner is None:
            theta.append(np.zeros(0))
        else:
            theta.append(torch.cat([owner.weight.detach().reshape(-1),
                                    owner.bias.detach()]).cpu().numpy())
    return theta


def load_run(run_dir, dtype=torch.float64):
    """The checkpoint of a run folder as the equivalent nn.Sequential."""
    run = RunDir(run_dir)
    config = _core.load_config(str(run.path / "config.toml"))
    train, _ = _core.load_data(config.data)
    return to_torch(config.network(train.input_shape), run.params(), dtype)


def save_params(path, theta):
    """Writes θ as a checkpoint deepctl reads (load_params, `deepctl eval --checkpoint`)."""
    np.savez(path, **{f"theta_{t}": np.asarray(th) for t, th in enumerate(theta)})
