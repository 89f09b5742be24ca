"""The fused C++ kernels (model v1 on CPU) against the all-TorchScript path, and a
regression guard on how often models are evaluated (not a timing)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from conftest import make_model, oxide_slab, run_ensemble_with_deviation
from lammps_compare import lammps_results


@pytest.mark.parametrize("kind", ["float64", "te", "float32", "odd_sizes_l0", "odd_sizes_l5", "l6"])
def test_fused_equals_torchscript(tmp_path, model_file, kind, plugin_built):
    """Model v1 wholly in C++ (density, networks, backward) against the all-TorchScript path;
    float32 models run in C++ in float64 from their float32 weights."""
    if kind == "te":
        model = make_model(tmp_path / "te.pt", te_range_K=(1000.0, 8000.0))
    elif kind == "float32":
        model = make_model(tmp_path / "f32.pt", dtype="float32")
    elif kind.startswith("odd_sizes"):  # channel and layer counts that are not multiples of the vector width
        model = make_model(tmp_path / "odd.pt", n_radial=3, n_channels=5, l_max=int(kind[-1]),
                           hidden_widths=[7, 3])
    elif kind == "l6":  # the largest l_max, 13 channels, no hidden layer
        model = make_model(tmp_path / "l6.pt", n_radial=9, n_channels=13, l_max=6, hidden_widths=[])
    else:
        model = model_file
    style = f"ptmlp/tel {model} tel 5000" if kind == "te" else f"ptmlp {model}"
    atoms = oxide_slab(seed=8)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    fused = lammps_results(tmp_path / "a", atoms, style)
    plain = lammps_results(tmp_path / "b", atoms, style, env_extra={"PTMLP_FUSED": "0"})
    assert "whole model in C++" in fused["log"] and "TorchScript model" in plain["log"]
    # float32: the TorchScript path rounds to float32 (~1e-7 relative), float64: round-off only
    # (per-atom virials are ~3e6 bar A^3 here, pressures ~1e4 bar)
    tol = {"pe": 1e-5, "f": 1e-4, "cva": 300.0, "p": 1.0} if kind == "float32" else \
        {"pe": 1e-10, "f": 1e-9, "cva": 1e-3, "p": 1e-5}
    assert abs(fused["pe"] - plain["pe"]) / len(atoms) < tol["pe"]  # eV/atom
    assert np.abs(fused["forces"] - plain["forces"]).max() < tol["f"]  # eV/A
    assert np.abs(fused["cva"] - plain["cva"]).max() < tol["cva"]  # bar A^3 (per-atom virials)
    assert max(abs(fused["p"][k] - plain["p"][k]) for k in fused["p"]) < tol["p"]  # bar


def test_model_calls_per_step(tmp_path, plugin_built):
    """An ensemble of 3 with deviation every 10 steps over 20 steps: member 0 on 21 force
    evaluations (setup + 20 steps), members 1-2 only on steps 0, 10, 20 -> 27 kernel calls."""
    proc = run_ensemble_with_deviation(tmp_path, env_extra={"PTMLP_PROFILE": "1"})
    calls = {m.group(1).strip(): int(m.group(2)) for m in
             re.finditer(r"ptmlp profile: (.+?)\s+[\d.]+ s in\s+(\d+) calls", proc.stderr)}
    assert calls["C++ edges forward"] == 27, proc.stderr
    assert calls["C++ networks (fwd+bwd)"] == 27
    assert calls["C++ edges backward+ZBL"] == 27
    assert calls["forces/virials"] == 27
    assert not [k for k in calls if "TorchScript" in k], calls  # no TorchScript call in the MD loop
