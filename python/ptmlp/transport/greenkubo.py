"""Green-Kubo integration of flux autocorrelation functions with a principled cutoff and
statistical errors from independent runs, Cartesian components and time blocks.

A transport coefficient is ``prefactor * int_0^inf <J(0) J(t)> dt``, with the ACF averaged
over all time origins and over the (statistically equivalent) components of ``J``.

Cutoff choices (``cutoff=``):

* ``"noise"`` (default): the first lag at which the mean ACF is statistically
  indistinguishable from zero, ``|C(t)| < 2 sigma_C(t)``, with ``sigma_C`` the standard error
  of the mean ACF from the spread of independent units (runs x components x blocks).
  Integrating beyond that point adds noise but no signal (the variance of the running
  integral grows linearly in time); see Jones & Mandadapu, J. Chem. Phys. 136, 154102
  (2012) and Chen et al., Chem. Phys. Lett. 485, 5 (2010) ("first avalanche"). The tail
  left out is at most of order ``|C(t_c)| tau`` (``tau`` the decay time of an exponential
  through ``C(0)`` and ``C(t_c)``); this truncation error is added in quadrature to the
  statistical one (both are reported).
* ``"first-zero"``: the first zero crossing of the mean ACF (common for liquids).
* a number: a fixed cutoff time in seconds.

After the cutoff the running integral is checked for a plateau: a drift larger than its
noise up to twice the cutoff is reported (slow tails need longer runs or the cepstral
estimate, :mod:`ptmlp.transport.cepstral`).

Errors (the one uncertainty model, :mod:`ptmlp.uncertainty`): each run's integral at the common
cutoff has the error of a jackknife over its time blocks (each at least ``BLOCK_OVER_CORRELATION``
longest correlation times), the cutoff chosen again in each jackknife sample so that the
variability of the cutoff itself is counted, times the Student-t factor of the block count (the
spread of blocks x components at a fixed cutoff missed it: LJ viscosity, 108 atoms, 21 single
runs of 1 ns, +-1 sigma covered the seed mean for 11 of 21; with the jackknife 14 of 21); the runs are combined by their scatter
(:func:`~ptmlp.uncertainty.combine_runs`), never below the propagated per-run errors. The truncation error is the method's systematic
(``"noise"`` cutoff only; not estimated for the others). The integrated autocorrelation time of
the flux, ``int_0^t_c C(t) dt / C(0)``, is stated with the result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional, Sequence, Union

import numpy as np

from ..errors import InputError
from ..uncertainty import Estimate, combine_runs, student_factor
from .correlation import autocorrelation, running_integral, split_blocks
from .results import Measurement, Notes

#: a run must be at least this many times longer than the longest correlation time
MIN_RUN_OVER_CORRELATION = 10
#: time blocks used for the error estimate are at least this many correlation times long
BLOCK_OVER_CORRELATION = 5
#: relative uncertainty above which the result is flagged
WARN_RELATIVE_ERROR = 0.25


@dataclass
class GreenKuboResult:
    """Green-Kubo estimate; arrays are functions of ``lag_time_s``; ``integral`` is
    ``prefactor * running integral`` of the mean ACF, in the coefficient's SI unit."""

    value: Measurement
    statistical_err: float
    truncation_err: float
    cutoff_time_s: float
    cutoff_method: str
    lag_time_s: np.ndarray
    acf: np.ndarray
    acf_std_err: np.ndarray
    integral: np.ndarray
    integral_std_err: np.ndarray
    per_component: list
    n_units: int
    total_time_s: float
    per_run: list = field(default_factory=list)  # Measurement per run at the common cutoff
    estimate: Optional[Estimate] = None  # value, stat (runs combined), sys (truncation) and how
    tau_int_s: float = math.nan  # integrated autocorrelation time of the flux to the cutoff
    block_s: list = field(default_factory=list)  # length of the error blocks of each run
    notes: Notes = field(default_factory=Notes)


def _ps(t_s: float) -> str:
    return f"{t_s * 1e12:.4g} ps"


