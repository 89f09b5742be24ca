"""Coexistence melting points of potentials nobody here wrote, against published values (slow).

Each test runs an example config of ``inputs/melt/`` unchanged (except the work folder) and prints
ours and the published value side by side; they must agree within twice the combined standard
uncertainty (ours from the runs, the reference's as stated at each test).

Set ``PTMLP_MELT_WORKDIR`` to keep the work folders there: a rerun (after a crash, or to print the
numbers again) reuses every finished LAMMPS run instead of starting over.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq

from ptmlp.melting import from_yaml, run_melt

EXAMPLES = Path(__file__).resolve().parents[2] / "inputs" / "melt"

# Lennard-Jones in argon units (the example's pair_coeff): epsilon = 0.010323 eV, sigma = 3.405 A
LJ_EPS_EV = 0.010323
LJ_SIGMA_A = 3.405
KB_EV = 8.617333262e-5
T_UNIT_K = LJ_EPS_EV / KB_EV  # 119.79 K
P_UNIT_GPA = LJ_EPS_EV / LJ_SIGMA_A ** 3 * 160.21766208  # 0.041895 GPa


def van_der_hoef_melting_pressure(t_red: float) -> float:
    """Full-LJ fcc-liquid coexistence pressure P*(T*): M. A. van der Hoef, J. Chem. Phys. 113, 8142
    (2000), Eq. (24) (the Agrawal-Kofke form) with his A = -7.2866, B = -2.9895. At T* = 1 it gives
    P* = 4.109, coexisting densities (his Eqs. 25-26) rho_l* = 0.924, rho_s* = 1.011."""
    beta = 1.0 / t_red
    return beta ** -1.25 * math.exp(-0.4759 * math.sqrt(beta)) * (16.89 - 7.2866 * beta - 2.9895 * beta ** 2)


def work_folder(tmp_path: Path, name: str) -> Path:
    """``$PTMLP_MELT_WORKDIR/name`` (kept, reused by reruns) or a pytest temporary folder."""
    keep = os.environ.get("PTMLP_MELT_WORKDIR")
    return Path(keep).resolve() / name if keep else tmp_path / name


def run_example(name: str, tmp_path: Path) -> list[dict]:
    cfg = from_yaml(str(EXAMPLES / name))
    cfg.workdir = str(work_folder(tmp_path, Path(name).stem))
    summary = run_melt(cfg, log=print)
    assert summary["errors"] == []
    return summary["pressures"]


@pytest.mark.slow
def test_lennard_jones_vs_published(tmp_path):
    at_zero, at_p = run_example("lj_argon_nph.yaml", tmp_path)
    # (1) P = 0: the melting point is the triple point (P_t* ~ 0.001 moves T by ~1e-4):
    # T_t* = 0.694 (Mastny & de Pablo, J. Chem. Phys. 127, 104504 (2007), full LJ).
    # (2) P* = 4.109: T* = 1.000 on the full-LJ melting line of van der Hoef (2000), Eq. (24).
    # Reference uncertainty 2% of T_m at both points: published full-LJ values spread by ~1% in T
    # (triple points 0.687-0.694; the Eq. (24) fit misses the triple-point pressure by 0.06 P*),
    # and the example is not full LJ (4 sigma cutoff + mean-field tail correction; with 3 sigma the
    # same workflow gave 122.0 +- 0.3 K at P* = 4.109, so the cutoff effect there is < 1 K).
    refs = []
    t_ref0 = 0.694 * T_UNIT_K
    refs.append((at_zero, t_ref0, 0.02 * t_ref0, "Mastny & de Pablo 2007 (triple point)"))
    p_red = at_p["pressure_GPa"] / P_UNIT_GPA
    t_ref1 = brentq(lambda t: van_der_hoef_melting_pressure(t) - p_red, 0.7, 2.0) * T_UNIT_K
    refs.append((at_p, t_ref1, 0.02 * t_ref1, "van der Hoef 2000"))
    for r, t_ref, sigma_ref, who in refs:
        combined = math.hypot(r["T_melt_err_K"], sigma_ref)
        print(f"\nLJ (argon units) at P = {r['pressure_GPa']:.4f} GPa (P* = {r['pressure_GPa'] / P_UNIT_GPA:.3f}): "
              f"ours T_m = {r['T_melt_K']:.2f} +- {r['T_melt_err_K']:.2f} K (T* = {r['T_melt_K'] / T_UNIT_K:.4f}); "
              f"{who}: {t_ref:.2f} +- {sigma_ref:.2f} K (T* = {t_ref / T_UNIT_K:.4f})")
    for r, t_ref, sigma_ref, who in refs:
        assert abs(r["T_melt_K"] - t_ref) < 2 * math.hypot(r["T_melt_err_K"], sigma_ref), who


@pytest.mark.slow
@pytest.mark.parametrize("example", ["fe_eam_nph.yaml", "fe_eam_bracket.yaml"])
def test_mendelev_iron_vs_published(tmp_path, example):
    r = run_example(example, tmp_path)[0]
    # M. I. Mendelev, S. Han, D. J. Srolovitz, G. J. Ackland, D. Y. Sun and M. Asta, Phil. Mag. 83,
    # 3977 (2003), doi:10.1080/14786430310001613264: the zero-pressure bcc melting point they
    # report for their potential #2 (the wheel's Fe_mm.eam.fs, dated 2007-06-11, is that
    # potential), 1772 K, quoted without an error bar; we allow 10 K for it.
    t_ref, sigma_ref = 1772.0, 10.0
    combined = math.hypot(r["T_melt_err_K"], sigma_ref)
    print(f"\nFe (Mendelev 2003 #2, {r['method']}) at P = {r['pressure_GPa']:.3f} GPa: ours T_m = "
          f"{r['T_melt_K']:.1f} +- {r['T_melt_err_K']:.1f} K; Mendelev 2003: {t_ref:.0f} +- {sigma_ref:.0f} K")
    assert abs(r["pressure_GPa"]) < 0.2
    assert abs(r["T_melt_K"] - t_ref) < 2 * combined


@pytest.mark.slow
def test_demo_model_reproduces_its_teacher(tmp_path):
    """The shipped demo model (fitted to Fe_mm.eam.fs labels) vs its teacher, same workflow, same
    768-atom cell and run lengths, at 30 GPa (inside the model's training densities): T_m within
    50 K (issue #6). This uses the demo model, not a model from the data/training pipeline.

    Measured (2026-11-22, demo model with the near-melting frames of ptmlp/demo/near_melting.py):
    teacher 2645.5 +- 8.6 K, demo model 2608.5 +- 6.2 K, difference -37 K (about 10 min on 2 cores).
    The model before those frames was added gave 2510.2 +- 11.0 K (-135 K)."""
    from ptmlp.demo import DEMO_MODEL
    from ptmlp.melting import from_mapping
    from ptmlp.melting.demo import demo_mapping

    results = {}
    for name, potential in (("eam", {"pair_style": "eam/fs", "pair_coeff": ["* * {potentials}/Fe_mm.eam.fs Fe"]}),
                            ("demo model", {"model": str(DEMO_MODEL)})):
        m = demo_mapping(str(work_folder(tmp_path, "teacher_" + name.replace(" ", "_"))))
        m["potential"] = potential
        m["seeds"] = [1, 2]
        m["nph"]["retries"] = 3
        m["md"]["coexistence_ps"] = 25.0
        m["nprocs"], m["parallel_runs"] = 1, 2
        summary = run_melt(from_mapping(m), log=print)
        assert summary["errors"] == []
        results[name] = summary["pressures"][0]
    a, b = results["eam"], results["demo model"]
    diff = b["T_melt_K"] - a["T_melt_K"]
    print(f"\nteacher Fe_mm.eam.fs: {a['T_melt_K']:.1f} +- {a['T_melt_err_K']:.1f} K; demo model: "
          f"{b['T_melt_K']:.1f} +- {b['T_melt_err_K']:.1f} K; difference {diff:+.1f} K "
          f"at {a['pressure_GPa']:.2f} / {b['pressure_GPa']:.2f} GPa ({a['n_atoms']} atoms, NPH, 2 seeds)")
    assert abs(diff) < 50.0


@pytest.mark.slow
def test_demo_job(tmp_path, plugin_built):
    """``ptmlp melt --demo`` (what make demo runs) finishes with a T_m, plots and a summary."""
    import subprocess
    import time

    from ptmlp.lammps_env import venv_bin

    t0 = time.monotonic()
    proc = subprocess.run([venv_bin("ptmlp"), "melt", "--demo", "--workdir", str(tmp_path / "demo")],
                          capture_output=True, text=True, timeout=3600)
    wall = time.monotonic() - t0
    print(proc.stdout[-1500:], f"\nwall {wall:.0f} s")
    assert proc.returncode == 0, proc.stderr
    assert "plots:" in proc.stdout and "T_m (K)" in proc.stdout
    import json

    r = json.loads((tmp_path / "demo" / "summary.json").read_text())["pressures"][0]
    assert np.isfinite(r["T_melt_K"]) and r["T_melt_err_K"] > 0
    assert f"{r['T_melt_K']:9.1f} +- {r['T_melt_err_K']:5.1f}" in proc.stdout  # the printed T_m row
    assert wall < 900, f"the demo took {wall:.0f} s (issue #6: under 15 min on 2 cores)"
