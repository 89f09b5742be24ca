"""The float32 option of #22: a model file whose metadata says "dtype": "float32" (weights rounded to
float32; `ptmlp export --float32`, or bench/gpu/float32_model.py for an existing file) against the
float64 demo model it came from, on both CPU paths:

- fused (the default on the CPU): float32 weights, float64 arithmetic;
- staged (PTMLP_STAGED=1, the code that runs on CUDA): the graph in float32, its per-atom energies
  and edge gradients cast to float64 before energies, forces and virials are summed.

Bound on the difference: 100 eps32 times the scale of the quantity (eps32 = 2**-23 = 1.19e-7,
scale = max |e_atom| for per-atom energies, max |F| for forces). Rounding in a float32 dot product
of length n is bounded by n u |a||b| (u = eps32/2, n <= 64 here: widths of the networks and the
radial basis), and a force sums ~60 neighbour terms of either sign, so 100 eps32 x scale is the
worst case's order, while the measured differences (1024 rattled bcc Fe atoms) are about 5 eps32 x
scale for energies and 10 eps32 x scale for forces on the staged path, and less on the fused one.

float64 accumulation is shown by what float32 sums could not give: the sum of all forces is zero to
1e-10 eV/A (float32 sums of ~10 eV/A forces leave ~eps32 x 10 x sqrt(3 N) ~ 1e-4), the total energy
equals the float64 sum of the per-atom energies, and on the staged path the per-atom energies are
float32 numbers while their total is not one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ptmlp.demo import DEMO_MODEL
from ptmlp.lammps_data import read_dump_columns
from ptmlp.metadata import read_model_metadata

from conftest import run_lmp
from lammps_compare import bcc_fe_input

CONVERTER = Path(__file__).resolve().parents[2] / "bench" / "gpu" / "float32_model.py"
EPS32 = float(np.finfo(np.float32).eps)  # 1.19e-7
BOUND = 100 * EPS32

AFTER = """displace_atoms all random 0.1 0.1 0.1 12345
compute pea all pe/atom
dump d all custom 1 dump.txt id fx fy fz c_pea
dump_modify d sort id format float %.17g
run 0
print "PTMLP_RESULT $(pe:%.17g)"
"""
PATHS = {"fused": ({}, "whole model in C++"), "staged": ({"PTMLP_STAGED": "1"}, "device path")}


def results(workdir: Path, model: Path, path: str) -> dict:
    workdir.mkdir()
    env, log_words = PATHS[path]
    proc = run_lmp(workdir, bcc_fe_input(model, cells=8, after_pair=AFTER), env_extra=env)
    assert log_words in proc.stdout, proc.stdout[-2000:]
    pe = float([ln for ln in proc.stdout.splitlines() if ln.startswith("PTMLP_RESULT")][-1].split()[1])
    dump = read_dump_columns(workdir / "dump.txt")
    return {"pe": pe, "pea": dump["c_pea"], "forces": np.stack([dump["fx"], dump["fy"], dump["fz"]], 1)}


@pytest.fixture(scope="module")
def f32_model(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("f32") / "fe_demo_f32.pt"
    subprocess.run([sys.executable, str(CONVERTER), str(DEMO_MODEL), str(out)], check=True, capture_output=True)
    assert read_model_metadata(out)["dtype"] == "float32"
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory, plugin_built) -> dict:
    return results(tmp_path_factory.mktemp("f64") / "run", DEMO_MODEL, "fused")


@pytest.mark.parametrize("path", ["fused", "staged"])
def test_float32_model_agrees_and_sums_in_float64(tmp_path, f32_model, reference, path):
    r = results(tmp_path / "run", f32_model, path)
    n = len(r["pea"])
    de_atom = np.abs(r["pea"] - reference["pea"]).max()
    df = np.abs(r["forces"] - reference["forces"]).max()
    print(f"{path}: |dE|/N {abs(r['pe'] - reference['pe']) / n:.2e} eV/atom, max |de_atom| {de_atom:.2e} eV, "
          f"max |dF| {df:.2e} eV/A")
    assert de_atom < BOUND * np.abs(reference["pea"]).max()  # eV
    assert df < BOUND * np.abs(reference["forces"]).max()  # eV/A
    assert abs(r["pe"] - reference["pe"]) / n < BOUND * np.abs(reference["pea"]).max()  # eV/atom
    assert df > 1e-9  # the float32 weights are in effect (a float64 model would agree to 1e-13)
    # sums in float64
    assert np.abs(r["forces"].sum(0)).max() < 1e-10  # eV/A
    assert r["pe"] == pytest.approx(float(np.sum(r["pea"])), rel=1e-13, abs=0.0)
    as_f32 = r["pea"].astype(np.float32).astype(np.float64)
    if path == "staged":  # graph in float32, total in float64
        assert (as_f32 == r["pea"]).all()
        assert float(np.float32(r["pe"])) != r["pe"]
    else:  # float32 weights, float64 arithmetic
        assert (as_f32 != r["pea"]).any()
