#!/usr/bin/python3
"""The Neural ODE spiral demo (issue #8; REFERENCE F7), deepctl and a plain PyTorch 1.13
implementation side by side: the same model (dy/dt = MLP(y³), 2 → 50 tanh → 2, 252
parameters), the same fixed-step RK4 (STEPS steps per sample interval), the same windows (20
random windows of 10 consecutive points of the 1000-point trajectory), the L1 loss at every
point and Adam at 1e-3; PyTorch backpropagates through the RK4 stages (store-all), deepctl runs
its exact costate pass through them. Each library in its own process, one thread, the best of
three runs of ITERS iterations; the test evaluations of deepctl are not timed.
Prints milliseconds per iteration, the ratio PyTorch / deepctl (> 1: deepctl faster) and
deepctl's share of one core's FP32 peak (265 GFLOP/s; ~6·(2·50 + 50·2)·B flops per MLP
evaluation with its vjp). Then the peak resident memory of one iteration at 1000 RK4 steps per
interval (batch-time 2): deepctl's store-all discrete gradient, its checkpointed twin and its
continuous adjoint, and PyTorch's backprop through the solver.
Usage: bench/compare_ode.py [ITERS] [STEPS]
"""
import json
import os
import pathlib
import resource
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
CLI = ROOT / "build" / "deepctl"
PEAK_FP32 = 265.0

TORCH_WORKER = r"""
import json, resource, sys, time
import numpy as np
import torch
torch.set_num_threads(1)
iters, steps, batch_time, seed = (int(a) for a in sys.argv[1:5])
import deepctl as dc
observed = torch.tensor(dc.ode.spiral_trajectory(1000, 25.0))
dt = 25.0 / 999
torch.manual_seed(seed)
net = torch.nn.Sequential(torch.nn.Linear(2, 50), torch.nn.Tanh(), torch.nn.Linear(50, 2)).double()
for m in net.modules():
    if isinstance(m, torch.nn.Linear):
        torch.nn.init.normal_(m.weight, std=0.1)
        torch.nn.init.zeros_(m.bias)
f = lambda y: net(y ** 3)
def rk4(y):
    h = dt / steps
    out = [y]
    for _ in range(batch_time - 1):
        for _ in range(steps):
            k1 = f(y); k2 = f(y + 0.5 * h * k1); k3 = f(y + 0.5 * h * k2); k4 = f(y + h * k3)
            y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out.append(y)
    return torch.stack(out)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
rng = np.random.default_rng(seed)
def iteration():
    s = torch.from_numpy(rng.integers(0, 1000 - batch_time, 20))
    windows = torch.stack([observed[s + k] for k in range(batch_time)])
    opt.zero_grad()
    loss = (rk4(windows[0]) - windows).abs().mean()
    loss.backward()
    opt.step()
iteration()
best = 1e9
for _ in range(3):
    t0 = time.perf_counter()
    for _ in range(iters): iteration()
    best = min(best, (time.perf_counter() - t0) / iters)
print(json.dumps({"seconds_per_iteration": best,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def torch_run(iters, steps, batch_time):
    env = dict(os.environ)
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(key, None)  # PyTorch's fastest configuration here
    env["PYTHONPATH"] = str(ROOT / "python")
    out = subprocess.run([sys.executable, "-c", TORCH_WORKER, str(iters), str(steps),
                          str(batch_time), "0"], capture_output=True, text=True, env=env,
                         check=True)
    return json.loads(out.stdout)


def deepctl_run(iters, steps, batch_time=10, gradient="discrete", repeats=3):
    best = None
    for _ in range(repeats):
        out = subprocess.run([str(CLI), "ode", "--iters", str(iters), "--steps", str(steps),
                              "--batch-time", str(batch_time), "--gradient", gradient,
                              "--test-every", str(iters), "--no-gap", "--json"],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        if best is None or r["seconds_per_iteration"] < best["seconds_per_iteration"]:
            best = r
    return best


def main(argv):
    iters = int(argv[0]) if argv else 300
    steps = int(argv[1]) if len(argv) > 1 else 1
    d = deepctl_run(iters, steps)
    t = torch_run(iters, steps, 10)
    evaluations = d["forward_evaluations"] / d["iterations"]  # per iteration
    gflop = evaluations * 6 * (2 * 50 + 50 * 2) * 20 / 1e9
    share = gflop / d["seconds_per_iteration"] / PEAK_FP32
    print(f"spiral demo, RK4 {steps} step(s) per interval, batch 20 × 10 points, 1 thread, "
          f"{iters} iterations")
    print(f"{'':10} {'ms/iteration':>14} {'ratio':>8} {'% FP32 peak':>12}")
    print(f"{'deepctl':10} {1e3 * d['seconds_per_iteration']:14.3f} {'':>8} {100 * share:11.2f}%")
    print(f"{'PyTorch':10} {1e3 * t['seconds_per_iteration']:14.3f} "
          f"{t['seconds_per_iteration'] / d['seconds_per_iteration']:8.2f}")
    print("\npeak resident memory of a run at 1000 RK4 steps per interval (batch-time 2, 3 iterations):")
    store_all = deepctl_run(3, 1000, 2, "discrete", 1)
    checkpointed = deepctl_run(3, 1000, 2, "checkpointed", 1)
    adjoint = deepctl_run(3, 1000, 2, "adjoint", 1)
    small = deepctl_run(3, 1, 2, "discrete", 1)
    torch_big = torch_run(1, 1000, 2)
    print(f"  deepctl store-all (discrete) {store_all['peak_rss_mb']:8.1f} MB")
    print(f"  deepctl checkpointed         {checkpointed['peak_rss_mb']:8.1f} MB")
    print(f"  deepctl continuous adjoint   {adjoint['peak_rss_mb']:8.1f} MB")
    print(f"  deepctl at 1 step (baseline) {small['peak_rss_mb']:8.1f} MB")
    print(f"  PyTorch backprop (store-all) {torch_big['peak_rss_mb']:8.1f} MB (its process, "
          "torch and deepctl imported)")


if __name__ == "__main__":
    main(sys.argv[1:])
