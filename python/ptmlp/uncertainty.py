"""The one uncertainty model of every ptmlp workflow result (melting, transport, elastic).

A result is a number with a *statistical* error (from the sampled time series and the scatter of
independent runs), a *systematic* error where the workflow estimates one (finite size, method:
a bracket width, a truncation, an extrapolation), and the *total* (both added in quadrature),
kept apart in the summary. Every error is a 1-sigma (68 %) bar.

Per run (one correlated time series, :func:`series_error`)
    1. the statistical inefficiency g = 1 + 2 sum_t (1 - t/N) C(t) of the series (pymbar's
       ``timeseries.statistical_inefficiency`` sum: Chodera et al., J. Chem. Theory Comput. 3, 26
       (2007)), summed over Sokal's window (the smallest lag M >= 5 g(M); Sokal, Monte Carlo
       Methods in Statistical Mechanics (1997); as emcee's ``integrated_time``) instead of up to
       the first non-positive C(t): barostat and thermostat oscillations make C(t) cross zero long
       before a slow component (a wandering interface) has decayed (measured on the demo's NPH
       T: g = 7.4 by the first zero, 9.5 by the window). The bias of the sample autocorrelation
       from subtracting the sample mean is corrected self-consistently (C -> C (1 - g/N) + g/N);
       the integrated autocorrelation time tau_int = (g - 1)/2 samples;
    2. block averaging with blocks of 4 g samples, or longer when the series allows (at most 20
       blocks; at least 3 blocks, so blocks shorter than 4 g in a series shorter than 12 g): standard
       error of the block means (Flyvbjerg & Petersen, J. Chem. Phys. 91, 461 (1989));
    3. times the Student-t factor t(0.8413, n_blocks - 1), so that +-1 sigma covers 68 % even
       with few blocks.
    Measured on AR(1) series with known g (tests/unit/test_uncertainty.py, 1000 series each,
    binomial error 1.5 %): +-1 sigma covers the true mean in 67.7 % (N = 444 g), 66.5 % (105 g),
    70.4 % (26 g) and 69.5 % (10 g) of the series. In a run shorter than ~10 g every estimate from
    the run itself is low: the summary states g and n_blocks so that such a run can be seen
    (``SeriesError.short``), and workflows extend it. A run's error sees only what fluctuates
    inside it: on real MD (tests/integration/test_melt_coverage.py, 20 NPT LJ coexistence runs)
    single-run bars covered the seed mean in 3 of 20 cases, 2-seed results combined by scatter
    in 7 of 10: report several seeds.
    pymbar itself is not imported: version 4.0.3 takes ~6 s to import here and prints a JAX
    banner and a warning on every import, and its estimator stops at the first zero of C(t) and
    lacks the bias correction (its g covers 60 % at N = 10 g, 51 % at N = 5 g on AR(1));
    tests/unit/test_uncertainty.py checks that both agree on long series when pymbar is installed.

Several runs (independent seeds, :func:`combine_runs`)
    the mean of the run values; its error is the scatter of the runs, s / sqrt(n), times the
    Student-t factor t(0.8413, n - 1) (1.84 for 2 runs, 1.20 for 4, 1.06 for 10), and never
    smaller than the per-run errors propagated to the mean, sqrt(sum sigma_i^2) / n.

Drifts (:func:`trend`)
    least-squares slope of a series with the slope error from the statistical inefficiency of
    the residuals and the Student-t factor for N/g - 2 degrees of freedom; ``change`` = slope x
    window length, the quantity acceptance rules compare with 2 x its own error.

Result type (:class:`Estimate`)::

    est = combine_runs([925.0, 918.5], [1.3, 1.1])          # stat only (systematic not estimated)
    est = est.with_systematic(3.0, "bracket width / sqrt(12)")
    est.as_dict("T_melt_K", unit="K")
    # {"T_melt_K": 921.75, "T_melt_err_K": total, "T_melt_stat_err_K": ..., "T_melt_sys_err_K": 3.0,
    #  "T_melt_error_model": {"n_runs": 2, "combined_by": "scatter", "t_factor": 1.837, ...}}
    est.as_dict("kappa_W_per_mK")   # no unit given: kappa_W_per_mK_err, _stat_err, _sys_err, _error_model

``sys_err`` None means "not estimated" (written as null with the note), never 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Optional, Sequence

import numpy as np
from scipy.stats import t as _student

#: one-sided quantile of a 1-sigma (68.27 %) two-sided interval
ONE_SIGMA_QUANTILE = 0.5 + 0.5 * math.erf(1.0 / math.sqrt(2.0))
#: block length in units of the statistical inefficiency g
BLOCK_OVER_G = 4.0
#: at least this many blocks (blocks shorter than 4 g then: the run is short for its correlation)
MIN_BLOCKS = 3
#: at most this many blocks: longer blocks when the series allows (less correlation between blocks)
MAX_BLOCKS = 20
#: lags of the autocorrelation always summed (pymbar's ``mintime``)
MIN_LAGS = 3
#: Sokal's window constant: the autocorrelation is summed up to lag M >= 5 g(M)
WINDOW_C = 5.0


def student_factor(dof: float) -> float:
    """t(0.8413, dof): the factor that makes a standard error with ``dof`` degrees of freedom a 68 % bar."""
    if not dof >= 1:
        dof = 1.0
    return float(_student.ppf(ONE_SIGMA_QUANTILE, dof))


def autocorrelation(x) -> np.ndarray:
    """Normalised sample autocorrelation C(t), t = 0..N-1 (mean subtracted; FFT)."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    d = x - x.mean()
    var = float(d @ d) / n
    if n < 2 or var <= 0:
        return np.zeros(max(n, 1))
    f = np.fft.rfft(d, 2 * n)
    return np.fft.irfft(f * np.conj(f))[:n] / (var * np.arange(n, 0, -1))


