"""Active learning vs uniform random sampling: labels needed for the same test force RMSE.

    python bench/al_vs_random.py [--workdir /tmp/al_bench] [--seed 0]

1. `ptmlp al run` (ASE EMT for fcc Al as the oracle: cheap and real) from a few rattled cells,
   exploring NVT at 300-900 K until converged; count the labels it used.
2. Pool: every frame the loop's explorations dumped (all iterations). Test set: frames of an
   independent EMT MD at the same temperatures.
3. Random sampling: train the same model (same config and budget) on N frames drawn uniformly
   from the pool, N = the AL label count x 1, 1.5, 2, 3, 4; report the test RMSE of each and the
   smallest N that reaches the AL model's test RMSE.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.io import write
from ase.md.langevin import Langevin
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution
from ase import units

from ptmlp.data.frame import Frame
from ptmlp.data.store import Dataset
from ptmlp.evaluation.metrics import error_metrics, predict
from ptmlp.lammps_data import read_dump_frames
from ptmlp.lammps_env import lammps_environment, venv_bin
from ptmlp.models import ModelConfig, build_model
from ptmlp.training.config import TrainConfig
from ptmlp.training.trainer import train
from ptmlp.export import export_model

MODEL = {"type_names": ["Al"], "r_cut": 4.5, "n_radial": 5, "n_channels": 5, "l_max": 2, "hidden_widths": [16]}
TRAIN = {"epochs": 40, "batch_frames": 4, "lr": 0.005, "lr_final": 0.0003, "early_stopping_patience_epochs": 15}
CONFIG = f"""
workdir: run
initial_structures: [al.extxyz]
initial_rattle_copies: 8
initial_rattle_A: 0.08
model: {json.dumps(MODEL)}
training: {json.dumps(TRAIN)}
ensemble: 3
explore: {{structures: [al.extxyz], temperatures_K: [300, 600, 900], steps: 300, every: 15}}
select: {{trust_lo: 0.12, trust_hi: 0.6, max_per_iteration: 20, max_per_point: 8}}
labeler: {{kind: ase, calculator: "ase.calculators.emt:EMT"}}
max_iterations: 6
target_accurate_fraction: 0.9
rmse_improvement_tol: 0.2
"""


def emt_frame(atoms):
    a = atoms.copy()
    a.calc = EMT()
    a.get_forces(), a.get_stress()
    return Frame.from_atoms(a)


def test_set(n_per_t: int, seed: int):
    rng = np.random.default_rng(seed)
    out = []
    for t in (300, 600, 900):
        a = bulk("Al", "fcc", a=4.05, cubic=True).repeat(2)
        a.calc = EMT()
        MaxwellBoltzmannDistribution(a, temperature_K=t, rng=rng)
        dyn = Langevin(a, 2 * units.fs, temperature_K=t, friction=0.02, rng=rng)
        dyn.run(200)
        for _ in range(n_per_t):
            dyn.run(25)
            out.append(emt_frame(a))
    return out


def force_rmse(model_path, frames):
    return error_metrics(predict(model_path, frames))["force_rmse_meV_per_A"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", default="/tmp/ptmlp_al_bench")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    write(work / "al.extxyz", bulk("Al", "fcc", a=4.05, cubic=True).repeat(2))
    (work / "al.yaml").write_text(CONFIG)
    env = lammps_environment()
    env["OMP_NUM_THREADS"] = "1"
    subprocess.run([venv_bin("ptmlp"), "al", "run", "al.yaml"], cwd=work, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    state = json.loads((work / "run" / "al_state.json").read_text())
    n_al = len(Dataset(work / "run" / "dataset.h5"))
    last = len(state["iterations"]) - 1
    test = test_set(20, args.seed + 1)
    al_model = work / "run" / f"iter_{last:03d}" / "train" / "member_0" / "model.pt"
    rmse_al = force_rmse(al_model, test)
    pool = []
    for dump in sorted(work.glob("run/iter_*/explore/task_*/traj.dump")):
        pool += [a for _, a in read_dump_frames(dump, ["Al"])]
    rng = np.random.default_rng(args.seed)
    rows = []
    for factor in (1.0, 1.5, 2.0, 3.0, 4.0):
        n = min(int(round(factor * n_al)), len(pool))
        pick = rng.choice(len(pool), size=n, replace=False)
        frames = [emt_frame(pool[i]) for i in pick]
        n_val = max(1, n // 10)
        torch.manual_seed(args.seed)
        model = build_model(ModelConfig(**MODEL))
        train(model, frames[n_val:], frames[:n_val], TrainConfig(**TRAIN), log=lambda s: None)
        path = work / f"random_{n}.pt"
        export_model(model, path)
        rows.append((n, force_rmse(path, test)))
    print(f"oracle: EMT (fcc Al, 32 atoms); test set: {len(test)} independent MD frames at 300/600/900 K")
    print(f"active learning: {n_al} labels ({state['stopped']}); test force RMSE {rmse_al:.1f} meV/A")
    print(f"random sampling from the same {len(pool)} explored frames:")
    for n, r in rows:
        print(f"  {n:4d} labels: test force RMSE {r:6.1f} meV/A{'  <= AL' if r <= rmse_al else ''}")
    reached = [n for n, r in rows if r <= rmse_al]
    print(f"labels to reach the AL test RMSE by random sampling: {reached[0] if reached else f'> {rows[-1][0]}'} "
          f"(AL: {n_al})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
