#!/usr/bin/python3
"""Per-step cost of every trainer of issue #5 (REFERENCE F8–F12) relative to an Adam step on
the same network, side by side in one run per network: `deepctl compare` trains
- the Fashion-MNIST MLP (examples/fashion_mnist_mlp.toml, 784-256-256-10 tanh, batch 128) for
  EPOCHS epochs, and
- the small CNN (examples/small_cnn.toml, two 5x5 convolutions, batch 64) on the first 12 800
  training images (200 steps per epoch) for EPOCHS epochs,
with each optimiser (float32, seed 0, THREADS threads; the test evaluations after each epoch are
not in the per-step time), and this script prints ms per step and the ratio to Adam (the DDP
target: <= 2x on the MLP for the default curvature). Run it on an otherwise idle machine.
Usage: bench/trainer_step_cost.py [EPOCHS] [THREADS]
"""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
CLI = ROOT / "build" / "deepctl"
KFAC = 'ddp_curvature="kfac":ddp_damping=0.01:ddp_adaptive_damping=true'
NETWORKS = {
    "Fashion-MNIST MLP": ("fashion_mnist_mlp.toml", [], [
        "adam:lr=0.001", "sgd:lr=0.05", "pid:lr=0.001", "ddp:lr=0.001",
        "ddp:lr=0.001:ddp_feedback=false", f"ddp:lr=0.01:{KFAC}",
        f"ddp:lr=0.01:{KFAC}:ddp_stats_every=10", 'msa:rho=0.05:inner="lbfgs":inner_steps=5']),
    "small CNN": ("small_cnn.toml", ["data.train_limit=12800"], [
        "adam:lr=0.002", "sgd:lr=0.05", "ddp:lr=0.001", "ddp:lr=0.001:ddp_feedback=false",
        f"ddp:lr=0.005:{KFAC}", f"ddp:lr=0.005:{KFAC}:ddp_feedback=false",
        f"ddp:lr=0.005:{KFAC}:ddp_stats_every=10",
        f"ddp:lr=0.005:{KFAC}:ddp_stats_every=10:ddp_feedback=false"]),
}


def main(argv):
    epochs = int(argv[0]) if argv else 1
    threads = int(argv[1]) if len(argv) > 1 else 2
    for network, (config, settings, optimizers) in NETWORKS.items():
        command = [str(CLI), "compare", str(ROOT / "examples" / config), "--optimizers",
                   ",".join(optimizers), "--seeds", "1", "--json"]
        for setting in settings + [f"train.epochs={epochs}", "train.dynamics_every=0",
                                   f"train.threads={threads}"]:
            command += ["--set", setting]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        rows = json.loads(out)["optimizers"]
        adam = next(r["ms_per_step"] for r in rows if r["optimizer"] == "adam")
        print(f"{network}, {epochs} epoch(s), {threads} thread(s): ms per step, x Adam")
        for r in rows:
            print(f"  {r['name']:<84} {r['ms_per_step']:8.3f} ms  {r['ms_per_step'] / adam:6.2f}x"
                  f"  (test accuracy {r['test_accuracy_mean']:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
