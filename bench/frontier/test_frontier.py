"""Checks of the bench's own pieces (split rule, stress sign, scoring, timing boxes, SNAP files).

    .venv/bin/python -m pytest -q bench/frontier/test_frontier.py

Uses ../shared/data/mlearn (skipped when absent); no training, no timing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mlearn  # noqa: E402
import scoring  # noqa: E402

MLEARN = HERE.parents[2] / "shared" / "data" / "mlearn"
pytestmark = pytest.mark.skipif(not (MLEARN / "Mo").is_dir(), reason=f"no mlearn data at {MLEARN}")


def test_split_rule_is_seeded_per_group_and_disjoint():
    recs = mlearn.records(MLEARN / "Mo", "training")
    a, b = mlearn.split(recs, 0.1, 0), mlearn.split(recs, 0.1, 0)
    assert a == b
    assert mlearn.split(recs, 0.1, 1) != a
    assert sorted(a["train"] + a["validation"]) == list(range(len(recs)))
    groups = {r["group"] for r in recs}
    val_groups = {recs[i]["group"] for i in a["validation"]}
    n_by_group = {g: sum(r["group"] == g for r in recs) for g in groups}
    assert val_groups == {g for g, n in n_by_group.items() if n >= 2}  # every group of >= 2 frames is in it
    assert len(a["validation"]) == sum(max(round(0.1 * n), 1 if n >= 2 else 0) for n in n_by_group.values())


def test_stress_sign_matches_the_energy_volume_slope():
    got = mlearn.stress_sign_check(mlearn.records(MLEARN / "Si", "training"))
    assert got["pairs"] > 10
    assert got["rms_eV_this_sign"] < 0.1 * got["rms_eV_opposite_sign"]


def test_scoring_zero_for_the_reference_and_shift_per_atom():
    frames = [mlearn.record_atoms(r) for r in mlearn.records(MLEARN / "Mo", "test")]
    ref = scoring.reference(frames)
    same = scoring.score(ref, {k: ref[k] for k in ("energy_eV", "forces_eV_per_A", "stress_GPa")})
    assert same["all"]["energy_rmse_meV_per_atom"] == 0 and same["all"]["force_rmse_meV_per_A"] == 0
    shifted = dict(ref, energy_eV=ref["energy_eV"] + 0.002 * ref["atoms"])  # +2 meV/atom
    got = scoring.score(ref, shifted)
    assert got["all"]["energy_rmse_meV_per_atom"] == pytest.approx(2.0)
    assert set(got["per_group"]) == {a.info["group"] for a in frames}
    assert sum(g["frames"] for g in got["per_group"].values()) == len(frames)


def test_timing_boxes_from_the_ground_state():
    mo = mlearn.timing_box(mlearn.records(MLEARN / "Mo", "training"), 2000)
    assert len(mo) == 2000 and mo.info["unit_atoms"] == 2
    si = mlearn.timing_box(mlearn.records(MLEARN / "Si", "training"), 2000)
    assert si.info["unit_atoms"] == 8 and abs(len(si) - 2000) <= 32
    lengths = si.cell.lengths()
    assert lengths.max() / lengths.min() <= 1.6


def test_snap_parameter_file_drops_diagonalstyle(tmp_path):
    import model_snap
    from registry import Context

    ctx = Context(data=MLEARN / "Mo", work=tmp_path, species=["Mo"], args=SimpleNamespace())
    rec = model_snap._prepare("qsnap")(ctx)
    text = Path(rec["param"]).read_text()
    assert "diagonalstyle" not in text and "quadraticflag 1" in text
    assert np.isclose(float(Path(rec["coeff"]).read_text().split()[3]),
                      float((MLEARN / "Mo" / "qsnap" / "SNAPotential.snapcoeff").read_text().split()[3]))
