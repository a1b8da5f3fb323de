#!/usr/bin/python3
"""Per-step cost of every trainer of issue #5 (REFERENCE F8–F12) relative to an Adam step on
the same network, side by side in one run: `deepctl compare` trains the Fashion-MNIST MLP
(examples/fashion_mnist_mlp.toml, 784-256-256-10 tanh, batch 128, float32) for EPOCHS epochs
with each optimiser (seed 0, THREADS threads; the test evaluations after each epoch are not in
the per-step time) and this script prints ms per step and the ratio to Adam (the DDP target:
<= 2x for the default curvature). Run it on an otherwise idle machine.
Usage: bench/trainer_step_cost.py [EPOCHS] [THREADS]
"""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
CLI = ROOT / "build" / "deepctl"
OPTIMIZERS = ["adam:lr=0.001", "sgd:lr=0.05", "pid:lr=0.001", "ddp:lr=0.001",
              "ddp:lr=0.001:ddp_feedback=false", 'ddp:lr=0.01:ddp_curvature="kfac":ddp_damping=0.01',
              'msa:rho=0.05:inner="lbfgs":inner_steps=5']


def main(argv):
    epochs = int(argv[0]) if argv else 1
    threads = int(argv[1]) if len(argv) > 1 else 2
    out = subprocess.run(
        [str(CLI), "compare", str(ROOT / "examples" / "fashion_mnist_mlp.toml"), "--optimizers",
         ",".join(OPTIMIZERS), "--seeds", "1", "--set", f"train.epochs={epochs}", "--set",
         "train.dynamics_every=0", "--set", f"train.threads={threads}", "--json"],
        check=True, capture_output=True, text=True).stdout
    rows = json.loads(out)["optimizers"]
    adam = next(r["ms_per_step"] for r in rows if r["optimizer"] == "adam")
    print(f"Fashion-MNIST MLP, {epochs} epoch(s), {threads} thread(s): ms per step, x Adam")
    for r in rows:
        print(f"  {r['name']:<52} {r['ms_per_step']:8.3f} ms  {r['ms_per_step'] / adam:6.2f}x"
              f"  (test accuracy {r['test_accuracy_mean']:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
