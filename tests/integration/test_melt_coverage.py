"""Calibrated coverage (issue #20): does a reported 1-sigma bar mean 68 %?

One cheap workflow (NPH coexistence of truncated Lennard-Jones in a 288-atom cell, argon units)
repeated over 20 independent seeds: each accepted seed reports T_m +- its own error (block
averaging with the measured statistical inefficiency, ptmlp.uncertainty). The fraction of seeds
whose bar covers the mean of all seeds should be ~68 % (for n seeds the deviation from the seed
mean has variance sigma^2 (1 - 1/n), so the expectation is P(|z| < 1/sqrt(1 - 1/n)): 69.8 % for
n = 16, 70.2 % for 20); the test prints the measured fraction with its binomial error and asserts
it lies within 2.5 binomial standard errors of 68 %.

Set ``PTMLP_MELT_WORKDIR`` to keep the runs for a rerun.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from ptmlp.melting import from_mapping, run_melt

SEEDS = list(range(1, 21))


def coverage_mapping(workdir: Path) -> dict:
    return {"structure": {"name": "Ar", "crystalstructure": "fcc", "a_A": 5.39},
            "potential": {"pair_style": "lj/cut 7.5", "pair_coeff": ["1 1 0.010323 3.405"]},
            "method": "nph", "pressures_GPa": [0.1722], "nph": {"start_T_K": 112.0, "retries": 2},
            "seeds": SEEDS, "cell": {"replicate": [3, 3, 8]},
            "md": {"timestep_ps": 0.01, "solid_equilibration_ps": 4.0, "reference_ps": 4.0, "melt_ps": 3.0,
                   "cool_ps": 1.0, "coexistence_ps": 60.0, "discard_ps": 10.0, "thermostat_damp_ps": 0.5,
                   "barostat_damp_ps": 2.0, "sample_every_steps": 10},
            "units": "lj", "workdir": str(workdir), "parallel_runs": 2}


@pytest.mark.slow
def test_one_sigma_bars_cover_the_seed_mean_68_percent(tmp_path):
    keep = os.environ.get("PTMLP_MELT_WORKDIR")
    work = Path(keep).resolve() / "coverage" if keep else tmp_path / "coverage"
    summary = run_melt(from_mapping(coverage_mapping(work)), log=print)
    r = summary["pressures"][0]
    accepted = [a for a in r["runs"] if a["valid"]]
    t = np.array([a["T_mean_K"] for a in accepted])
    e = np.array([a["T_err_K"] for a in accepted])
    n = len(t)
    assert n >= 10, f"only {n} of {len(SEEDS)} seeds settled"
    mean = t.mean()
    covered = np.abs(t - mean) <= e
    frac = float(covered.mean())
    binom = math.sqrt(0.68 * 0.32 / n)
    expected = math.erf(1.0 / math.sqrt(1.0 - 1.0 / n) / math.sqrt(2.0))
    z = (t - mean) / e
    print(f"\ncoverage: {covered.sum()} of {n} accepted seeds ({100 * frac:.0f} +- {100 * binom:.0f} %, binomial) "
          f"cover the seed mean {mean:.2f} K with their 1-sigma bar (expected {100 * expected:.1f} %); "
          f"std of (T - mean) / err = {z.std(ddof=1):.2f}; per-seed errors {e.min():.2f}-{e.max():.2f} K, "
          f"seed scatter {t.std(ddof=1):.2f} K; combined T_m = {r['T_melt_K']:.2f} +- {r['T_melt_err_K']:.2f} K "
          f"(T* = {r['reduced_lj']['T_melt_lj']:.4f} +- {r['reduced_lj']['T_melt_err_lj']:.4f})")
    assert abs(frac - 0.68) <= 2.5 * binom
    # the combined error is the scatter of the seeds x t / sqrt(n): it covers the spread of the mean
    assert r["T_melt_err_K"] >= t.std(ddof=1) / math.sqrt(n)
