"""Times deepctl's tanh phase diagram (bench_meanfield_grid: N × N points of q*, χ_1, c*, χ_c,
ξ_c) beside a straightforward vectorised NumPy implementation of the same grid, in one run,
and prints the ratio and how far the two agree.

The NumPy version is what a researcher would write: probabilists' Gauss–Hermite nodes
(numpy.polynomial.hermite_e, 101 in 1-D, 40 × 40 in 2-D), the length map iterated to a fixed
point over the whole grid at once, χ_1 from it, and the correlation map iterated (at most
300 times, tolerance 1e-10, as in the review's code) at the chaotic points.

Usage: /usr/bin/python3 bench/compare_meanfield.py [BUILD_DIR] [N] [THREADS]
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from numpy.polynomial.hermite_e import hermegauss


def numpy_grid(n):
    sw2, sb2 = np.meshgrid(np.linspace(0.5, 3.0, n), np.linspace(0.0, 0.25, n))
    sw2, sb2 = sw2.ravel(), sb2.ravel()
    z, w = hermegauss(101)
    w = w / np.sqrt(2 * np.pi)
    q = np.ones_like(sw2)
    for _ in range(1000):
        new = sw2 * (np.tanh(np.sqrt(q)[:, None] * z) ** 2 @ w) + sb2
        done = np.max(np.abs(new - q)) < 1e-13
        q = new
        if done:
            break
    chi1 = sw2 * ((1 - np.tanh(np.sqrt(q)[:, None] * z) ** 2) ** 2 @ w)
    c = np.ones_like(q)
    chi_c = chi1.copy()
    z2, w2 = hermegauss(40)
    w2 = w2 / np.sqrt(2 * np.pi)
    Z1, Z2 = np.meshgrid(z2, z2, indexing="ij")
    W = np.outer(w2, w2).ravel()
    Z1, Z2 = Z1.ravel(), Z2.ravel()
    chaotic = np.where((chi1 > 1) & (q > 1e-12))[0]
    for start in range(0, len(chaotic), 2048):
        idx = chaotic[start:start + 2048]
        rq = np.sqrt(q[idx])[:, None]
        u1 = np.tanh(rq * Z1)
        ci = np.full(len(idx), 0.5)
        for _ in range(300):
            s = np.sqrt(1 - ci**2)[:, None]
            u2 = np.tanh(rq * (ci[:, None] * Z1 + s * Z2))
            new = (sw2[idx] * ((u1 * u2) @ W) + sb2[idx]) / q[idx]
            done = np.max(np.abs(new - ci)) < 1e-10
            ci = new
            if done:
                break
        s = np.sqrt(1 - ci**2)[:, None]
        u2 = np.tanh(rq * (ci[:, None] * Z1 + s * Z2))
        c[idx] = ci
        chi_c[idx] = sw2[idx] * (((1 - u1**2) * (1 - u2**2)) @ W)
    with np.errstate(divide="ignore"):
        xi_c = -1 / np.log(chi_c)
    return q, chi1, xi_c


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 256
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "grid.csv")
        out = subprocess.run([os.path.join(build, "bench", "bench_meanfield_grid"), str(n), str(threads), csv],
                             capture_output=True, text=True, check=True).stdout
        ours = json.loads(out)
        data = np.genfromtxt(csv, delimiter=",", names=True)
    env_threads = {"OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads)}
    os.environ.update(env_threads)
    t0 = time.perf_counter()
    q, chi1, xi_c = numpy_grid(n)
    numpy_seconds = time.perf_counter() - t0
    ok = np.isfinite(data["q_star"]) & (data["q_star"] > 1e-6)
    dq = np.max(np.abs(q[ok] - data["q_star"][ok]) / data["q_star"][ok])
    dchi = np.max(np.abs(chi1[ok] - data["chi1"][ok]) / data["chi1"][ok])
    away = ok & (np.abs(data["chi1"] - 1) > 0.05)
    dxi = np.median(np.abs(xi_c[away] - data["xi_c"][away]) / np.abs(data["xi_c"][away]))
    print(f"tanh phase diagram, {n} x {n} points (q*, chi_1, c*, chi_c, xi_c), {threads} threads")
    print(f"  deepctl  {ours['seconds']:8.3f} s")
    print(f"  NumPy    {numpy_seconds:8.3f} s   (Gauss-Hermite, vectorised fixed-point iteration)")
    print(f"  ratio    {numpy_seconds / ours['seconds']:8.1f} x")
    print(f"  agreement: max rel. diff q* {dq:.1e}, chi_1 {dchi:.1e}; median rel. diff xi_c "
          f"{dxi:.1e} (|chi_1 - 1| > 0.05; the NumPy rule is the less accurate one)")


if __name__ == "__main__":
    main()
