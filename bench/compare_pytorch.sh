#!/usr/bin/env bash
# Runs the side-by-side throughput comparison with PyTorch (see compare_pytorch.py).
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/compare_pytorch.py build
