# The two commands of the README:
#   make run    install what is missing, build, study the default Fashion-MNIST MLP (report.html)
#   make test   install what is missing, build, run every test
# and   make bench  for the side-by-side benchmarks against PyTorch and NumPy (installs python3-torch).
.PHONY: all setup run test bench clean

all: setup

setup:
	scripts/setup.sh

run: setup
	./build/deepctl study examples/fashion_mnist_mlp.toml --out runs/default-$$(date +%Y%m%d-%H%M%S)

test: setup
	cd build && ctest --output-on-failure --timeout 900 -j2

bench:
	scripts/setup.sh python3-torch python3-numpy
	bench/compare_pytorch.sh
	/usr/bin/python3 bench/compare_meanfield.py build 256 2
	/usr/bin/python3 bench/compare_curvature.py
	/usr/bin/python3 bench/compare_ode.py
	/usr/bin/python3 bench/trainer_step_cost.py

clean:
	rm -rf build
