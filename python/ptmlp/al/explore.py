"""Exploration over a P-T(-T_e) grid with LAMMPS (inputs/explore.in) and an ensemble.

Each (structure, ensemble, P, T, T_e, seed) is one task in its own folder with a ``task.json``
status record; finished tasks are never rerun. A run that crashes (e.g. lost atoms) or is
halted by the temperature blow-up guard is recorded as such, and the frames it dumped before
stopping are still used.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from ase import Atoms
from ase.io import read

from ..errors import InputError, LammpsRunError
from ..lammps_data import read_dump_frames, to_lammps_orientation, write_lammps_data
from ..lammps_env import run_lammps
from . import generators as gen
from .deviation import read_deviation_file

TEMPLATE = Path(__file__).resolve().parents[3] / "inputs" / "explore.in"


@dataclass
class RattleSpec:
    copies: int = 0  # extra rattled/strained copies of each structure
    rattle_A: float = 0.05
    strain: float = 0.02


@dataclass
class SubstitutionSpec:
    host: str = ""
    guest: str = ""
    step: float = 0.1  # fraction step of host sites
    max_fraction: float = 0.0  # 0: no substitution


@dataclass
class ExploreConfig:
    structures: list[str] = field(default_factory=list)  # any ASE-readable file (CIF, POSCAR, extxyz, lammps-data)
    supercell: list[int] = field(default_factory=lambda: [1, 1, 1])
    ensembles: list[str] = field(default_factory=lambda: ["nvt"])  # nvt | npt
    pressures_GPa: list[float] = field(default_factory=lambda: [0.0])
    temperatures_K: list[float] = field(default_factory=lambda: [1000.0])
    te_K: Optional[list[float]] = None  # electronic temperatures (T_e models)
    steps: int = 1000
    every: int = 20  # dump/deviation interval, steps
    dt_ps: float = 0.001
    seeds: int = 1  # independent runs per grid point
    processes: int = 1  # concurrent LAMMPS runs
    timeout_s: Optional[float] = None
    rattle: RattleSpec = field(default_factory=RattleSpec)
    vacancies: int = 0  # also explore copies with this many vacancies
    substitution: SubstitutionSpec = field(default_factory=SubstitutionSpec)

    def validate(self) -> None:
        if not self.structures:
            raise InputError("exploration needs at least one structure file (explore.structures)")
        bad = [e for e in self.ensembles if e not in ("nvt", "npt")]
        if bad:
            raise InputError(f"explore.ensembles {bad}: use nvt or npt")
        if any(not 0 < t < 1e5 for t in self.temperatures_K):
            raise InputError(f"explore.temperatures_K {self.temperatures_K} must be in (0, 1e5) K")
        if any(not -50 <= p <= 5000 for p in self.pressures_GPa):
            raise InputError(f"explore.pressures_GPa {self.pressures_GPa} must be in [-50, 5000] GPa")
        if self.steps < self.every or self.every < 1:
            raise InputError(f"explore.steps={self.steps} must be >= every={self.every} >= 1")


@dataclass
class ExploredFrame:
    task: str
    step: int
    atoms: Atoms
    max_devi_f: float
    pressure_GPa: float
    temperature_K: float
    te_K: float


def starting_structures(config: ExploreConfig) -> list[tuple[str, Atoms]]:
    out = []
    for path in config.structures:
        if not os.path.exists(path):
            raise InputError(f"explore structure {path}: no such file")
        try:
            atoms = read(path, format="lammps-data", style="atomic") if path.endswith((".data", ".lmp")) else read(path)
        except Exception as exc:
            raise InputError(f"explore structure {path}: ASE could not read it ({exc})") from None
        atoms = atoms.repeat(tuple(config.supercell))
        name = Path(path).stem
        out.append((name, atoms))
        copies = gen.rattle_and_strain(atoms, config.rattle.copies, config.rattle.rattle_A, config.rattle.strain,
                                       seed=len(out))
        for k, a in enumerate(copies):
            out.append((f"{name}_rattle{k}", a))
        if config.vacancies:
            out.append((f"{name}_vac{config.vacancies}", gen.vacancies(atoms, config.vacancies)))
        sub = config.substitution
        if sub.max_fraction > 0:
            for f, a in zip(gen.fraction_steps(sub.step, sub.max_fraction),
                            gen.substitutions(atoms, sub.host, sub.guest, gen.fraction_steps(sub.step, sub.max_fraction))):
                out.append((f"{name}_{sub.host}to{sub.guest}{f:g}", a))
    return out


def task_grid(config: ExploreConfig, structures) -> list[dict]:
    tes = config.te_K if config.te_K else [None]
    tasks = []
    for (name, atoms), ens, p, t, te, seed in itertools.product(structures, config.ensembles, config.pressures_GPa,
                                                                 config.temperatures_K, tes, range(config.seeds)):
        if ens == "nvt" and p != config.pressures_GPa[0]:
            continue  # NVT runs do not depend on the pressure grid
        tasks.append({"id": f"{len(tasks):04d}", "structure": name, "atoms": atoms, "ensemble": ens,
                      "pressure_GPa": p if ens == "npt" else float("nan"), "temperature_K": t,
                      "te_K": float("nan") if te is None else float(te), "seed": seed + 1})
    return tasks


def _run_task(task: dict, folder: Path, models: Sequence[str], type_names: Sequence[str], config: ExploreConfig,
              tel: bool) -> dict:
    status_path = folder / "task.json"
    if status_path.exists():
        return json.loads(status_path.read_text())
    if folder.exists():
        shutil.rmtree(folder)  # an interrupted earlier attempt: start the task afresh
    folder.mkdir(parents=True)
    atoms, _ = to_lammps_orientation(task["atoms"])
    write_lammps_data(folder / "start.data", atoms, type_names)
    variables = {"data": "start.data", "models": " ".join(os.path.abspath(m) for m in models),
                 "species": " ".join(type_names), "T": task["temperature_K"], "steps": config.steps,
                 "every": config.every, "dt": config.dt_ps, "seed": task["seed"], "ensemble": task["ensemble"],
                 "P": 0.0 if np.isnan(task["pressure_GPa"]) else task["pressure_GPa"]}
    if tel:
        variables.update(pair="ptmlp/tel", tel=f"tel {task['te_K']}")
    record = {k: v for k, v in task.items() if k != "atoms"}
    try:
        proc = run_lammps(TEMPLATE, folder, variables=variables, timeout_s=config.timeout_s)
        halted = "Fix halt condition" in proc.stdout
        record["status"] = "halted" if halted else "done"
        if halted:
            record["error"] = "temperature blow-up guard stopped the run"
    except LammpsRunError as exc:
        record["status"], record["error"] = "failed", str(exc)
    except Exception as exc:  # e.g. a timeout: recorded, never fatal for the other tasks
        record["status"], record["error"] = "failed", f"{type(exc).__name__}: {exc}"
    record["n_frames"] = len(read_dump_frames(folder / "traj.dump", type_names))
    tmp = status_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=1))
    os.replace(tmp, status_path)
    return record


def explore(workdir: str | os.PathLike, models: Sequence[str], type_names: Sequence[str], config: ExploreConfig,
            tel: bool = False, log=print, on_task_done=None) -> tuple[list[dict], list[ExploredFrame]]:
    """Run (or resume) every exploration task; return task records and all dumped frames with
    their max force deviation. ``on_task_done(record)`` is called as each task finishes."""
    config.validate()
    work = Path(workdir)
    tasks = task_grid(config, starting_structures(config))
    folders = [work / f"task_{t['id']}" for t in tasks]
    with ThreadPoolExecutor(max_workers=max(1, config.processes)) as pool:
        def one(tf):
            record = _run_task(tf[0], tf[1], models, type_names, config, tel)
            if on_task_done is not None:
                on_task_done(record)
            return record

        records = list(pool.map(one, zip(tasks, folders)))
    frames: list[ExploredFrame] = []
    for rec, folder in zip(records, folders):
        devi = read_deviation_file(folder / "model_devi.out") if (folder / "model_devi.out").exists() else None
        by_step = {int(r["step"]): float(r["max_devi_f"]) for r in devi} if devi is not None and len(devi) else {}
        for step, atoms in read_dump_frames(folder / "traj.dump", type_names):
            if step in by_step:
                frames.append(ExploredFrame(rec["id"], step, atoms, by_step[step], rec["pressure_GPa"],
                                            rec["temperature_K"], rec["te_K"]))
    n_bad = sum(r["status"] != "done" for r in records)
    log(f"exploration: {len(records)} runs ({n_bad} failed or halted), {len(frames)} frames")
    return records, frames
