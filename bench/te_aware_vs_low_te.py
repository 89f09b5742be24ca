"""T_e-aware model vs a model trained on the lowest T_e only, on high-T_e held-out DFT frames.

    python bench/te_aware_vs_low_te.py [--data python/ptmlp/demo/al_tel_data.h5] [--epochs 150]

Data: the T_e demo set (compressed Al, GPAW LDA Fermi-Dirac at 1000, 4000, 8000 K on the same
geometries; `python -m ptmlp.demo.regenerate_tel`), split by geometry. Both models have the same
architecture and training budget; the T_e-aware one sees all T_e, the other only 1000 K frames.
Both are evaluated on the held-out geometries at 8000 K (the T_e-aware one told T_e = 8000 K).
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch

from ptmlp.data.store import Dataset
from ptmlp.demo.regenerate_tel import TEL_DATA, TEL_MODEL_CONFIG, TEL_SPLIT
from ptmlp.graph import atoms_to_graph, batch, evaluate
from ptmlp.models import ModelConfig, build_model
from ptmlp.training.config import TrainConfig
from ptmlp.training.trainer import train


def errors(model, frames, te):
    g = batch([atoms_to_graph(f.atoms, ["Al"], 4.5, te) for f in frames])
    out = evaluate(model, g, virial=False)
    n = np.array([len(f.atoms) for f in frames])
    de = (out["energy"].detach().numpy() - np.array([f.energy_eV for f in frames])) / n
    df = out["forces"].detach().numpy() - np.concatenate([f.forces_eV_per_A for f in frames])
    return 1e3 * np.sqrt(np.mean(de ** 2)), 1e3 * np.sqrt(np.mean(df ** 2))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(TEL_DATA))
    ap.add_argument("--split", default=str(TEL_SPLIT))
    ap.add_argument("--epochs", type=int, default=150)
    args = ap.parse_args(argv)
    ds = Dataset(args.data)
    split = json.loads(open(args.split).read())
    train_all, val_all = ds.read(split["train"]), ds.read(split["validation"])
    test_hot = [f for f in ds.read(split["test"]) if f.te_K == 8000.0]
    cfg = TrainConfig(epochs=args.epochs, batch_frames=4, lr=5e-3, lr_final=1e-4, early_stopping_patience_epochs=None)
    torch.manual_seed(0)
    aware = build_model(ModelConfig(**TEL_MODEL_CONFIG))
    train(aware, train_all, val_all, cfg, log=lambda s: None)
    cold_conf = dict(TEL_MODEL_CONFIG, electronic_temperature=False)
    torch.manual_seed(0)
    cold = build_model(ModelConfig(**cold_conf))
    train(cold, [f for f in train_all if f.te_K == 1000.0], [f for f in val_all if f.te_K == 1000.0], cfg,
          log=lambda s: None)
    e_a, f_a = errors(aware, test_hot, 8000.0)
    e_c, f_c = errors(cold, test_hot, None)
    print(f"held-out geometries at T_e = 8000 K: {len(test_hot)} frames of 4 Al atoms")
    print(f"{'model':32s} {'E RMSE meV/atom':>16s} {'F RMSE meV/A':>13s}")
    print(f"{'T_e-aware (1000/4000/8000 K)':32s} {e_a:16.1f} {f_a:13.1f}")
    print(f"{'lowest T_e only (1000 K)':32s} {e_c:16.1f} {f_c:13.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
