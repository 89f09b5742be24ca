"""Uncertainty of seed-ensemble predictions: mean and spread, a scale of the spread fitted on
validation slabs, and the calibration curve (observed
vs expected fraction of references inside central Gaussian intervals); the scale minimises the
miscalibration area on the validation slabs (an RMS z-score scale is pulled up by heavy tails)."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

LEVELS = np.round(np.arange(0.05, 1.0, 0.05), 2)


def ensemble_mean_std(predictions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(members, slabs, targets) -> mean and sample standard deviation over the members."""
    p = np.asarray(predictions, dtype=float)
    std = p.std(axis=0, ddof=1) if p.shape[0] > 1 else np.full(p.shape[1:], np.nan)
    return p.mean(axis=0), std


def sigma_scale(mean: np.ndarray, std: np.ndarray, ref: np.ndarray) -> float:
    """The factor s on the spread whose Gaussian intervals have the smallest miscalibration area on
    (validation) references (a grid over 10^-2..10^3); 1 if there are none."""
    ok = np.isfinite(ref) & np.isfinite(std) & (std > 0)
    if not ok.any():
        return 1.0
    z = np.abs(ref[ok] - mean[ok]) / std[ok]
    quantiles = norm.ppf(0.5 + LEVELS / 2)
    grid = np.logspace(-2, 3, 501)
    area = [np.mean(np.abs(np.mean(z[:, None] <= s * quantiles[None, :], axis=0) - LEVELS)) for s in grid]
    return float(grid[int(np.argmin(area))])


def calibration_curve(mean: np.ndarray, std: np.ndarray, ref: np.ndarray, scale: float = 1.0) -> dict:
    """Observed fraction of |ref - mean| <= z_p scale std for central levels p, and the
    miscalibration area (mean |observed - expected|)."""
    ok = np.isfinite(ref) & np.isfinite(std) & (std > 0)
    if not ok.any():
        return {"expected": LEVELS.tolist(), "observed": [None] * len(LEVELS), "miscalibration_area": None, "n": 0}
    z = np.abs(ref[ok] - mean[ok]) / (scale * std[ok])
    observed = np.array([np.mean(z <= norm.ppf(0.5 + p / 2)) for p in LEVELS])
    return {"expected": LEVELS.tolist(), "observed": observed.tolist(),
            "miscalibration_area": float(np.mean(np.abs(observed - LEVELS))), "n": int(ok.sum())}