def statistical_inefficiency(x) -> float:
    """g = 1 + 2 tau_int (samples; 1 for uncorrelated samples, at most N), bias-corrected (module doc)."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    if n < 4:
        return 1.0
    c = autocorrelation(x)
    lags = np.arange(1, n)
    w = 1.0 - lags / n
    # Sokal's window: the smallest M with M >= WINDOW_C x g(M) (g(M) summed over lags 1..M)
    running = 1.0 + 2.0 * np.cumsum(c[1:] * w)
    ok = np.nonzero((lags >= WINDOW_C * running) & (lags > MIN_LAGS))[0]
    stop = int(lags[ok[0]]) if len(ok) else n - 1
    a = float((c[1:stop + 1] * w[:stop]).sum())
    b = float(w[:stop].sum())
    # g = 1 + 2 sum w (C (1 - g/N) + g/N)  =>  g = (1 + 2a) / (1 - 2 (b - a) / N)
    denom = 1.0 - 2.0 * (b - a) / n
    g = (1.0 + 2.0 * a) / denom if denom > 1.0 / n else float(n)
    return float(min(max(g, 1.0), n))


def integrated_autocorrelation_time(x) -> float:
    """tau_int = (g - 1) / 2 in samples (0 for white noise)."""
    return 0.5 * (statistical_inefficiency(x) - 1.0)


@dataclass(frozen=True)
class SeriesError:
    """Mean of one correlated series and its 68 % error (module doc, "Per run")."""

    mean: float
    stat_err: float
    n_samples: int
    statistical_inefficiency: float  # g (samples)
    tau_int: float  # (g - 1)/2 in the units of ``sample_interval`` (samples when not given)
    n_blocks: int
    block_length: int  # samples
    t_factor: float
    sample_interval: float = 1.0

    @property
    def n_independent(self) -> float:
        """N / g: the number of independent samples the series is worth."""
        return self.n_samples / self.statistical_inefficiency

    @property
    def short(self) -> bool:
        """Fewer than 10 g samples: the run's own error is likely low (module doc)."""
        return self.n_independent < 10.0

    def as_dict(self) -> dict:
        return {"mean": self.mean, "stat_err": self.stat_err, "n_samples": self.n_samples,
                "statistical_inefficiency": self.statistical_inefficiency, "tau_int": self.tau_int,
                "sample_interval": self.sample_interval, "n_independent": self.n_independent,
                "n_blocks": self.n_blocks, "block_length_samples": self.block_length, "t_factor": self.t_factor,
                "shorter_than_10_g": self.short}