def check_run_length(n_samples: int, dt_s: float, max_lag_s: float, what: str = "run") -> None:
    """Raise :class:`InputError` when a run is shorter than MIN_RUN_OVER_CORRELATION times the
    requested correlation time, saying by how much."""
    have = n_samples * dt_s
    need = MIN_RUN_OVER_CORRELATION * max_lag_s
    if have < need:
        raise InputError(f"{what} of {_ps(have)} is too short for a correlation time of {_ps(max_lag_s)}: "
                         f"need at least {MIN_RUN_OVER_CORRELATION}x = {_ps(need)} ({_ps(need - have)} more); "
                         f"run longer or lower max_correlation_time_ps")


def _as_runs(runs: Sequence[np.ndarray]) -> list[np.ndarray]:
    out = []
    for k, r in enumerate(runs):
        a = np.asarray(r, dtype=float)
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2 or a.shape[0] < 4:
            raise InputError(f"run {k}: need a (n_samples >= 4, n_components) series, got shape {a.shape}")
        if not np.all(np.isfinite(a)):
            raise InputError(f"run {k}: series holds NaN or inf values")
        out.append(a)
    if not out:
        raise InputError("no runs given")
    if len({a.shape[1] for a in out}) != 1:
        raise InputError(f"runs differ in their number of components: {[a.shape[1] for a in out]}")
    return out


def _smooth(y: np.ndarray, w: int) -> np.ndarray:
    from scipy.ndimage import uniform_filter1d

    return y if w <= 1 else uniform_filter1d(y, w, mode="nearest")


def check_zero_mean(runs: list[np.ndarray], names: Sequence[str], notes: Notes, n_sigma: float = 4.0) -> None:
    """Warn when a flux component has a mean far from zero (drift, no equilibrium, a solid
    under shear stress): its autocorrelation would then not decay to zero."""
    for c, name in enumerate(names):
        block_means = []
        for a in runs:
            block_means += [b[:, c].mean() for b in split_blocks(a, 10) if len(b)]
        bm = np.array(block_means)
        err = bm.std(ddof=1) / math.sqrt(len(bm)) if len(bm) > 1 else math.inf
        if err > 0 and abs(bm.mean()) > n_sigma * err and abs(bm.mean()) > 0.05 * np.std(np.concatenate([a[:, c] for a in runs])):
            notes.warn(f"{name} has a non-zero mean ({bm.mean():.3g} +- {err:.2g}, "
                       f"{abs(bm.mean()) / err:.0f} standard errors): the run is not in equilibrium "
                       "(energy drift, unequilibrated start, or a solid under stress); equilibrate longer")


