"""``ptmlp melt`` end to end on a small truncated Lennard-Jones (argon units) crystal: bracket +
bisection and NPH, with summary.json, HDF5 time series and plots (smoke sizes: numbers are only
checked for consistency here; the published-value validations are in test_melt_validation.py)."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from pathlib import Path

import h5py
import pytest

from ptmlp.melting import from_mapping, run_melt
from ptmlp.melting.analysis import LIQUID_GROWS, SOLID_GROWS, STABLE
from ptmlp.melting.bracket import BracketError, TemperatureOutcome, _check_bracket


def smoke_mapping(workdir, **over) -> dict:
    """288-atom fcc LJ cell (cutoff 2.2 sigma), runs of a few ps: seconds per LAMMPS run."""
    d = {"structure": {"name": "Ar", "crystalstructure": "fcc", "a_A": 5.39},
         "potential": {"pair_style": "lj/cut 7.5", "pair_coeff": ["1 1 0.010323 3.405"]},
         "method": "bracket", "pressures_GPa": [0.1722],
         "bracket": {"T_low_K": 90.0, "T_high_K": 135.0, "tolerance_K": 12.0, "min_change": 0.02,
                     "max_bisections": 3},
         "seeds": [1], "cell": {"replicate": [3, 3, 8]},
         "md": {"timestep_ps": 0.01, "solid_equilibration_ps": 2.0, "reference_ps": 1.0, "melt_ps": 3.0,
                "cool_ps": 1.0, "coexistence_ps": 8.0, "discard_ps": 1.0, "thermostat_damp_ps": 0.5,
                "barostat_damp_ps": 2.0, "sample_every_steps": 10},
         "workdir": str(workdir), "parallel_runs": 2}
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(d.get(k), dict):
            d[k] = {**d[k], **v}
        else:
            d[k] = v
    return d


_CACHE: dict = {}


def bracket_smoke_summary() -> dict:
    """The bracket smoke run, done once per test session (the restart test compares against it)."""
    if "summary" not in _CACHE:
        root = Path(tempfile.mkdtemp(prefix="ptmlp_melt_smoke_"))
        atexit.register(shutil.rmtree, root, True)
        _CACHE["summary"] = run_melt(from_mapping(smoke_mapping(root / "run")), log=lambda m: None)
    return _CACHE["summary"]


def test_bracket_smoke():
    summary = bracket_smoke_summary()
    run_dir = Path(summary["summary_file"]).parent
    assert summary["errors"] == []
    r = summary["pressures"][0]
    lo, hi = r["bracket_K"]
    assert 90.0 <= lo <= r["T_melt_K"] <= hi <= 135.0
    assert r["T_melt_err_K"] > 0 and r["T_melt_err_K"] >= r["bracket_half_width_K"] / 3 ** 0.5 - 1e-9
    assert abs(r["pressure_GPa"] - 0.1722) < 0.02 and r["pressure_err_GPa"] >= 0
    verdicts = {o["T_K"]: o["verdict"] for o in r["temperatures"]}
    assert verdicts[lo] == SOLID_GROWS and verdicts[hi] == LIQUID_GROWS
    on_disk = json.loads((run_dir / "summary.json").read_text())
    assert on_disk["pressures"][0]["T_melt_K"] == r["T_melt_K"]
    with h5py.File(summary["files"]["timeseries_h5"]) as h5:
        g = h5["P_0.1722GPa"]
        run = g[next(iter(g))]
        assert {"time_ps", "T_K", "P_GPa", "solid_fraction", "Lz_A"} <= set(run)
        assert run["time_ps"].shape == run["solid_fraction"].shape
    names = {p.rsplit("/", 1)[1] for p in summary["files"]["plots"]}
    assert names == {"solid_fraction_P0.1722GPa.png", "thermo_P0.1722GPa.png", "profile_P0.1722GPa.png"}


def test_nph_melting_curve_smoke(tmp_path):
    """NPH at three pressures (start T per pressure), Simon-Glatzel fit and the T_m(P) plot. (retries 3,
    was 1: since issue #20 a run whose solid fraction leaves [0.1, 0.9] restarts, where the old
    rule only restarted below 0.05 / above 0.95; at 0.4 GPa the 288-atom cell then needs more
    start temperatures: measured 150 K (liquid reference crystallised), 172.5 and 158.3 K (melted).)"""
    cfg = from_mapping(smoke_mapping(tmp_path / "run", method="nph", pressures_GPa=[0.05, 0.1722, 0.4],
                                     nph={"start_T_K": [85.0, 110.0, 150.0], "retries": 3},
                                     md={"coexistence_ps": 10.0, "discard_ps": 3.0}, parallel_runs=2))
    # one pressure alone first, as a SLURM array task would (--pressure-index 0) ...
    part = run_melt(cfg, pressure_indices=[0], log=lambda m: None)
    assert Path(part["summary_file"]).name == "summary_pressure_0.json" and len(part["pressures"]) == 1
    # ... then the full run reuses it and adds the other pressures and the curve
    summary = run_melt(cfg, log=lambda m: None)
    assert summary["errors"] == []
    assert summary["runs_reused"] >= part["runs_done"]
    assert summary["pressures"][0]["T_melt_K"] == part["pressures"][0]["T_melt_K"]
    res = summary["pressures"]
    assert [r["method"] for r in res] == ["nph"] * 3
    t = [r["T_melt_K"] for r in res]
    # the melting line of (truncated) LJ rises with pressure (dT*/dP* ~ 1/12 - 1/16 near T* = 1)
    assert t[0] < t[1] < t[2] and all(0 < r["T_melt_err_K"] < 15.0 for r in res)
    assert 85.0 < t[1] < 130.0
    sg = summary["melting_curve"]["simon_glatzel"]
    assert sg is not None and sg["P_ref_GPa"] == res[0]["pressure_GPa"]
    assert any(p.endswith("melting_curve.png") for p in summary["files"]["plots"])


def outcome(t, verdict):
    return TemperatureOutcome(t, verdict, float("nan"), float("nan"), "")


@pytest.mark.parametrize("v_lo, v_hi, words", [
    (LIQUID_GROWS, LIQUID_GROWS, "every bracket temperature melts (100 K: liquid grows; 140 K: liquid grows), "
                                 "T_m is below 100 K; no T_m reported. Try bracket.T_low_K: 20, bracket.T_high_K: 100"),
    (SOLID_GROWS, SOLID_GROWS, "every bracket temperature freezes"),
    (LIQUID_GROWS, SOLID_GROWS, "inconsistent bracket"),
    (STABLE, LIQUID_GROWS, "no clear trend at the low end"),
    (SOLID_GROWS, STABLE, "no clear trend at the high end"),
])
def test_bracket_failures_suggest_a_new_bracket(v_lo, v_hi, words):
    with pytest.raises(BracketError) as err:
        _check_bracket(0.0, outcome(100.0, v_lo), outcome(140.0, v_hi))
    assert words in str(err.value) and "\n" not in str(err.value)
    _check_bracket(0.0, outcome(100.0, SOLID_GROWS), outcome(140.0, LIQUID_GROWS))  # a valid bracket
