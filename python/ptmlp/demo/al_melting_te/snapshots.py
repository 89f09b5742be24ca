"""Starting cells: rattled fcc crystals and liquids melted by a classical potential at a given density.

The liquids come from NVT runs of ``inputs/explore.in`` (any pair style through its include
file) at the DFT volume of the target pressure, so their density is the DFT one whatever the
classical potential's own pressure there.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ase import Atoms
from ase.build import bulk

from ...errors import InputError
from ...jsonfile import read_json, write_json
from ...lammps_data import read_dump_frames, to_lammps_orientation, write_lammps_data
from ...lammps_env import run_lammps
from ...potential import PotentialSpec
from ...resources import input_template


def fcc_cell(a_A: float, repeat: int) -> Atoms:
    return bulk("Al", "fcc", a=float(a_A), cubic=True).repeat((repeat, repeat, repeat))


def rattled(atoms: Atoms, rattle_A: float, seed: int) -> Atoms:
    out = atoms.copy()
    out.positions += np.random.default_rng(seed).normal(scale=rattle_A, size=out.positions.shape)
    out.wrap()
    return out


def random_cell(n_atoms: int, volume_A3_per_atom: float, seed: int = 0) -> Atoms:
    """``n_atoms`` placed at random in a cube of the given density, no two closer than 0.8 x the fcc
    nearest-neighbour distance of that density: a start that an NVT melt turns into a liquid without
    the heat burst of a crystal or grid start."""
    side = (n_atoms * volume_A3_per_atom) ** (1.0 / 3.0)
    d_min = 0.8 * (4.0 * volume_A3_per_atom) ** (1.0 / 3.0) / np.sqrt(2.0)
    rng = np.random.default_rng(seed)
    for _ in range(100):
        pos: list[np.ndarray] = []
        for _ in range(200 * n_atoms):
            x = rng.random(3) * side
            if all(np.linalg.norm((x - y) - side * np.round((x - y) / side)) >= d_min for y in pos):
                pos.append(x)
                if len(pos) == n_atoms:
                    return Atoms(["Al"] * n_atoms, positions=pos, cell=[side] * 3, pbc=True)
        d_min *= 0.95
    raise InputError(f"could not place {n_atoms} atoms at {volume_A3_per_atom:.2f} A^3/atom")


def nvt_frames(start: Atoms, potential: PotentialSpec, temperature_K: float, steps: int, every: int,
               folder: Path, seed: int = 1, dt_ps: float = 0.001) -> list[Atoms]:
    """Every frame dumped (each ``every`` steps) by an NVT run at ``temperature_K`` from ``start``;
    the run is reused when ``folder/done.json`` says it finished with the same settings."""
    folder.mkdir(parents=True, exist_ok=True)
    done = folder / "done.json"
    if not (done.exists() and read_json(done).get("steps") == steps and read_json(done).get("every") == every):
        atoms, _ = to_lammps_orientation(start)
        write_lammps_data(folder / "start.data", atoms, ["Al"])
        potential.write_include(folder / "pair.mod", ["Al"])
        run_lammps(input_template("explore.in"), folder,
                   variables={"data": "start.data", "pair_file": "pair.mod", "T": temperature_K, "steps": steps,
                              "every": every, "dt": dt_ps, "seed": seed, "ensemble": "nvt"})
        write_json(done, {"steps": steps, "every": every, "temperature_K": temperature_K,
                          "potential": potential.describe()})
    frames = [a for _, a in read_dump_frames(folder / "traj.dump", ["Al"])]
    if len(frames) < 2:
        raise InputError(f"NVT run in {folder} left {len(frames)} frames (see log.lammps there)")
    return frames


def spaced_last(frames: list[Atoms], n: int, spacing: int) -> list[Atoms]:
    """``n`` frames from the end of ``frames``, ``spacing`` frames apart (the last one included)."""
    picked = frames[::-1][::max(1, spacing)][:n]
    if len(picked) < n:
        raise InputError(f"need {n} frames {spacing} apart, the run has {len(frames)}; lengthen it")
    return picked[::-1]
