#!/usr/bin/python3
"""Per-sample gradients and the top-10 Hessian eigenvalues of the Fashion-MNIST MLP
(784-256-256-10 tanh, cross-entropy), deepctl and PyTorch 1.13 side by side (issue #6).

Same weights (deepctl's initialisation copied into torch), same data (the first training rows
of Fashion-MNIST, standardised), each library in its own process at 1 and 2 threads, PyTorch
with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset for its process (its fastest configuration here).
- per-sample gradients of 128 samples, float32, into a new 128 × 269 322 array (deepctl's
  costate pass per sample, sde.per_sample_gradients, against functorch's vmap(grad)), and into
  a preallocated one (out=, against a loop of backward() copying each gradient into its row);
- the 10 largest Hessian eigenvalues on 512 samples, float64, 40 Lanczos steps with full
  reorthogonalisation: deepctl's Hessian-vector products (central differences of the costate
  gradient) against PyTorch's double-backward products in the same Lanczos loop.
Prints seconds, the ratio PyTorch / deepctl (> 1: deepctl faster), deepctl's share of the FP32
or FP64 peak (gradient-equivalent flops: 6 per weight per sample per gradient; peak 265 GFLOP/s
per core FP32, half that FP64) and the leading eigenvalues of both as a cross-check.
Usage: bench/compare_curvature.py
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

WIDTHS = [784, 256, 256, 10]
PEAK_FP32 = 265.0  # GFLOP/s per core with AVX-512 FMA (README)

DEEPCTL_WORKER = r"""
import json, sys, time
import numpy as np
import deepctl as dc
d = np.load(sys.argv[1]); threads = int(sys.argv[2])
spec = dc.NetworkSpec(784, [dc.LayerSpec("dense", width=256, activation="tanh"),
                            dc.LayerSpec("dense", width=256, activation="tanh"),
                            dc.LayerSpec("dense", width=10)], loss="cross_entropy")
theta = [d[f"theta_{t}"] for t in range(3)]
p32 = dc.build_problem32(spec)
X32, Y32 = d["X"][:128].astype(np.float32), d["Y"][:128].astype(np.float32)
th32 = [t.astype(np.float32) for t in theta]
def best_of(f):
    f(); best = 1e9
    for _ in range(5):
        t0 = time.perf_counter(); f(); best = min(best, time.perf_counter() - t0)
    return best
G = np.empty((128, p32.num_params), dtype=np.float32)
out = {"per_sample": best_of(lambda: dc.sde.per_sample_gradients(p32, th32, X32, Y32, threads)),
       "per_sample_out": best_of(lambda: dc.sde.per_sample_gradients(p32, th32, X32, Y32, threads,
                                                                    out=G))}
p64 = dc.build_problem(spec)
t0 = time.perf_counter()
c = dc.spectrum.Curvature(p64, theta, d["X"], d["Y"], threads)
eig = c.top_eigenvalues(10, 40, 0)
out["hessian"] = time.perf_counter() - t0
out["eigenvalues"] = list(eig)
print(json.dumps(out))
"""

TORCH_WORKER = r"""
import json, sys, time
import numpy as np, torch
from functorch import make_functional, vmap, grad
d = np.load(sys.argv[1]); threads = int(sys.argv[2]); torch.set_num_threads(threads)
def net(dtype):
    layers = [torch.nn.Linear(784, 256), torch.nn.Tanh(), torch.nn.Linear(256, 256), torch.nn.Tanh(),
              torch.nn.Linear(256, 10)]
    model = torch.nn.Sequential(*layers).to(dtype)
    with torch.no_grad():
        for t, lin in enumerate(m for m in model if isinstance(m, torch.nn.Linear)):
            flat = torch.from_numpy(d[f"theta_{t}"]).to(dtype)
            lin.weight.copy_(flat[:lin.weight.numel()].view_as(lin.weight))
            lin.bias.copy_(flat[lin.weight.numel():])
    return model
model = net(torch.float32)
X = torch.from_numpy(d["X"][:128]).float(); y = torch.from_numpy(d["Y"][:128].argmax(1))
fmodel, params = make_functional(model)
def loss_one(p, x, t):
    return torch.nn.functional.cross_entropy(fmodel(p, x[None]), t[None])
per_sample = vmap(grad(loss_one), in_dims=(None, 0, 0))
per_sample(params, X, y)
best = 1e9
for _ in range(5):
    t0 = time.perf_counter(); per_sample(params, X, y); best = min(best, time.perf_counter() - t0)
