#!/usr/bin/python3
"""Training throughput of deepctl and PyTorch on the same networks, side by side.

float32, batch 128, plain SGD, one forward + backward + update per step, at 1 and 2 threads.
PyTorch gets its best configuration: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for its own
process (OpenBLAS then picks its fastest kernel here), and OPENBLAS_NUM_THREADS set beside
torch.set_num_threads. PyTorch's figure at T threads is its best at any count up to T (its
2-thread runs are slower than 1-thread ones here). Prints samples/s, the ratio deepctl / PyTorch
and each one's share of the measured FP32 peak of the cores used (6 flops per weight per sample).
Usage: bench/compare_pytorch.py [BUILD_DIR]
"""
import json
import os
import subprocess
import sys
import time

BATCH = 128
NETS = {
    "mlp_784_256_256_10_tanh": ([784, 256, 256, 10], "tanh"),
    "mlp_784_1024x3_10_relu": ([784, 1024, 1024, 1024, 10], "relu"),
    "deep_20x128_tanh": ([784] + [128] * 20 + [10], "tanh"),
}

TORCH_WORKER = r"""
import json, sys, time, torch
threads = int(sys.argv[1]); torch.set_num_threads(threads); torch.manual_seed(0)
nets = json.loads(sys.argv[2])
for name, (widths, act) in nets.items():
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i + 2 < len(widths):
            layers.append(torch.nn.Tanh() if act == "tanh" else torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    x = torch.randn(128, widths[0]); y = torch.randint(0, 10, (128,))
    loss_fn = torch.nn.CrossEntropyLoss()
    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()
    for _ in range(5): step()
    steps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 1.5:
        step(); steps += 1
    print(json.dumps({"net": name, "samples_per_second": steps * 128 / (time.perf_counter() - t0)}))
"""


def weights(widths):
    return sum(a * b for a, b in zip(widths[:-1], widths[1:]))


def run_deepctl(build, threads):
    out = subprocess.run([os.path.join(build, "bench", "bench_train_throughput"), str(threads)],
                         check=True, capture_output=True, text=True).stdout
    rows = [json.loads(l) for l in out.splitlines() if l.strip()]
    peak = next(r["gflops_per_core"] for r in rows if r["kind"] == "peak")
    return peak, {r["net"]: r["samples_per_second"] for r in rows if r["kind"] == "train"}


def run_torch(threads):
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = str(threads)
    out = subprocess.run(["/usr/bin/python3", "-c", TORCH_WORKER, str(threads), json.dumps(NETS)],
                         check=True, capture_output=True, text=True, env=env).stdout
    return {r["net"]: r["samples_per_second"] for r in map(json.loads, out.splitlines())}


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    print(f"{'network':28s} {'thr':>3s} {'deepctl/s':>11s} {'torch/s':>11s} {'ratio':>6s} "
          f"{'deepctl %peak':>13s} {'torch %peak':>11s}")
    best_torch = {}
    for threads in (1, 2):
        peak, ours = run_deepctl(build, threads)
        for name, sps in run_torch(threads).items():
            best_torch[name] = max(best_torch.get(name, 0.0), sps)
        theirs = best_torch
        for name, (widths, _) in NETS.items():
            flops = 6 * weights(widths)
            share = lambda sps: 100 * sps * flops / 1e9 / (peak * threads)
            print(f"{name:28s} {threads:3d} {ours[name]:11.0f} {theirs[name]:11.0f} "
                  f"{ours[name] / theirs[name]:6.2f} {share(ours[name]):12.1f}% {share(theirs[name]):10.1f}%")
        print(f"(measured FP32 peak {peak:.1f} GFLOP/s per core)")


if __name__ == "__main__":
    main()
