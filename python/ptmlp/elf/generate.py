"""``ptmlp elf generate``: fluid-H snapshots from GPAW MD and random crystals, labelled with GPAW ELF.

Resumable: every labelled snapshot is appended atomically, and a group (one MD run, or the
crystal set) already complete in the output file is skipped on restart.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Optional

import numpy as np
from ase.io import read, write

from ..jsonfile import write_json
from ..labelers.gpaw_labeler import GpawLabeler
from .config import GenerateConfig
from .labeler import GpawElfLabeler
from .md import langevin_snapshots
from .store import ElfDataset, open_or_create
from .structures import random_crystal, random_molecular_hydrogen


def _counts(ds: ElfDataset) -> dict[str, int]:
    out: dict[str, int] = {}
    for g in ds.index()["group"]:
        out[g] = out.get(g, 0) + 1
    return out


def generate(cfg: GenerateConfig, log: Callable[[str], None] = print) -> dict:
    """Run the generation described by ``cfg``; return a summary (also written to workdir)."""
    work = Path(cfg.workdir)
    work.mkdir(parents=True, exist_ok=True)
    ds = open_or_create(cfg.output)
    summary: dict = {"output": cfg.output, "groups": {}}
    t_start = time.time()
    for set_index, fs in enumerate(cfg.fluid):
        expected = fs.production_steps // fs.sample_every
        for run in range(fs.runs):
            group = f"{fs.name}_run{run}"
            have = _counts(ds).get(group, 0)
            if have >= expected:
                log(f"{group}: {have} snapshots already in {cfg.output}, skipped")
                continue
            traj = work / f"{group}.extxyz"
            snaps = read(traj, index=":") if traj.exists() else []
            if len(snaps) == expected:
                log(f"{group}: MD snapshots read from {traj} (an earlier, interrupted run)")
            else:
                rng = np.random.default_rng([cfg.seed, set_index, run])
                start = random_molecular_hydrogen(fs.n_atoms, fs.volume_per_atom_A3, rng)
                md_calc = GpawLabeler(te_K=fs.temperature_K, xc=cfg.md_dft.xc, ecut_eV=cfg.md_dft.ecut_eV,
                                      kpts=tuple(cfg.md_dft.kpts),
                                      scf_energy_tol_eV=cfg.md_dft.scf_energy_tol_eV).make_calculator()
                log(f"{group}: MD of {fs.n_atoms} H at {fs.volume_per_atom_A3} A^3/atom, {fs.temperature_K} K")
                snaps = langevin_snapshots(start, md_calc, fs.temperature_K, fs.timestep_fs,
                                           fs.equilibration_steps, fs.production_steps, fs.sample_every, rng,
                                           fs.friction_per_fs, fs.equilibration_friction_per_fs, log)
                write(traj, snaps)
            te = cfg.dft.te_K if cfg.dft.te_K is not None else fs.temperature_K
            labeler = GpawElfLabeler(te, cfg.dft.xc, cfg.dft.ecut_eV, tuple(cfg.dft.kpts), cfg.dft.grid_spacing_A,
                                     cfg.dft.scf_energy_tol_eV)
            for snap in snaps[have:]:
                extra = {"source": f"{group}.extxyz", "md_step": int(snap.info["md_step"]),
                         "md_pressure_GPa": float(snap.info["pressure_GPa"]),
                         "md_settings": {"xc": cfg.md_dft.xc, "ecut_eV": cfg.md_dft.ecut_eV, "kpts": cfg.md_dft.kpts,
                                         "timestep_fs": fs.timestep_fs, "thermostat": "Langevin",
                                         "friction_per_fs": fs.friction_per_fs}}
                grid = labeler.label(snap, group, fs.temperature_K, extra)
                ds.append([grid])
                log(f"  labelled step {snap.info['md_step']}: grid {grid.shape}, P {grid.pressure_GPa:.1f} GPa, "
                    f"{grid.provenance['label_time_s']} s")
    if cfg.crystals is not None:
        cs = cfg.crystals
        have = _counts(ds).get(cs.name, 0)
        rng = np.random.default_rng([cfg.seed, 1000])
        labeler = GpawElfLabeler(cs.te_K, cfg.dft.xc, cfg.dft.ecut_eV, tuple(cs.kpts), cfg.dft.grid_spacing_A,
                                 cfg.dft.scf_energy_tol_eV)
        for k in range(cs.count):
            lattice = "cubic" if k % 2 == 0 else "hexagonal"
            n_atoms = int(rng.integers(cs.n_atoms_min, cs.n_atoms_max + 1))
            vpa = float(rng.uniform(cs.volume_per_atom_A3_min, cs.volume_per_atom_A3_max))
            atoms = random_crystal(rng, lattice, n_atoms, vpa, cs.min_distance_A)
            if k < have:
                continue
            grid = labeler.label(atoms, cs.name, extra={"lattice": lattice, "volume_per_atom_A3": vpa})
            ds.append([grid])
            log(f"{cs.name} {k}: {lattice}, {n_atoms} atoms, {vpa:.2f} A^3/atom, grid {grid.shape}, "
                f"P {grid.pressure_GPa:.1f} GPa, {grid.provenance['label_time_s']} s")
    idx = ds.index()
    for g in sorted(set(idx["group"])):
        sel = [i for i, name in enumerate(idx["group"]) if name == g]
        p = idx["pressure_GPa"][sel]
        summary["groups"][g] = {"snapshots": len(sel), "pressure_GPa_mean": float(np.mean(p)),
                                "pressure_GPa_std": float(np.std(p, ddof=1)) if len(sel) > 1 else 0.0}
    summary["wall_s"] = round(time.time() - t_start, 1)
    write_json(work / "generate_summary.json", summary)
    return summary
