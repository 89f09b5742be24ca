"""Held-out R^2 of the ELF model vs the number of training snapshots, same data, same run.

    python bench/elf_learning_curve.py elf_h.h5 [--per-group 1 2 3 5] [--epochs 80]

Trains on the first k snapshots of every ``fluid_*_run0`` group (k = --per-group values) with the
paper's recipe and evaluates every grid point of all ``fluid_*_run1`` snapshots (independent MD
runs). Shows how far the small data feasible here is from saturating (the paper: R^2 > 0.99).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import torch

from ptmlp.elf.config import TrainConfig
from ptmlp.elf.descriptor import ElfDescriptor
from ptmlp.elf.model import ElfModel
from ptmlp.elf.store import ElfDataset
from ptmlp.elf.training import evaluate, fit, sample_training_points, select_groups


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset")
    ap.add_argument("--per-group", type=int, nargs="+", default=[1, 2, 3, 5])
    ap.add_argument("--epochs", type=int, default=80)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ds = ElfDataset(args.dataset)
    groups = ds.index()["group"]
    train_all = select_groups(groups, ["fluid_*_run0"])
    val = ds.read(select_groups(groups, ["fluid_*_run1"]))
    rows = []
    for k in args.per_group:
        chosen, seen = [], {}
        for i in train_all:
            seen[groups[i]] = seen.get(groups[i], 0) + 1
            if seen[groups[i]] <= k:
                chosen.append(i)
        cfg = TrainConfig(dataset=args.dataset, epochs=args.epochs, seed=0)
        torch.manual_seed(0)
        model = ElfModel(ElfDescriptor(), cfg.hidden)
        x, y = sample_training_points(ds.read(chosen), model.descriptor, cfg, np.random.default_rng(0))
        fit(model, x, y, cfg, log=lambda s: None)
        _, metrics = evaluate(model, val)
        m = metrics["all"]
        rows.append({"train_snapshots": len(chosen), "train_points": int(len(x)), **m})
        print(f"{len(chosen):3d} training snapshots: R^2 {m['r2']:.4f} +- {m['r2_err']:.4f}, "
              f"RMSE {m['rmse']:.4f} +- {m['rmse_err']:.4f} ({m['n_snapshots']} held-out snapshots)", flush=True)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
