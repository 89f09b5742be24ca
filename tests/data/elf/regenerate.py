"""Regenerate the ELF test fixtures from a full validation run (see README.md in this folder).

    python tests/data/elf/regenerate.py --dataset RUN/elf_h.h5 --model RUN/elf_h.pt

Writes, next to this script:
  elf_h_model.pt        the trained model (copied)
  elf_h_heldout.h5      held-out snapshots (the first of the lowest- and highest-density fluid_*_run1
                        groups and the first random crystal), ELF stored as float16
  fixture_metrics.json  what the model gives on exactly these (float16) references: R^2, MAE, phi
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np

from ptmlp.elf.inference import predict_grid
from ptmlp.elf.metrics import regression_metrics
from ptmlp.elf.model_file import load_elf_model
from ptmlp.elf.networking import networking_value
from ptmlp.elf.store import ElfDataset

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--model", required=True)
    args = ap.parse_args()
    groups = ElfDataset(args.dataset).index()["group"]
    wanted = ["fluid_v2.50_run1", "fluid_v1.99_run1", "crystal_random"]
    chosen = [groups.index(g) for g in wanted]
    grids = ElfDataset(args.dataset).read(chosen)
    out_h5 = HERE / "elf_h_heldout.h5"
    out_h5.unlink(missing_ok=True)
    ds = ElfDataset.create(out_h5, elf_dtype="float16")
    ds.append(grids)
    Path(str(out_h5) + ".lock").unlink(missing_ok=True)
    shutil.copyfile(args.model, HERE / "elf_h_model.pt")
    model, meta = load_elf_model(HERE / "elf_h_model.pt")
    rows = []
    for k, g in enumerate(ds.read()):
        pred = predict_grid(model, g.atoms, g.shape)
        m = regression_metrics(pred, g.elf)
        rows.append({"index": k, "group": g.group, "source_index": int(chosen[k]), "grid": list(g.shape),
                     "r2": m["r2"], "mae": m["mae"], "phi_ref": networking_value(g.elf)[0],
                     "phi_pred": networking_value(pred)[0]})
    (HERE / "fixture_metrics.json").write_text(json.dumps({"model_training": meta["training"], "snapshots": rows},
                                                          indent=1))
    sizes = {p.name: p.stat().st_size for p in (out_h5, HERE / "elf_h_model.pt")}
    print(json.dumps(rows, indent=1), sizes)


if __name__ == "__main__":
    main()
