"""Pieces shared by the experiments: resumable runs, per-run records and the seed/fold table."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ...jsonfile import read_json, write_json
from ..evaluation import mean_spread
from ..fitting import Fit


def cached_run(path: Path, compute: Callable[[], dict]) -> dict:
    """``compute()`` written to ``path`` (strict JSON), or the earlier result if it is there."""
    if path.is_file():
        return read_json(path)
    result = compute()
    write_json(path, result)
    return result


def fit_record(fit: Fit, targets: Sequence[str], ids: Sequence[str]) -> dict:
    """What an experiment keeps of one fit: test metrics, predictions, training time and epochs."""
    return {"targets": list(targets), "test": fit.test_metrics, "best_epoch": fit.result.best_epoch,
            "epochs_run": len(fit.result.history), "stopped": fit.result.stopped, "time_s": fit.result.time_s,
            "model_file": fit.model_file, "test_ids": list(ids), "test_pred": fit.test_pred.tolist(),
            "test_ref": fit.test_ref.tolist(), "val_pred": fit.val_pred.tolist(), "val_ref": fit.val_ref.tolist(),
            "history": fit.result.history}


def spread_table(records: Sequence[dict], targets: Sequence[str]) -> dict[str, dict]:
    """Per target: MAE, RMSE, R^2 as mean +- std over the records (seeds or folds)."""
    out = {}
    for t in targets:
        rows = [r["test"][t] for r in records if t in r["test"]]
        out[t] = {m: mean_spread([row[m] for row in rows]) for m in ("mae", "rmse", "r2")}
    return out


def arrays(record: dict, key: str) -> np.ndarray:
    return np.array(record[key], dtype=float)


def format_row(name: str, table: dict[str, dict], targets: Sequence[str]) -> str:
    cells = []
    for t in targets:
        c = table.get(t)
        if not c or c["mae"]["mean"] is None:
            cells.append("-")
            continue
        s = lambda d: f"{d['mean']:.4g} ± {d['std']:.2g}" if d["std"] is not None else f"{d['mean']:.4g}"
        cells.append(f"MAE {s(c['mae'])}, R² {s(c['r2'])}")
    return f"{name}: " + "; ".join(f"{t} {c}" for t, c in zip(targets, cells))
