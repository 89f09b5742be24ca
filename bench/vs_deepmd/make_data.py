"""Training/test data: bcc and liquid Fe at two densities, labelled by Fe_mm.eam.fs.

Each condition (phase x lattice parameter) has five independent Langevin trajectories of
128 atoms (4x4x4 bcc cells) at five temperatures; frames are taken every ``every_steps``
after equilibration. Every trajectory is one group, and the split is grouped and stratified:
per condition the middle temperature goes to test, the next one to validation, the other
three to training -- so test frames never come from a trajectory seen in training.

Outputs (in ``<work>/data``): ``fe.h5`` (ptmlp dataset), ``split.json`` (ptmlp split file, the
one split both codes use), ``deepmd/{train,validation,test}`` (dpdata deepmd/npy systems).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

A0_ANGSTROM = 2.855  # bcc Fe at ambient density (Mendelev 2003 EAM: a = 2.855 A)
A_COMPRESSED_ANGSTROM = 2.65  # V/V0 = 0.80


@dataclass(frozen=True)
class Condition:
    name: str
    phase: str  # "bcc" or "liquid"
    a_A: float  # bcc lattice parameter fixing the density
    temperatures_K: tuple[float, ...]


CONDITIONS = (
    Condition("bcc_a2.855", "bcc", A0_ANGSTROM, (300, 600, 900, 1200, 1500)),
    Condition("liquid_a2.855", "liquid", A0_ANGSTROM, (2200, 2400, 2600, 2800, 3000)),
    Condition("bcc_a2.65", "bcc", A_COMPRESSED_ANGSTROM, (300, 700, 1100, 1500, 1900)),
    Condition("liquid_a2.65", "liquid", A_COMPRESSED_ANGSTROM, (4200, 4400, 4600, 4800, 5000)),
)
ROLE_BY_TEMPERATURE_INDEX = ("train", "train", "test", "validation", "train")

MD_INPUT = """
units metal
atom_style atomic
lattice bcc {a}
region box block 0 4 0 4 0 4
create_box 1 box
create_atoms 1 box
mass 1 55.845
pair_style eam/fs
pair_coeff * * {eam} Fe
velocity all create {t_start} {seed} mom yes rot yes dist gaussian
fix nve all nve
fix lang all langevin {t_start} {t_start} 0.1 {seed}
timestep 0.001
thermo 500
run {melt_steps}
unfix lang
fix lang all langevin {t} {t} 0.1 {seed2}
run {equil_steps}
dump d all custom {every} traj.dump id type x y z
dump_modify d sort id
run {sample_steps}
"""


def run_trajectory(cond: Condition, k: int, work: Path, n_frames: int, every_steps: int):
    """Langevin MD with eam/fs in the bench lmp; returns the sampled ase.Atoms (unlabelled)."""
    from ase.io import read
    from ptmlp.potential import potentials_dir
    from ptmlp.lammps_env import run_lammps

    t = cond.temperatures_K[k]
    liquid = cond.phase == "liquid"
    work.mkdir(parents=True, exist_ok=True)
    seed = 1000 + 17 * k + 101 * CONDITIONS.index(cond)
    (work / "in.md").write_text(MD_INPUT.format(
        a=cond.a_A, eam=potentials_dir() / "Fe_mm.eam.fs", seed=seed, seed2=seed + 1,
        t_start=2.0 * t if liquid else t, t=t, melt_steps=3000 if liquid else 0, equil_steps=2000,
        every=every_steps, sample_steps=(n_frames - 1) * every_steps))
    run_lammps("in.md", work, timeout_s=1800)
    frames = read(work / "traj.dump", format="lammps-dump-text", index=":")
    for atoms in frames:
        atoms.set_chemical_symbols(["Fe"] * len(atoms))
        atoms.pbc = True
    return frames


def make_data(work: Path, n_frames: int = 20, every_steps: int = 100) -> dict:
    import dpdata
    from ptmlp.data.splits import save_split
    from ptmlp.data.store import open_or_create
    from ptmlp.labelers.lammps_potential import LammpsPotentialLabeler, fe_eam

    out = work / "data"
    out.mkdir(parents=True, exist_ok=True)
    h5 = out / "fe.h5"
    if h5.exists():
        h5.unlink()  # rebuilt whole: the split refers to frame indices
    ds = open_or_create(h5)
    labeler = LammpsPotentialLabeler(fe_eam())
    split: dict[str, list[int]] = {"train": [], "validation": [], "test": []}
    conditions = []
    for cond in CONDITIONS:
        pressures = []
        for k, t in enumerate(cond.temperatures_K):
            group = f"{cond.name}_T{t:g}"
            frames = []
            for atoms in run_trajectory(cond, k, work / "md" / group, n_frames, every_steps):
                fr = labeler.label(atoms, group=group)
                fr.temperature_K = float(t)
                fr.provenance.update(condition=cond.name, phase=cond.phase, a_A=cond.a_A)
                frames.append(fr)
            start = len(ds)
            added = ds.append(frames, dedup=False)
            split[ROLE_BY_TEMPERATURE_INDEX[k]].extend(range(start, start + added))
            pressures += [fr.pressure_GPa for fr in frames]
            print(f"[data] {group}: {added} frames, P = {np.mean([f.pressure_GPa for f in frames]):.1f} GPa "
                  f"-> {ROLE_BY_TEMPERATURE_INDEX[k]}", flush=True)
        conditions.append({"name": cond.name, "phase": cond.phase, "a_A": cond.a_A,
                           "temperatures_K": list(cond.temperatures_K),
                           "pressure_GPa_mean": float(np.mean(pressures)),
                           "pressure_GPa_std": float(np.std(pressures))})
    save_split(split, out / "split.json", dataset=str(h5), stratified_by="condition",
               roles_by_temperature_index=list(ROLE_BY_TEMPERATURE_INDEX))
    for role, idx in split.items():
        write_deepmd(ds.read(idx), out / "deepmd" / role)
    return {"dataset": str(h5), "split": str(out / "split.json"), "deepmd_dir": str(out / "deepmd"),
            "n_frames": len(ds), "atoms_per_frame": 128, "frames_per_split": {k: len(v) for k, v in split.items()},
            "conditions": conditions, "dpdata_version": dpdata.__version__}


def write_deepmd(frames, folder: Path) -> None:
    """One deepmd/npy system (all frames have 128 Fe atoms) written with dpdata."""
    import dpdata

    n = len(frames[0].atoms)
    data = {
        "atom_names": ["Fe"], "atom_numbs": [n], "atom_types": np.zeros(n, dtype=int),
        "orig": np.zeros(3), "nopbc": False,
        "cells": np.array([f.atoms.cell.array for f in frames]),
        "coords": np.array([f.atoms.positions for f in frames]),
        "energies": np.array([f.energy_eV for f in frames]),
        "forces": np.array([f.forces_eV_per_A for f in frames]),
        "virials": np.array([f.virial_eV for f in frames]),
    }
    system = dpdata.LabeledSystem(data=data)
    system.to("deepmd/npy", str(folder), set_size=len(frames))
