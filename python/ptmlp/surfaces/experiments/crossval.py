"""``ptmlp surfaces cv``: k-fold cross-validation; each fold is the test set once, the validation set
(for early stopping) is drawn from the other folds with the configured validation fraction."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import numpy as np

from ...jsonfile import write_json
from .. import plots
from ..dataset import load_dataset
from ..fitting import fit_once
from .common import arrays, cached_run, fit_record, format_row, spread_table
from .config import CrossValidationConfig


def kfold(n: int, folds: int, seed: int) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [np.sort(order[k::folds]) for k in range(folds)]


def run_crossval(cfg: CrossValidationConfig, log: Callable[[str], None] = print, targets=None) -> dict:
    t0 = time.time()
    out = Path(cfg.output_dir)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    data = load_dataset(cfg.dataset, cfg.graph, log)
    targets = list(targets or data.columns)
    data.require(targets)
    parts = kfold(len(data), cfg.folds, cfg.fold_seed)
    val_share = cfg.training.split_fractions[1] / (1.0 - cfg.training.split_fractions[2])
    records = []
    for k, test in enumerate(parts):
        rest = np.setdiff1d(np.arange(len(data)), test)
        rest = np.random.default_rng(cfg.fold_seed + 1000 + k).permutation(rest)
        n_val = int(round(val_share * len(rest)))
        split = {"train": sorted(rest[n_val:].tolist()), "validation": sorted(rest[:n_val].tolist()),
                 "test": test.tolist()}
        for seed in cfg.seeds:
            name = f"fold{k}_seed{seed}"
            training = cfg.training.model_copy(update={"seed": seed})

            def compute(split=split, training=training, name=name):
                log(f"{name}: training on {len(split['train'])} slabs")
                fit = fit_once(data, split, targets, cfg.model, cfg.graph, training, out / "runs", name)
                return fit_record(fit, targets, [data.ids[i] for i in split["test"]])

            rec = cached_run(out / "runs" / f"{name}.json", compute)
            records.append(rec)
            log(f"{name}: " + ", ".join(f"{t} MAE {rec['test'][t]['mae']:.4g}" for t in targets))
    table = spread_table(records, targets)
    ref = np.concatenate([arrays(r, "test_ref") for r in records])
    pred = np.concatenate([arrays(r, "test_pred") for r in records])
    plots.parity(ref, pred, targets, out / "parity_cv.png", f"{data.name}: {cfg.folds}-fold cross-validation")
    summary = {"dataset": data.name, "folds": cfg.folds, "seeds": cfg.seeds, "targets": targets, "table": table,
               "config": cfg.to_dict(), "time_s": [r["time_s"] for r in records], "wall_time_s": time.time() - t0}
    write_json(out / "summary.json", summary)
    log(format_row(f"{cfg.folds}-fold CV", table, targets))
    return summary
