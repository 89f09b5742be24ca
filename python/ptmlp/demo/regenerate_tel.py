"""Regenerate the T_e demo: GPAW finite-T_e data for compressed Al and a T_e-aware model.

    python -m ptmlp.demo.regenerate_tel            (about 3 minutes on 2 cores)

Recipe (deterministic for a seed):
1. 36 geometries: 4-atom fcc Al cells at a = 3.70, 3.85, 4.00 angstrom (about 45, 20, 3 GPa),
   strained by ~1% and rattled by 0.1 angstrom.
2. Each geometry labelled by GPAW 26.7 (LDA, plane waves 250 eV, 3x3x3 k-points, Fermi-Dirac
   occupations) at T_e = 1000, 4000 and 8000 K: electronic free energy, forces, stress.
   All T_e of one geometry share a group, so held-out geometries are held out at every T_e.
3. Model v1 with T_e input, trained on all T_e of the training geometries.
Writes al_tel_data.h5 (the labels, ~0.1 MB), al_tel_split.json and al_tel_demo.pt (+ .json report).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from ase.build import bulk

from ..data.splits import grouped_split, save_split
from ..data.store import Dataset
from ..export import export_model
from ..jsonfile import write_json
from ..labelers.gpaw_labeler import GpawLabeler
from ..labelers.runner import label_structures
from ..models import ModelConfig, build_model
from ..training.config import TrainConfig
from ..training.run import te_metadata
from ..training.trainer import train
from . import DEMO_DIR

TE_VALUES_K = (1000.0, 4000.0, 8000.0)
LATTICE_A = (3.70, 3.85, 4.00)
TEL_MODEL = DEMO_DIR / "al_tel_demo.pt"
TEL_DATA = DEMO_DIR / "al_tel_data.h5"
TEL_SPLIT = DEMO_DIR / "al_tel_split.json"
TEL_MODEL_CONFIG = dict(type_names=["Al"], r_cut=4.5, n_radial=6, n_channels=6, l_max=2, hidden_widths=[32, 32],
                        electronic_temperature=True)


def geometries(n: int, seed: int):
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        a = bulk("Al", "fcc", a=LATTICE_A[k % len(LATTICE_A)], cubic=True)
        a.set_cell(a.cell.array @ (np.eye(3) + rng.normal(scale=0.01, size=(3, 3))), scale_atoms=True)
        a.rattle(0.1, seed=int(rng.integers(1 << 30)))
        out.append(a)
    return out


def generate(path: Path, n_geometries: int, seed: int, processes: int = 2) -> Dataset:
    geos = geometries(n_geometries, seed)
    for te in TE_VALUES_K:
        labeler = GpawLabeler(te_K=te, xc="LDA", ecut_eV=250.0, kpts=(3, 3, 3))
        report = label_structures(geos, labeler, str(path), groups=[f"geometry{k}" for k in range(len(geos))],
                                  processes=processes, progress=False)
        print(f"T_e = {te:.0f} K: {report.line()}")
    return Dataset(path)


def split_for(ds: Dataset, seed: int) -> dict:
    arr = ds.arrays()
    groups = [arr["strings"][g] for g in arr["group_id"]]
    return grouped_split(groups, (0.7, 0.1, 0.2), seed=seed)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--geometries", type=int, default=36)
    ap.add_argument("--epochs", type=int, default=150)
    ap.add_argument("--out-dir", default=str(DEMO_DIR))
    args = ap.parse_args(argv)
    out = Path(args.out_dir)
    data_path, split_path, model_path = out / TEL_DATA.name, out / TEL_SPLIT.name, out / TEL_MODEL.name
    t0 = time.monotonic()
    ds = generate(data_path, args.geometries, args.seed)
    split = split_for(ds, args.seed)
    save_split(split, split_path, dataset=data_path.name, seed=args.seed)
    print(f"labels: {time.monotonic() - t0:.0f} s; split {', '.join(f'{k} {len(v)}' for k, v in split.items())}")
    model = build_model(ModelConfig(**TEL_MODEL_CONFIG))
    train_frames, val_frames = ds.read(split["train"]), ds.read(split["validation"])
    result = train(model, train_frames, val_frames,
                   TrainConfig(epochs=args.epochs, batch_frames=4, lr=5e-3, lr_final=1e-4, seed=args.seed,
                               early_stopping_patience_epochs=None))
    training = {"reference": "GPAW 26.7 LDA PW 250 eV 3x3x3 Fermi-Dirac", "te_values_K": list(TE_VALUES_K),
                "n_train_frames": len(train_frames), "validation": result["best"],
                "recipe": "python -m ptmlp.demo.regenerate_tel"}
    export_model(model, model_path, training=training,
                 electronic_temperature=te_metadata(ModelConfig(**TEL_MODEL_CONFIG), train_frames))
    write_json(str(model_path) + ".json", {"training": training, "history": result["history"]})
    print(f"wrote {model_path}: validation {result['best']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
