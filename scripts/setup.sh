#!/usr/bin/env bash
# Installs the Debian packages deepctl needs (only those missing), then configures and builds.
# Usage: scripts/setup.sh [extra Debian packages...]   (run as root on a fresh machine)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ make cmake ninja-build pkg-config libeigen3-dev zlib1g-dev libgtest-dev
          libbenchmark-dev libtomlplusplus-dev nlohmann-json3-dev
          dataset-fashion-mnist python3-sklearn
          python3-dev python3-pybind11 python3-numpy python3-matplotlib python3-pytest
          python3-torch chromium "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake --preset release -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build build --parallel "$(nproc)"

# `import deepctl` for Debian's /usr/bin/python3: a .pth file in its site directory points at
# python/, where the build put deepctl/_core*.so beside the pure-Python package.
site_dir=$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])')
mkdir -p "$site_dir"
echo "$PWD/python" > "$site_dir/deepctl.pth"
