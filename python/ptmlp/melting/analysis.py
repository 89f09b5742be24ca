"""Statistics of the coexistence time series: means and trends with autocorrelation-aware errors.

Samples of an MD time series are correlated; the standard errors here use the effective number
of independent samples n_eff = n / (2 tau + 1), tau the integrated autocorrelation time (in
samples) summed up to the first negative autocorrelation (Sokal's windowing, simplest form).
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


def effective_samples(x) -> float:
    return len(x) / (2.0 * integrated_autocorrelation(x) + 1.0)


def mean_and_error(x) -> tuple[float, float]:
    """Mean of a correlated series and its standard error."""
    x = np.asarray(x, dtype=float)
    if len(x) < 2:
        return float(x.mean()), float("nan")
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(max(effective_samples(x), 1.0)))


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
