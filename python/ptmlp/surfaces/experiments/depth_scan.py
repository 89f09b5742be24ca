"""``ptmlp surfaces depth-scan``: the full method at several surface-depth thresholds."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from ...jsonfile import write_json
from .. import plots
from ..dataset import load_dataset
from ..fitting import fit_once, random_split
from .common import cached_run, fit_record, format_row, spread_table
from .config import DepthScanConfig


def run_depth_scan(cfg: DepthScanConfig, log: Callable[[str], None] = print) -> dict:
    t0 = time.time()
    out = Path(cfg.output_dir)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    data = load_dataset(cfg.dataset, cfg.graph, log)
    targets = list(data.columns)
    split = random_split(len(data), cfg.training.split_fractions, cfg.training.split_seed)
    rows, flagged = [], []
    for depth in cfg.depths_A:
        model = cfg.model.model_copy(update={"surface_embedding": True, "surface_depth_A": float(depth)})
        flagged.append(sum(int((g.depth_A <= depth + 1e-6).sum()) for g in data.graphs)
                       / sum(g.n_atoms for g in data.graphs))
        recs = []
        for seed in cfg.seeds:
            name = f"depth{depth:g}_seed{seed}"
            training = cfg.training.model_copy(update={"seed": seed})

            def compute(model=model, training=training, name=name):
                log(f"{name}: training")
                fit = fit_once(data, split, targets, model, cfg.graph, training, out / "runs", name)
                return fit_record(fit, targets, [data.ids[i] for i in split["test"]])

            recs.append(cached_run(out / "runs" / f"{name}.json", compute))
        rows.append(spread_table(recs, targets))
        log(format_row(f"depth {depth:g} A ({100 * flagged[-1]:.0f}% of atoms flagged)", rows[-1], targets))
    plots.scan(cfg.depths_A, rows, targets, "surface-depth threshold (Å)", out / "depth_scan.png", data.name)
    summary = {"dataset": data.name, "depths_A": cfg.depths_A, "flagged_atom_fraction": flagged, "table": rows,
               "seeds": cfg.seeds, "config": cfg.to_dict(), "wall_time_s": time.time() - t0}
    write_json(out / "summary.json", summary)
    return summary
