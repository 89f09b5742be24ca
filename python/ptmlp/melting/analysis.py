"""Statistics of the coexistence time series: means and trends with autocorrelation-aware errors.

Samples of an MD time series are correlated; the standard errors here come from block averaging
(Flyvbjerg & Petersen, J. Chem. Phys. 91, 461 (1989)): the largest standard error of the block
means over block lengths 1, 2, 4, ... with at least 4 blocks, a conservative plateau estimate
that also covers slow drifts (an NPH interface wandering for tens of ps). The effective number of
independent samples is n_eff = var / SE^2.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


def integrated_autocorrelation(x) -> float:
    """Integrated autocorrelation time of ``x`` in samples (0 for white noise)."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    if n < 4:
        return 0.0
    d = x - x.mean()
    var = d @ d / n
    if var <= 0:
        return 0.0
    f = np.fft.rfft(d, 2 * n)
    acf = np.fft.irfft(f * np.conj(f))[:n] / (var * np.arange(n, 0, -1))
    tau = 0.0
    for k in range(1, n // 2):
        if acf[k] <= 0:
            break
        tau += acf[k]
    return float(tau)


def blocking_error(x, min_blocks: int = 4) -> float:
    """Standard error of the mean of a correlated series by block averaging (largest over block sizes)."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    if n < 2:
        return float("nan")
    best = x.std(ddof=1) / np.sqrt(n)
    size = 2
    while n // size >= min_blocks:
        m = n // size
        blocks = x[:m * size].reshape(m, size).mean(axis=1)
        best = max(best, blocks.std(ddof=1) / np.sqrt(m))
        size *= 2
    return float(best)


def effective_samples(x) -> float:
    """Number of independent samples the series is worth (blocking estimate), at most len(x)."""
    x = np.asarray(x, dtype=float)
    se = blocking_error(x)
    var = x.var(ddof=1) if len(x) > 1 else 0.0
    if not se > 0 or var <= 0:
        return float(len(x))
    return float(min(len(x), var / se ** 2))


def mean_and_error(x) -> tuple[float, float]:
    """Mean of a correlated series and its standard error (block averaging)."""
    x = np.asarray(x, dtype=float)
    if len(x) < 2:
        return float(x.mean()), float("nan")
    return float(x.mean()), blocking_error(x)


@dataclass
class Trend:
    slope_per_ps: float  # d(solid fraction)/dt
    slope_err_per_ps: float
    change: float  # slope x duration of the analysed window
    change_err: float
    start: float  # mean solid fraction in the first tenth of the window
    end: float  # mean solid fraction in the last tenth
    duration_ps: float

    def as_dict(self) -> dict:
        return asdict(self)


def linear_trend(t, y) -> Trend:
    """Least-squares slope of y(t); its error uses the residuals' effective sample count."""
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(t)
    if n < 3:
        raise ValueError("a trend needs at least 3 samples")
    A = np.vstack([t - t.mean(), np.ones(n)]).T
    (slope, icpt), *_ = np.linalg.lstsq(A, y, rcond=None)
    resid = y - A @ np.array([slope, icpt])
    s2 = resid @ resid / max(n - 2, 1)
    n_eff = max(effective_samples(resid), 3.0)
    slope_err = np.sqrt(s2 / ((t - t.mean()) @ (t - t.mean()))) * np.sqrt(n / n_eff)
    duration = float(t[-1] - t[0])
    k = max(n // 10, 1)
    return Trend(slope_per_ps=float(slope), slope_err_per_ps=float(slope_err), change=float(slope * duration),
                 change_err=float(slope_err * duration), start=float(y[:k].mean()), end=float(y[-k:].mean()),
                 duration_ps=duration)


SOLID_GROWS = "solid grows"
LIQUID_GROWS = "liquid grows"
STABLE = "no clear trend"


def growth_window(t, phi, lo: float = 0.05, hi: float = 0.95):
    """The part of a run before the solid fraction first leaves (lo, hi) (complete melting or
    freezing saturates the signal; the interface velocity is measured before that)."""
    t = np.asarray(t)
    phi = np.asarray(phi)
    out = np.nonzero((phi <= lo) | (phi >= hi))[0]
    stop = out[0] if len(out) else len(t)
    return t[:stop], phi[:stop]


def classify_trend(t, phi, min_change: float, significance: float) -> tuple[str, Trend, str]:
    """Verdict on one NPT coexistence run: solid grows / liquid grows / no clear trend."""
    t = np.asarray(t)
    phi = np.asarray(phi)
    k = max(len(phi) // 10, 1)
    end = float(phi[-k:].mean())
    tw, pw = growth_window(t, phi)
    if len(tw) < max(5, len(t) // 5):
        # saturated almost at once: judge by where it ended
        trend = linear_trend(t, phi)
        if end >= 0.9:
            return SOLID_GROWS, trend, "froze completely"
        if end <= 0.1:
            return LIQUID_GROWS, trend, "melted completely"
        return STABLE, trend, "too few samples"
    trend = linear_trend(tw, pw)
    if end >= 0.95:
        return SOLID_GROWS, trend, "froze completely"
    if end <= 0.05:
        return LIQUID_GROWS, trend, "melted completely"
    threshold = max(min_change, significance * trend.change_err)
    if trend.change > threshold:
        return SOLID_GROWS, trend, f"change {trend.change:+.3f} > {threshold:.3f}"
    if trend.change < -threshold:
        return LIQUID_GROWS, trend, f"change {trend.change:+.3f} < -{threshold:.3f}"
    return STABLE, trend, f"|change| {abs(trend.change):.3f} <= {threshold:.3f}"
