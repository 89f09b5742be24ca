"""Every number with its spread: mean and sample standard deviation over folds, seeds or resamples."""

from __future__ import annotations

import numpy as np


def mean_std(values) -> dict[str, float | int]:
    """``{"mean", "std", "n"}`` of the finite values (std with ddof=1; 0 for one value; NaN -> null)."""
    v = np.asarray([x for x in values if x is not None], dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return {"mean": float("nan"), "std": float("nan"), "n": 0}
    return {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else 0.0, "n": int(len(v))}


def fmt(ms: dict, digits: int = 3) -> str:
    """``0.123 +- 0.004`` (or ``n/a``)."""
    if not ms or ms.get("n", 0) == 0 or not np.isfinite(ms["mean"]):
        return "n/a"
    return f"{ms['mean']:.{digits}f} +- {ms['std']:.{digits}f}"
