"""Predictions of a network (trainable or TorchScript) for many slabs, and error metrics."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from .batching import collate
from .graph import CrystalGraph


def predict_graphs(model, graphs: Sequence[CrystalGraph], batch_slabs: int = 128) -> np.ndarray:
    """(n_slabs, n_targets) predictions in the targets' units."""
    out = []
    was_training = getattr(model, "training", False)
    model.eval()
    with torch.no_grad():
        for i in range(0, len(graphs), batch_slabs):
            out.append(model(*collate(graphs[i:i + batch_slabs]).inputs()).double().numpy())
    if was_training:
        model.train()
    return np.concatenate(out) if out else np.zeros((0, 0))


def metrics(pred: np.ndarray, ref: np.ndarray, n_boot: int = 200, seed: int = 0) -> dict:
    """MAE, RMSE and R^2 over the slabs with a reference, each with a bootstrap standard error."""
    ok = np.isfinite(ref) & np.isfinite(pred)
    p, r = pred[ok], ref[ok]
    if len(r) < 2:
        return {"n": int(len(r)), "mae": None, "rmse": None, "r2": None}

    def stats(pp, rr):
        err = pp - rr
        ss = np.sum((rr - rr.mean()) ** 2)
        return np.mean(np.abs(err)), np.sqrt(np.mean(err ** 2)), (1.0 - np.sum(err ** 2) / ss) if ss > 0 else np.nan

    mae, rmse, r2 = stats(p, r)
    rng = np.random.default_rng(seed)
    boot = np.array([stats(p[i], r[i]) for i in (rng.integers(0, len(r), len(r)) for _ in range(n_boot))])
    se = np.nanstd(boot, axis=0)
    return {"n": int(len(r)), "mae": float(mae), "mae_se": float(se[0]), "rmse": float(rmse),
            "rmse_se": float(se[1]), "r2": float(r2), "r2_se": float(se[2])}


def metrics_table(pred: np.ndarray, ref: np.ndarray, targets: Sequence[str]) -> dict[str, dict]:
    return {t: metrics(pred[:, k], ref[:, k]) for k, t in enumerate(targets)}


def mean_spread(rows: Sequence[float]) -> dict:
    """Mean and sample standard deviation of repeated results (seeds or folds)."""
    a = np.array([np.nan if v is None else v for v in rows], dtype=float)
    a = a[np.isfinite(a)]
    if len(a) == 0:
        return {"mean": None, "std": None, "n": 0}
    return {"mean": float(a.mean()), "std": float(a.std(ddof=1)) if len(a) > 1 else None, "n": int(len(a))}
