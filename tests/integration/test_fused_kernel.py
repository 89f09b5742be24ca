"""The fused C++ density kernel (model v1 on CPU) against the all-TorchScript path, and a
regression guard on how often models are evaluated (not a timing)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from conftest import TYPE_NAMES, make_model, oxide_slab, run_lmp
from lammps_compare import lammps_results


@pytest.mark.parametrize("te", [False, True])
def test_fused_equals_torchscript(tmp_path, model_file, te, plugin_built):
    model = make_model(tmp_path / "te.pt", te_range_K=(1000.0, 8000.0)) if te else model_file
    style = f"ptmlp/tel {model} tel 5000" if te else f"ptmlp {model}"
    atoms = oxide_slab(seed=8)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    fused = lammps_results(tmp_path / "a", atoms, style)
    plain = lammps_results(tmp_path / "b", atoms, style, env_extra={"PTMLP_FUSED": "0"})
    assert "fused C++ density kernel" in fused["log"] and "TorchScript density" in plain["log"]
    assert abs(fused["pe"] - plain["pe"]) / len(atoms) < 1e-10  # eV/atom
    assert np.abs(fused["forces"] - plain["forces"]).max() < 1e-9  # eV/A
    assert np.abs(fused["cva"] - plain["cva"]).max() < 1e-3  # bar A^3 (per-atom virials)
    assert max(abs(fused["p"][k] - plain["p"][k]) for k in fused["p"]) < 1e-5  # bar


def test_model_calls_per_step(tmp_path, plugin_built):
    """An ensemble of 3 with deviation every 10 steps over 20 steps: member 0 on 21 force
    evaluations (setup + 20 steps), members 1-2 only on steps 0, 10, 20 -> 27 kernel calls."""
    models = [make_model(tmp_path / f"m{k}.pt", seed=k) for k in range(3)]
    from ptmlp.lammps_data import write_lammps_data

    write_lammps_data(tmp_path / "data.lmp", oxide_slab(seed=1, vacuum_A=0.0, isolated=False, repeat=(2, 2, 2)),
                      TYPE_NAMES)
    text = f"""
units metal
atom_style atomic
read_data data.lmp
pair_style ptmlp {' '.join(map(str, models))} deviation 10 devi.out
pair_coeff * * Mg Si O
fix nve all nve
timestep 0.0005
run 20
"""
    proc = run_lmp(tmp_path, text, env_extra={"PTMLP_PROFILE": "1"})
    calls = {m.group(1).strip(): int(m.group(2)) for m in
             re.finditer(r"ptmlp profile: (.+?)\s+[\d.]+ s in\s+(\d+) calls", proc.stderr)}
    assert calls["fused density"] == 27, proc.stderr
    assert calls["fused backward+ZBL"] == 27