def cutoff_index(acf: np.ndarray, acf_err: np.ndarray, method: str, noise_sigmas: float = 2.0) -> int:
    """Lag index of the cutoff ``noise`` (the first lag where the smoothed |ACF| < noise_sigmas x its
    error) or ``first-zero``; the last lag when there is none."""
    max_lag = len(acf) - 1
    if method == "noise":
        w = max(1, max_lag // 200)
        below = np.nonzero(np.abs(_smooth(acf, w))[1:] < noise_sigmas * _smooth(acf_err, w)[1:])[0]
    else:
        below = np.nonzero(acf[1:] <= 0)[0]
    return int(below[0]) + 1 if below.size else max_lag


def run_error(unit_acf: np.ndarray, unit_block: np.ndarray, dt_s: float, k_c: int, method: str,
              noise_sigmas: float = 2.0) -> tuple[float, str]:
    """1-sigma error of one run's integral (without prefactor) from its units (blocks x components,
    rows of ``unit_acf``): a jackknife over its time blocks, the cutoff chosen again by ``method`` in
    each, times t(0.8413, n_blocks - 1); with fewer than 3 blocks the units' spread at ``k_c``."""
    blocks = np.unique(unit_block)
    if len(blocks) >= 3:
        jk = []
        for b in blocks:
            u = unit_acf[unit_block != b]
            k = k_c if method == "fixed" else cutoff_index(u.mean(axis=0), u.std(axis=0, ddof=1) / math.sqrt(len(u)),
                                                          method, noise_sigmas)
            jk.append(running_integral(u.mean(axis=0), dt_s)[k])
        jk = np.array(jk)
        n = len(jk)
        err = math.sqrt((n - 1) / n * float(((jk - jk.mean()) ** 2).sum())) * student_factor(n - 1)
        return err, f"jackknife over {n} time blocks, cutoff chosen again in each, x t(0.8413, {n - 1})"
    own = running_integral(unit_acf.T, dt_s).T[:, k_c]
    if len(own) < 2:
        return math.nan, "none (one unit)"
    return (student_factor(len(own) - 1) * own.std(ddof=1) / math.sqrt(len(own)),
            f"spread of {len(own)} units (blocks x components) x t(0.8413, {len(own) - 1})")


def green_kubo(runs: Sequence[np.ndarray], dt_s: float, prefactor: float, *,
               max_lag_s: float | None = None, cutoff: Union[str, float] = "noise",
               noise_sigmas: float = 2.0, component_names: Sequence[str] | None = None,
               quantity: str = "transport coefficient") -> GreenKuboResult:
    """Green-Kubo estimate ``prefactor * int_0^t_c <J(0) J(t)> dt`` from independent runs.

    ``runs``: list of (n_samples, n_components) arrays in SI units, sampled every ``dt_s``;
    the components must be statistically equivalent (x, y, z of an isotropic flux, or the
    five independent traceless stress components). ``max_lag_s``: longest correlation time
    considered (default: a tenth of the shortest run).
    """
    if not dt_s > 0:
        raise InputError(f"sampling interval must be positive, got {dt_s} s")
    if not (math.isfinite(prefactor) and prefactor > 0):
        raise InputError(f"Green-Kubo prefactor must be positive and finite, got {prefactor}")
    runs = _as_runs(runs)
    notes = Notes()
    n_comp = runs[0].shape[1]
    names = list(component_names or [f"component {c}" for c in range(n_comp)])
    n_min = min(a.shape[0] for a in runs)
    if max_lag_s is None:
        max_lag = max(2, n_min // MIN_RUN_OVER_CORRELATION)
    else:
        if not max_lag_s > 0:
            raise InputError(f"max correlation time must be positive, got {max_lag_s} s")
        check_run_length(n_min, dt_s, max_lag_s, what="the shortest run" if len(runs) > 1 else "the run")
        max_lag = max(2, int(round(max_lag_s / dt_s)))
    check_zero_mean(runs, names, notes)

    # mean ACF per component, runs weighted by their length
    weights = np.array([a.shape[0] for a in runs], dtype=float)
    acf_runs = np.array([autocorrelation(a, max_lag) for a in runs])  # (R, L, C)
    acf_comp = np.tensordot(weights / weights.sum(), acf_runs, axes=1)  # (L, C)
    acf = acf_comp.mean(axis=1)

    # independent units for the error: runs x time blocks x components
    units, unit_run, unit_block, block_s = [], [], [], []
    for r, a in enumerate(runs):
        n_blocks = int(min(10, max(1, a.shape[0] // (BLOCK_OVER_CORRELATION * max_lag))))
        block_s.append(a.shape[0] // n_blocks * dt_s)
        for b in split_blocks(a, n_blocks):
            units.append(autocorrelation(b, max_lag))  # (L, C)
            unit_run += [r] * a.shape[1]
            unit_block += [len(units)] * a.shape[1]
    unit_acf = np.concatenate(units, axis=1).T  # (U, L)
    unit_run, unit_block = np.array(unit_run), np.array(unit_block)
    n_units = unit_acf.shape[0]
    unit_int = running_integral(unit_acf.T, dt_s).T
    if n_units > 1:
        acf_err = unit_acf.std(axis=0, ddof=1) / math.sqrt(n_units)
        int_err = unit_int.std(axis=0, ddof=1) / math.sqrt(n_units)
    else:
        acf_err = np.full_like(acf, math.nan)
        int_err = np.full_like(acf, math.nan)
        notes.warn("only one run with one component and one block: no error estimate; add independent runs")
    integral = running_integral(acf, dt_s)
    lag = np.arange(max_lag + 1) * dt_s

    # cutoff
    if isinstance(cutoff, str):
        method = cutoff
        if cutoff not in ("noise", "first-zero"):
            raise InputError(f"unknown cutoff {cutoff!r}: use 'noise', 'first-zero' or a time")
        if cutoff == "noise" and not np.all(np.isfinite(acf_err)):
            raise InputError("cutoff 'noise' needs an error estimate: give several runs or components, "
                             "or use cutoff 'first-zero' or a time")
        k_c = cutoff_index(acf, acf_err, method, noise_sigmas)
        if k_c == max_lag:
            notes.warn(f"the {quantity} autocorrelation has not decayed into its noise within the longest "
                       f"correlation time ({_ps(lag[-1])}): the result is the integral up to there; "
                       f"increase max_correlation_time_ps (and the run length)")
    else:
        method = "fixed"
        t_c = float(cutoff)
        if not 0 < t_c <= lag[-1] + 0.5 * dt_s:
            raise InputError(f"cutoff time {_ps(t_c)} must be positive and at most the longest correlation "
                             f"time {_ps(lag[-1])}")
        k_c = int(round(t_c / dt_s))

    stat_err = prefactor * int_err[k_c]
    trunc_err = 0.0
    if method == "noise" and k_c < max_lag:
        w = max(1, max_lag // 200)
        c_tc = abs(float(_smooth(acf, w)[k_c]))
        c_0 = abs(float(acf[0]))
        tau = lag[k_c] / math.log(c_0 / c_tc) if 0 < c_tc < c_0 else lag[k_c]
        trunc_err = prefactor * c_tc * tau
    # per run at the common cutoff, its error by a jackknife over its time blocks with the cutoff
    # chosen again in each (the cutoff's own variability included), runs combined by scatter
    per_run, how = [], []
    for r in range(len(runs)):
        value_r = prefactor * running_integral(acf_runs[r].mean(axis=1), dt_s)[k_c]
        err_r, kind = run_error(unit_acf[unit_run == r], unit_block[unit_run == r], dt_s, k_c, method, noise_sigmas)
        per_run.append(Measurement(value_r, prefactor * err_r))
        how.append(kind)
    combined = combine_runs([m.value for m in per_run], [m.std_err for m in per_run])
    if math.isfinite(combined.stat_err):
        stat_err = combined.stat_err
    tau_int_s = float(integral[k_c] / acf[0]) if acf[0] > 0 else math.nan
    estimate = Estimate(prefactor * integral[k_c], float(stat_err), details={
        **{k: v for k, v in combined.details.items() if k not in ("values", "errors")},
        "value": "integral of the run-averaged autocorrelation (runs weighted by length)",
        "flux_tau_int_ps": tau_int_s * 1e12, "error_block_length_ps": [b * 1e12 for b in block_s],
        "n_units": n_units, "units": "runs x time blocks x components",
        "per_run_error": sorted(set(how))})
    estimate = estimate.with_systematic(trunc_err, "truncation of the autocorrelation tail beyond the cutoff "
                                        "(|C(t_c)| x its decay time)") if method == "noise" else \
        estimate.with_systematic(None, f"not estimated (cutoff {method})")
    value = Measurement(estimate.value, estimate.total_err)
    per_comp = [prefactor * running_integral(acf_comp[:, c], dt_s)[k_c] for c in range(n_comp)]

    if method != "fixed" and k_c < max_lag:
        k2 = min(2 * k_c, max_lag)
        drift = integral[k2] - integral[k_c]
        noise = math.sqrt(max(int_err[k2] ** 2 - int_err[k_c] ** 2, 0.0)) if np.isfinite(int_err[k2]) else math.inf
        if abs(drift) > 3 * noise and abs(drift) > 0.05 * abs(integral[k_c]):
            notes.warn(f"the running integral of the {quantity} still drifts after the cutoff "
                       f"({100 * drift / integral[k_c]:+.0f}% from {_ps(lag[k_c])} to {_ps(lag[k2])}): "
                       f"the autocorrelation has a slow tail; run longer or compare with the cepstral estimate")
    if math.isfinite(value.std_err) and value.relative_err > WARN_RELATIVE_ERROR:
        notes.warn(f"the {quantity} has a relative uncertainty of {100 * value.relative_err:.0f}%: run longer or "
                   f"add independent runs (the error falls as 1/sqrt(total time))")
    if value.value <= 0:
        notes.warn(f"the {quantity} integral is not positive ({value.value:.3g}): the runs are far too short")
    return GreenKuboResult(value=value, statistical_err=float(stat_err), truncation_err=float(trunc_err),
                           cutoff_time_s=float(lag[k_c]), cutoff_method=method, lag_time_s=lag,
                           acf=acf, acf_std_err=acf_err, integral=prefactor * integral,
                           integral_std_err=prefactor * int_err, per_component=per_comp, n_units=n_units,
                           total_time_s=float(sum(a.shape[0] for a in runs) * dt_s), per_run=per_run,
                           estimate=estimate, tau_int_s=tau_int_s, block_s=block_s, notes=notes)

