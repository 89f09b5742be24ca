"""Calibrated coverage of the transport error bars (issue #20; slow: 12 runs of 106 000 steps of
108 atoms, ~3 min on an idle core, ~20 min on a shared one).

Workflow: the Lennard-Jones liquid near the triple point (T* = 0.722, rho* = 0.8442, r_c = 2.5
sigma, energy shifted) in metal units as argon, 108 atoms, ``inputs/gk_viscosity.in`` (melt at
300 K for 10 ps, Langevin at T for 50 ps, NVE for 1 ns from the mean energy of the equilibration),
12 independent seeds, each analysed alone by ``viscosity_green_kubo`` (noise cutoff, correlation
times up to 5 ps): the Green-Kubo shear viscosity with its reported 1-sigma error (statistical:
jackknife over 10 time blocks with the cutoff chosen again in each, x t(0.8413, 9); systematic:
the truncation of the autocorrelation tail; total in quadrature).

Coverage: the fraction of seeds whose value +- error contains the mean of all seeds. With exact
1-sigma bars it is P(|z| <= (1 - 1/n)^(-1/2)) = 0.70 for n = 12 (each seed is part of the mean).

Measured (2026-12-08, on a shared machine, seeds 101-112): 7 of 12 = 0.58 +- 0.14 (binomial);
eta* of the seeds 2.92 +- 0.19 (sd), mean reported error 0.17; their T* 0.721 +- 0.006 (sd).
With the error of before #20 (spread of blocks x components at the chosen cutoff) 6 of 12; with
the template of before #20 as well (velocities scaled to T: T* of the seeds spread by 0.034,
eta* correlated with T* at r = -0.84), 5 of 9 seeds.
The test accepts the binomial 2-sigma band about 0.70: 6 to 11 seeds of 12.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from ase.build import bulk

from ptmlp.potential import PotentialSpec
from ptmlp.transport.constants import ARGON
from ptmlp.transport.drivers import run_independent
from ptmlp.transport.results import Measurement, TransportWarning, combine
from ptmlp.transport.temperature import find_record
from ptmlp.transport.viscosity_gk import viscosity_green_kubo

pytestmark = pytest.mark.slow

N_SEEDS = 12
SIGMA_A, RHO_STAR, T_STAR = 3.405, 0.8442, 0.722


def lj_argon() -> PotentialSpec:
    eps = ARGON.epsilon_J / 1.602176634e-19
    return PotentialSpec(pair_style=f"lj/cut {2.5 * SIGMA_A:.10g}", pair_coeff=[f"* * {eps:.10g} {SIGMA_A}"],
                         extra_commands=["pair_modify shift yes"])


def coverage_band(n: int, p0: float) -> tuple[int, int]:
    """Seeds out of n within the binomial 2-sigma band about p0."""
    half = 2 * math.sqrt(p0 * (1 - p0) / n)
    return math.ceil(n * (p0 - half)), math.floor(n * (p0 + half))


def test_gk_viscosity_error_bars_cover_the_seed_mean(tmp_path):
    a = (4 / RHO_STAR) ** (1 / 3) * SIGMA_A
    runs = run_independent("gk_viscosity", tmp_path, lj_argon(), bulk("Ar", "fcc", a=a, cubic=True).repeat(3),
                           n_runs=N_SEEDS, first_seed=101, report=print,
                           variables=dict(T=round(ARGON.temperature_K(T_STAR), 4), dt=0.01, T_melt=300,
                                          melt_steps=1000, equil_steps=5000, run_steps=100000, sample_every=2))
    scale = 1 / ARGON.viscosity_Pa_s(1.0)
    values, errors, t_star = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TransportWarning)
        for r in runs:
            res = viscosity_green_kubo([r], max_correlation_time_ps=5.0)
            values.append(res.viscosity.value * scale)
            errors.append(res.viscosity.std_err * scale)
            t_star.append(find_record(r).estimate().value / ARGON.temperature_K(1.0))
    v, e = np.array(values), np.array(errors)
    mean = v.mean()
    covered = np.abs(v - mean) <= e
    n = len(v)
    p = covered.mean()
    expected = math.erf(1 / math.sqrt(2 * (1 - 1 / n)))
    for k in range(n):
        print(f"seed {101 + k}: eta* = {v[k]:.3f} +- {e[k]:.3f}  T* = {t_star[k]:.4f}  "
              f"{'covers' if covered[k] else 'misses'} the seed mean")
    print(f"seed mean {mean:.3f}, sd {v.std(ddof=1):.3f}, mean error {e.mean():.3f}; T* {np.mean(t_star):.4f} +- "
          f"{np.std(t_star, ddof=1):.4f} (sd)")
    print(f"coverage {covered.sum()} of {n} = {p:.2f} +- {math.sqrt(p * (1 - p) / n):.2f} (binomial); "
          f"expected {expected:.2f}")
    est = combine([Measurement(x, y) for x, y in zip(v, e)])
    print(f"all seeds combined by the one model: eta* = {est.value:.3f} +- {est.stat_err:.3f} "
          f"(published, N = 1372: 3.268 +- 0.055)")
    lo, hi = coverage_band(n, expected)
    assert lo <= covered.sum() <= hi
    assert np.std(t_star, ddof=1) < 0.015  # the NVE runs start at the mean energy: no T scatter between seeds
