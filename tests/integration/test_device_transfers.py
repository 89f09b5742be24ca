"""The device path (#22) run on the CPU (PTMLP_STAGED=1: the same staging buffers, copies and frozen
graph as on CUDA, with the CPU as the "device"): the same numbers as ASE and as the fused C++ path,
and exactly one host->device copy of a step's inputs and one device->host copy of its results,
counted by PTMLP_PROFILE (counts, not timings). Per-atom virials travel only when a compute asks."""

from __future__ import annotations

import re

import numpy as np
import pytest

from ptmlp.demo import DEMO_MODEL

from conftest import make_model, oxide_slab, run_ensemble_with_deviation, run_lmp
from lammps_compare import ase_results, assert_agree, bcc_fe_input, lammps_results

STAGED = {"PTMLP_STAGED": "1"}


def counters(stderr: str) -> dict[str, int]:
    found = {m.group(1): int(m.group(2))
             for m in re.finditer(r"^ptmlp profile: count (.+?)\s+(\d+)$", stderr, re.M)}
    assert found, stderr[-2000:]
    return found


@pytest.mark.parametrize("nprocs", [1, 2])
def test_staged_path_matches_ase(tmp_path, model_file, nprocs, plugin_built):
    """Issue #3 tolerances (1e-8 eV/atom, 1e-6 eV/A, 1e-3 bar, per-atom energies and virials)."""
    atoms = oxide_slab(seed=3)
    lmp = lammps_results(tmp_path, atoms, f"ptmlp {model_file}", nprocs=nprocs, env_extra=STAGED)
    assert "device path (one copy in, one out; frozen TorchScript graph)" in lmp["log"]
    assert_agree(lmp, ase_results(atoms, model_file), len(atoms))


@pytest.mark.parametrize("kind", ["te", "float32"])
def test_staged_equals_fused(tmp_path, kind, plugin_built):
    """T_e models (free energy, entropy) and float32 models (graph in float32, sums in float64)
    on the device path against the fused C++ path (float64 from the float32 weights)."""
    if kind == "te":
        model = make_model(tmp_path / "te.pt", te_range_K=(1000.0, 8000.0))
        style, extra = f"ptmlp/tel {model} tel 5000", "compute se all ptmlp/tel/entropy"
        thermo_extra, print_extra = "c_se", "$(c_se:%.17g)"
    else:
        model = make_model(tmp_path / "f32.pt", dtype="float32")
        style, extra, thermo_extra, print_extra = f"ptmlp {model}", "", "", ""
    atoms = oxide_slab(seed=8)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    kw = dict(extra=extra, thermo_extra=thermo_extra, print_extra=print_extra)
    staged = lammps_results(tmp_path / "a", atoms, style, env_extra=STAGED, **kw)
    fused = lammps_results(tmp_path / "b", atoms, style, **kw)
    assert "device path" in staged["log"] and "whole model in C++" in fused["log"]
    tol = {"pe": 1e-5, "f": 1e-4, "cva": 300.0, "p": 1.0} if kind == "float32" else \
        {"pe": 1e-10, "f": 1e-9, "cva": 1e-3, "p": 1e-5}
    assert abs(staged["pe"] - fused["pe"]) / len(atoms) < tol["pe"]  # eV/atom
    assert np.abs(staged["forces"] - fused["forces"]).max() < tol["f"]  # eV/A
    assert np.abs(staged["cva"] - fused["cva"]).max() < tol["cva"]  # bar A^3
    assert max(abs(staged["p"][k] - fused["p"][k]) for k in staged["p"]) < tol["p"]  # bar
    if kind == "te":
        assert staged["extra"][0] == pytest.approx(fused["extra"][0], rel=1e-10)  # S_e, eV/K


MD = """
velocity all create 300.0 4928459 loop geom
fix 1 all nve
timestep 0.001
{computes}
thermo 10
run 20
"""


@pytest.mark.parametrize("per_atom", [False, True])
def test_one_copy_in_and_one_out_per_step(tmp_path, per_atom, plugin_built):
    """20 MD steps + setup = 21 force evaluations: 21 host->device and 21 device->host copies;
    per-atom virials are in the copy only on the 3 steps (0, 10, 20) whose dump asks for them.
    The four buffers (staging and device, in and out) are allocated once."""
    computes = ("compute cva all centroid/stress/atom NULL\n"
                "dump d all custom 10 dump.txt id c_cva[1] c_cva[4]") if per_atom else ""
    text = bcc_fe_input(DEMO_MODEL, cells=3, after_pair=MD.format(computes=computes))
    proc = run_lmp(tmp_path, text, env_extra=STAGED | {"PTMLP_PROFILE": "1"})
    c = counters(proc.stderr)
    assert c["device evaluations"] == 21, c
    assert c["host->device copies"] == 21, c
    assert c["device->host copies"] == 21, c
    assert c["per-atom virial copies"] == (3 if per_atom else 0), c
    assert c["buffer growths"] == 4, c
    assert "peak device bytes" not in c  # CPU: no device allocator to read
    # 54 local atoms: at least their forces (3 doubles each) and the 11-value header come back
    assert c["device->host bytes"] >= 21 * 8 * (11 + 3 * 54)
    assert c["host->device bytes"] > c["device->host bytes"]  # edge lists are larger than forces


def test_ensemble_uploads_once_per_step(tmp_path, plugin_built):
    """Three members, deviation every 10 steps over 20 steps: 27 evaluations (21 + 2 x 3) share
    21 uploads (the members reuse the step's inputs on the device); each evaluation has one copy back."""
    proc = run_ensemble_with_deviation(tmp_path, env_extra=STAGED | {"PTMLP_PROFILE": "1"})
    c = counters(proc.stderr)
    assert c["device evaluations"] == 27, c
    assert c["host->device copies"] == 21, c
    assert c["device->host copies"] == 27, c
    devi = np.loadtxt(tmp_path / "devi.out")
    assert devi.shape == (3, 8) and (devi[:, 4] > 0).all()  # members differ: the deviation is real


def test_host_paths_copy_nothing(tmp_path, plugin_built):
    """Without PTMLP_STAGED the CPU runs the fused C++ path: no device counters at all."""
    proc = run_lmp(tmp_path, bcc_fe_input(DEMO_MODEL, cells=2, after_pair="run 5"),
                   env_extra={"PTMLP_PROFILE": "1"})
    assert "C++ edges forward" in proc.stderr
    assert "ptmlp profile: count" not in proc.stderr
