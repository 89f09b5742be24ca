"""Statistical errors of MD time series: the one uncertainty model (:mod:`ptmlp.uncertainty`)."""

from __future__ import annotations

import numpy as np

from ..uncertainty import series_error


def block_mean_error(x: np.ndarray) -> tuple[float, float]:
    """Mean of ``x`` and its 68 % error: block averaging with blocks sized from the measured
    statistical inefficiency and a Student-t factor (:func:`ptmlp.uncertainty.series_error`)."""
    s = series_error(x)
    return s.mean, s.stat_err