G = torch.empty(128, sum(p.numel() for p in model.parameters()))
def loop():
    for i in range(128):
        model.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(X[i:i + 1]), y[i:i + 1]).backward()
        torch.cat([p.grad.reshape(-1) for p in model.parameters()], out=G[i])
loop(); loop_time = 1e9
for _ in range(5):
    t0 = time.perf_counter(); loop(); loop_time = min(loop_time, time.perf_counter() - t0)
out = {"per_sample_vmap": best, "per_sample_loop": loop_time}
model64 = net(torch.float64)
X64 = torch.from_numpy(d["X"]); y64 = torch.from_numpy(d["Y"].argmax(1))
ps = list(model64.parameters())
def hvp(v):
    loss = torch.nn.functional.cross_entropy(model64(X64), y64)
    g = torch.autograd.grad(loss, ps, create_graph=True)
    flat = torch.cat([x.reshape(-1) for x in g])
    hv = torch.autograd.grad(flat @ v, ps)
    return torch.cat([x.reshape(-1) for x in hv]).detach()
t0 = time.perf_counter()
n = sum(p.numel() for p in ps); gen = torch.Generator().manual_seed(0)
q = torch.randn(n, dtype=torch.float64, generator=gen); q /= q.norm()
Q = [q]; alpha, beta = [], []
for j in range(40):
    w = hvp(Q[-1]); alpha.append(float(Q[-1] @ w))
    B = torch.stack(Q)
    for _ in range(2): w = w - B.T @ (B @ w)
    if j == 39: break
    b = float(w.norm()); beta.append(b); Q.append(w / b)
T = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
out["hessian"] = time.perf_counter() - t0
out["eigenvalues"] = list(np.linalg.eigvalsh(T)[::-1][:10])
print(json.dumps(out))
"""


def run(worker, data, threads, torch_env):
    env = dict(os.environ)
    if torch_env:
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
        env["OPENBLAS_NUM_THREADS"] = str(threads)
    env["OMP_NUM_THREADS"] = str(threads)
    out = subprocess.run(["/usr/bin/python3", "-c", worker, data, str(threads)], check=True,
                         capture_output=True, text=True, env=env).stdout
    return json.loads(out.splitlines()[-1])


def main():
    import deepctl as dc
    config = dc.load_config(os.path.join(os.path.dirname(__file__), "..", "examples",
                                         "fashion_mnist_mlp.toml"))
    train, _ = dc.load_data(config.data)
    spec = dc.NetworkSpec(784, [dc.LayerSpec("dense", width=256, activation="tanh"),
                                dc.LayerSpec("dense", width=256, activation="tanh"),
                                dc.LayerSpec("dense", width=10)], loss="cross_entropy")
    theta = dc.build_problem(spec).init_params(seed=0)
    weights = sum(a * b for a, b in zip(WIDTHS[:-1], WIDTHS[1:]))
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data.npz")
        np.savez(data, X=np.asarray(train.inputs[:512], dtype=np.float64),
                 Y=np.asarray(train.targets[:512], dtype=np.float64),
                 **{f"theta_{t}": th for t, th in enumerate(theta)})
        print(f"{'task':34s} {'thr':>3s} {'deepctl s':>10s} {'torch s':>10s} {'ratio':>6s} "
              f"{'deepctl %peak':>13s}")
        for threads in (1, 2):
            ours = run(DEEPCTL_WORKER, data, threads, False)
            theirs = run(TORCH_WORKER, data, threads, True)
            grad_flops = 6 * weights
            rows = [("per-sample grads, new array (f32)", ours["per_sample"],
                     theirs["per_sample_vmap"], grad_flops * 128, PEAK_FP32),
                    ("per-sample grads, into out (f32)", ours["per_sample_out"],
                     theirs["per_sample_loop"], grad_flops * 128, PEAK_FP32),
                    ("top-10 Hessian eigvals (f64)", ours["hessian"], theirs["hessian"],
                     40 * 2 * grad_flops * 512, PEAK_FP32 / 2)]
            for name, a, b, flops, peak in rows:
                share = 100 * flops / a / 1e9 / (peak * threads)
                print(f"{name:34s} {threads:3d} {a:10.4f} {b:10.4f} {b / a:6.2f} {share:12.1f}%")
            print(f"  leading eigenvalues deepctl {np.round(ours['eigenvalues'][:3], 4)} "
                  f"torch {np.round(theirs['eigenvalues'][:3], 4)}")


if __name__ == "__main__":
    sys.exit(main())
