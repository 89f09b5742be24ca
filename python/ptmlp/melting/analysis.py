"""Statistics of the coexistence time series, on the one uncertainty model (:mod:`ptmlp.uncertainty`):
means of correlated series by block averaging with the measured statistical inefficiency, drifts
(trends) with errors that count the correlation, and the verdict of an NPT run from its trend.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..uncertainty import series_error, trend


def mean_and_error(x, sample_interval: float = 1.0) -> tuple[float, float]:
    """Mean of a correlated series and its 68 % error (:func:`ptmlp.uncertainty.series_error`)."""
    s = series_error(x, sample_interval)
    return s.mean, s.stat_err


@dataclass
class Trend:
    slope_per_ps: float  # d(y)/dt
    slope_err_per_ps: float
    change: float  # slope x duration of the analysed window
    change_err: float
    start: float  # mean of y in the first tenth of the window
    end: float  # mean of y in the last tenth
    duration_ps: float

    def as_dict(self) -> dict:
        return asdict(self)


def linear_trend(t, y) -> Trend:
    """Least-squares slope of y(t) with its error (:func:`ptmlp.uncertainty.trend`), in ps."""
    tr = trend(t, y)
    return Trend(slope_per_ps=tr.slope, slope_err_per_ps=tr.slope_err, change=tr.change, change_err=tr.change_err,
                 start=tr.start, end=tr.end, duration_ps=tr.duration)


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