def series_error(x, sample_interval: float = 1.0) -> SeriesError:
    """Mean and 68 % error of a correlated series: block averaging with blocks of 4 g samples and the
    Student-t factor of the block count (module doc). ``sample_interval`` only scales ``tau_int``."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    if n == 0:
        raise ValueError("series_error needs at least one sample")
    if n < 2 * MIN_BLOCKS:
        return SeriesError(float(x.mean()), float("nan"), n, float("nan"), float("nan"), 0, 0, float("nan"),
                           sample_interval)
    g = statistical_inefficiency(x)
    length = max(1, min(max(int(math.ceil(BLOCK_OVER_G * g)), n // MAX_BLOCKS), n // MIN_BLOCKS))
    m = n // length
    # the blocks end at the end of the series (the most settled part is always used)
    blocks = x[n - m * length:].reshape(m, length).mean(axis=1)
    se = float(blocks.std(ddof=1) / math.sqrt(m))
    tf = student_factor(m - 1)
    return SeriesError(mean=float(x.mean()), stat_err=tf * se, n_samples=n, statistical_inefficiency=g,
                       tau_int=0.5 * (g - 1.0) * sample_interval, n_blocks=m, block_length=length, t_factor=tf,
                       sample_interval=sample_interval)


@dataclass(frozen=True)
class Trend:
    """Least-squares drift of a series over its window (module doc, "Drifts")."""

    slope: float  # per unit of t
    slope_err: float
    change: float  # slope x window length
    change_err: float
    start: float  # mean of the first tenth of the window
    end: float  # mean of the last tenth
    duration: float  # window length (units of t)
    statistical_inefficiency: float  # of the residuals

    def within(self, n_sigma: float = 2.0) -> bool:
        """|change| <= n_sigma x its error (a series with no significant drift)."""
        return bool(abs(self.change) <= n_sigma * self.change_err)

    def as_dict(self) -> dict:
        return {"slope": self.slope, "slope_err": self.slope_err, "change": self.change, "change_err": self.change_err,
                "start": self.start, "end": self.end, "duration": self.duration,
                "statistical_inefficiency": self.statistical_inefficiency}


def trend(t, y) -> Trend:
    """Straight-line drift of y(t); the slope error counts the residuals' correlation (g) and has the
    Student-t factor of N/g - 2 degrees of freedom."""
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(t)
    if n < 3:
        raise ValueError("a trend needs at least 3 samples")
    tc = t - t.mean()
    sxx = float(tc @ tc)
    slope = float(tc @ (y - y.mean()) / sxx)
    resid = y - y.mean() - slope * tc
    g = statistical_inefficiency(resid)
    s2 = float(resid @ resid) / max(n - 2, 1)
    n_eff = n / g
    slope_err = math.sqrt(s2 * g / sxx) * student_factor(max(n_eff - 2.0, 1.0))
    duration = float(t[-1] - t[0])
    k = max(n // 10, 1)
    return Trend(slope=slope, slope_err=slope_err, change=slope * duration, change_err=slope_err * duration,
                 start=float(y[:k].mean()), end=float(y[-k:].mean()), duration=duration, statistical_inefficiency=g)


@dataclass(frozen=True)
class Estimate:
    """A result: value, statistical error, systematic error (None: not estimated) and how they were got."""

    value: float
    stat_err: float
    sys_err: Optional[float] = None
    sys_note: str = "not estimated"
    details: dict = field(default_factory=dict)  # n_runs, combined_by, t_factor, per-run numbers, ...

    @property
    def total_err(self) -> float:
        """Statistical and systematic errors added in quadrature."""
        return float(math.hypot(self.stat_err, self.sys_err or 0.0))

    def with_systematic(self, sys_err: Optional[float], note: str) -> "Estimate":
        """The same estimate with a systematic error (method, finite size) and what it is."""
        return replace(self, sys_err=None if sys_err is None else float(sys_err), sys_note=note)

    def as_dict(self, name_with_unit: str, unit: Optional[str] = None) -> dict:
        """Flat, strict-JSON keys. With ``unit`` (``name_with_unit`` ending in ``_<unit>``) the error
        keys put the unit last: T_melt_K, T_melt_err_K, T_melt_stat_err_K, T_melt_sys_err_K,
        T_melt_error_model. Without: kappa_W_per_mK, kappa_W_per_mK_err, ..._stat_err, ..._sys_err,
        kappa_W_per_mK_error_model."""
        if unit is not None:
            if not name_with_unit.endswith("_" + unit):
                raise ValueError(f"{name_with_unit!r} does not end in _{unit}")
            stem = name_with_unit[: -len(unit) - 1]
            key = lambda what: f"{stem}_{what}_{unit}"  # noqa: E731
        else:
            stem = name_with_unit
            key = lambda what: f"{stem}_{what}"  # noqa: E731
        return {name_with_unit: float(self.value), key("err"): self.total_err, key("stat_err"): float(self.stat_err),
                key("sys_err"): self.sys_err, f"{stem}_error_model": {"systematic": self.sys_note, **self.details}}


def estimate_from_series(x, sample_interval: float = 1.0) -> Estimate:
    """One run: :func:`series_error` as an :class:`Estimate` (details: g, tau_int, blocks)."""
    s = series_error(x, sample_interval)
    return Estimate(s.mean, s.stat_err, details={"n_runs": 1, "combined_by": "block averaging", **s.as_dict()})


def combine_runs(values: Sequence[float], errors: Sequence[float]) -> Estimate:
    """Independent runs of the same quantity: mean, scatter x t(0.8413, n-1) / sqrt(n), never below the
    per-run errors propagated to the mean (module doc, "Several runs")."""
    v = np.asarray(values, dtype=float)
    e = np.asarray(errors, dtype=float)
    n = len(v)
    if n == 0 or len(e) != n:
        raise ValueError("combine_runs needs as many errors as values (at least one)")
    mean = float(v.mean())
    within = float(math.sqrt(np.nansum(e ** 2)) / n) if np.isfinite(e).any() else float("nan")
    details = {"n_runs": n, "values": v.tolist(), "errors": e.tolist(), "within_err": within}
    if n == 1:
        return Estimate(mean, float(e[0]), details={**details, "combined_by": "single run"})
    tf = student_factor(n - 1)
    scatter = float(tf * v.std(ddof=1) / math.sqrt(n))
    by = "scatter" if not scatter < within else "per-run errors"
    details.update(scatter_err=scatter, t_factor=tf, combined_by=by)
    return Estimate(mean, max(scatter, within) if math.isfinite(within) else scatter, details=details)


def format_with_error(value: float, err: Optional[float], unit: str = "", digits: int = 2) -> str:
    """``value +- err unit`` with the error rounded to ``digits`` significant digits and the value to the
    same decimal place: 921.8 +- 6.0 K, 0.000 +- 0.012 GPa (never 4.39e-05 GPa)."""
    tail = f" {unit}" if unit else ""
    value = None if value is None else float(value)
    err = None if err is None else float(err)
    if value is None or not math.isfinite(value):
        return f"n/a{tail}"
    if err is None or not math.isfinite(err) or err <= 0:
        return f"{value:.4g}{tail}"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(err))))
    v = round(value, decimals) + 0.0  # no "-0.000"
    return f"{v:.{decimals}f} +- {err:.{decimals}f}{tail}"
