"""Regression metrics of ELF predictions with uncertainties from snapshot-level bootstrap."""

from __future__ import annotations

from typing import Sequence

import numpy as np


def regression_metrics(pred: np.ndarray, ref: np.ndarray) -> dict[str, float]:
    """MAE, RMSE, R^2 = 1 - SS_res / SS_tot and the point count of flat arrays."""
    pred = np.asarray(pred, dtype=np.float64).ravel()
    ref = np.asarray(ref, dtype=np.float64).ravel()
    res = pred - ref
    ss_tot = float(((ref - ref.mean()) ** 2).sum())
    return {"mae": float(np.abs(res).mean()), "rmse": float(np.sqrt((res ** 2).mean())),
            "r2": 1.0 - float((res ** 2).sum()) / ss_tot if ss_tot > 0 else float("nan"), "n_points": int(res.size)}


def snapshot_metrics(preds: Sequence[np.ndarray], refs: Sequence[np.ndarray], n_boot: int = 1000,
                     seed: int = 0) -> dict[str, float]:
    """Metrics over all points of several snapshots, each with a bootstrap standard error (resampling
    whole snapshots: grid points within one snapshot are strongly correlated)."""
    out = regression_metrics(np.concatenate([np.ravel(p) for p in preds]), np.concatenate([np.ravel(r) for r in refs]))
    out["n_snapshots"] = len(preds)
    if len(preds) < 2:
        for key in ("mae", "rmse", "r2"):
            out[f"{key}_err"] = float("nan")
        return out
    rng = np.random.default_rng(seed)
    sums = np.array([[np.abs(p - r).sum(), ((p - r) ** 2).sum(), np.size(r), r.sum(), (r.astype(np.float64) ** 2).sum()]
                     for p, r in ((np.ravel(p).astype(np.float64), np.ravel(r).astype(np.float64))
                                  for p, r in zip(preds, refs))])
    boots = []
    for _ in range(n_boot):
        s = sums[rng.integers(0, len(sums), len(sums))].sum(0)
        n = s[2]
        ss_tot = s[4] - s[3] ** 2 / n
        boots.append((s[0] / n, np.sqrt(s[1] / n), 1.0 - s[1] / ss_tot if ss_tot > 0 else np.nan))
    boots = np.array(boots)
    for k, key in enumerate(("mae", "rmse", "r2")):
        out[f"{key}_err"] = float(np.nanstd(boots[:, k], ddof=1))
    return out
