"""Uncertainty of seed-ensemble predictions: mean and spread, a scale of the spread fitted on
validation slabs (so that the z-scores have unit variance), and the calibration curve (observed
vs expected fraction of references inside central Gaussian intervals)."""

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
    """s with mean(((ref - mean) / (s std))^2) = 1 over the finite entries (1 if none)."""
    ok = np.isfinite(ref) & np.isfinite(std) & (std > 0)
    if not ok.any():
        return 1.0
    return float(np.sqrt(np.mean(((ref[ok] - mean[ok]) / std[ok]) ** 2)))


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
