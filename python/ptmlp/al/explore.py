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
    processes: int = 1  # concurrent LAMMPS runs (threads), or MPI ranks with launcher "mpi"
    #: "local": runs started from this process; "mpi": one `mpirun -np processes ptmlp fanout`
    #: allocation runs them all (ptmlp.hpc.fanout; crashed runs contained, resumable)
    launcher: str = "local"
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
        if self.launcher not in ("local", "mpi"):
            raise InputError(f"explore.launcher={self.launcher!r} must be local or mpi")
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


def _prepare(task: dict, folder: Path, models: Sequence[str], type_names: Sequence[str], config: ExploreConfig,
             tel: bool) -> dict:
    """Fresh task folder with start.data; returns the LAMMPS variables of the run."""
    if folder.exists():
        shutil.rmtree(folder)  # an interrupted earlier attempt: start the task afresh
    folder.mkdir(parents=True)
    atoms, _ = to_lammps_orientation(task["atoms"])
    write_lammps_data(folder / "start.data", atoms, type_names)
    style = f"ptmlp/tel {' '.join(os.path.abspath(m) for m in models)} tel {task['te_K']}" if tel else \
        f"ptmlp {' '.join(os.path.abspath(m) for m in models)}"
    (folder / "pair.mod").write_text(f"pair_style {style} deviation {config.every} model_devi.out\n"
                                     f"pair_coeff * * {' '.join(type_names)}\n")
    return {"data": "start.data", "pair_file": "pair.mod", "T": task["temperature_K"], "steps": config.steps,
            "every": config.every, "dt": config.dt_ps, "seed": task["seed"], "ensemble": task["ensemble"],
            "P": 0.0 if np.isnan(task["pressure_GPa"]) else task["pressure_GPa"]}


def _finish(task: dict, folder: Path, type_names: Sequence[str], status: str, error: Optional[str],
            screen: str = "") -> dict:
    record = {k: v for k, v in task.items() if k != "atoms"}
    if status == "done" and "Fix halt condition" in screen:
        status, error = "halted", "temperature blow-up guard stopped the run"
    record["status"] = status
    if error:
        record["error"] = error
    record["n_frames"] = len(read_dump_frames(folder / "traj.dump", type_names))
    path = folder / "task.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=1))
    os.replace(tmp, path)
    return record


def _run_task(task: dict, folder: Path, models: Sequence[str], type_names: Sequence[str], config: ExploreConfig,
              tel: bool) -> dict:
    if (folder / "task.json").exists():
        return json.loads((folder / "task.json").read_text())
    variables = _prepare(task, folder, models, type_names, config, tel)
    try:
        proc = run_lammps(TEMPLATE, folder, variables=variables, timeout_s=config.timeout_s)
        return _finish(task, folder, type_names, "done", None, proc.stdout)
    except LammpsRunError as exc:
        return _finish(task, folder, type_names, "failed", str(exc))
    except Exception as exc:  # e.g. a timeout: recorded, never fatal for the other tasks
        return _finish(task, folder, type_names, "failed", f"{type(exc).__name__}: {exc}")


def _run_mpi(tasks, folders, models, type_names, config: ExploreConfig, tel: bool, work: Path) -> list[dict]:
    """All unfinished tasks in one `mpirun -np N ptmlp fanout` (subprocess mode: failures contained)."""
    import subprocess

    import yaml

    from ..lammps_env import lammps_environment, venv_bin

    jobs = []
    for task, folder in zip(tasks, folders):
        if (folder / "task.json").exists():
            continue
        variables = _prepare(task, folder, models, type_names, config, tel)
        jobs.append({"name": f"task_{task['id']}", "workdir": str(folder), "input": str(TEMPLATE),
                     "variables": {k: str(v) for k, v in variables.items()}, "timeout_s": config.timeout_s})
    if jobs:
        plan = work / "fanout.yaml"
        plan.write_text(yaml.safe_dump({"ranks_per_job": 1, "mode": "subprocess", "resume": True, "jobs": jobs}))
        subprocess.run([venv_bin("mpirun"), "-np", str(max(1, config.processes)), venv_bin("ptmlp"), "fanout",
                        str(plan)], cwd=work, env=lammps_environment(), capture_output=True, text=True)
    records = []
    for task, folder in zip(tasks, folders):
        if (folder / "task.json").exists():
            records.append(json.loads((folder / "task.json").read_text()))
            continue
        try:
            res = json.loads((folder / "fanout_result.json").read_text())
            status, error = ("done", None) if res["status"] == "ok" else ("failed", res.get("error"))
        except (OSError, ValueError):
            status, error = "failed", "no fan-out result (the allocation stopped before this run)"
        screen = (folder / "screen.txt").read_text(errors="replace") if (folder / "screen.txt").exists() else ""
        records.append(_finish(task, folder, type_names, status, error, screen))
    return records


def explore(workdir: str | os.PathLike, models: Sequence[str], type_names: Sequence[str], config: ExploreConfig,
            tel: bool = False, log=print, on_task_done=None) -> tuple[list[dict], list[ExploredFrame]]:
    """Run (or resume) every exploration task; return task records and all dumped frames with
    their max force deviation. ``on_task_done(record)`` is called as each task finishes."""
    config.validate()
    work = Path(workdir)
    tasks = task_grid(config, starting_structures(config))
    folders = [work / f"task_{t['id']}" for t in tasks]
    work.mkdir(parents=True, exist_ok=True)
    if config.launcher == "mpi":
        records = _run_mpi(tasks, folders, models, type_names, config, tel, work)
        for record in records:
            if on_task_done is not None:
                on_task_done(record)
    else:
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
