"""Exploration over a P-T(-T_e) grid with LAMMPS (inputs/explore.in) and an ensemble.

Each (structure, ensemble, P, T, T_e, seed) is one task in its own folder with a ``task.json``
status record; finished tasks are never rerun. A run that crashes (e.g. lost atoms) or is
halted by the temperature blow-up guard is recorded as such, and the frames it dumped before
stopping are still used.

Launchers: ``local`` (threads starting ``lmp``), ``mpi`` (one ``mpirun ... ptmlp fanout``) and
``slurm`` (the unfinished tasks as one job array of ``slurm/lammps_array.sbatch``; its job id is
kept in ``slurm_state.json`` of the exploration folder, so a rerun after a crash waits for the
array it submitted instead of submitting it again).
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from ase import Atoms

from ..atomic import atomic_write_text
from ..config import validate_config
from ..errors import InputError, LammpsRunError
from ..hpc import slurm_cli
from ..hpc.jobspec import LammpsArrayJob
from ..hpc.templates import render_job
from ..hpc.workflow_state import WorkflowState
from ..jsonfile import read_json, to_strict, write_json
from ..lammps_data import read_dump_frames, to_lammps_orientation, write_lammps_data
from ..lammps_env import error_line, lammps_environment, run_lammps
from ..potential import PotentialSpec
from ..structures import StructureSpec
from . import generators as gen
from .deviation import read_deviation_file
from .explore_config import ExploreConfig, ExploreSlurm

__all__ = ["ExploreConfig", "ExploredFrame", "explore", "starting_structures", "task_grid", "SLURM_STATE"]


def explore_template() -> Path:
    """The shipped ``inputs/explore.in``."""
    from ..resources import input_template

    return input_template("explore.in")


SLURM_STATE = "slurm_state.json"  # ptmlp.hpc.workflow_state file of the job arrays, in the exploration folder
SLURM_TASKS = "slurm_tasks.json"  # array name -> task ids of its elements, in element order


def slurm_job(config: ExploreConfig, work: Path, name: str, tasks: list[dict]) -> LammpsArrayJob:
    """The job array running ``tasks`` (LAMMPS variables of each run) of inputs/explore.in in ``work``."""
    return config.slurm_job(work, name, tasks, explore_template())


@dataclass
class ExploredFrame:
    task: str
    step: int
    atoms: Atoms
    max_devi_f: float
    pressure_GPa: float
    temperature_K: float
    te_K: float


def starting_structures(config: ExploreConfig, type_names: Optional[Sequence[str]] = None) -> list[tuple[str, Atoms]]:
    """The exploration's starting structures (LAMMPS data files: types named by ``type_names``)
    with their rattled, vacancy and substituted copies."""
    out = []
    for path in config.structures:
        lammps_data = {"format": "lammps-data"} if path.endswith((".data", ".lmp")) else {}
        if lammps_data and not type_names:
            raise InputError(f"explore.structures: {path} is a LAMMPS data file; name its types with "
                             "model.type_names (the species of types 1..n)")
        spec = validate_config(StructureSpec, {"file": path, "repeat": list(config.supercell), **lammps_data},
                               source="explore.structures")
        atoms = spec.load(type_names, periodic=False)
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
    potential = validate_config(PotentialSpec, {"model": str(models[0]), **({"te_K": task["te_K"]} if tel else {})},
                                source=f"exploration task {task['id']}: potential")
    lines = potential.lammps_lines(type_names, masses=False, ensemble=models[1:],
                                   deviation=(config.every, "model_devi.out"))  # masses: in start.data
    atomic_write_text(folder / "pair.mod", "\n".join(lines) + "\n")
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
    write_json(folder / "task.json", record)
    return to_strict(record)  # as a rerun reads it back: NaN (no pressure, no T_e) is null


def _run_task(task: dict, folder: Path, models: Sequence[str], type_names: Sequence[str], config: ExploreConfig,
              tel: bool) -> dict:
    if (folder / "task.json").exists():
        return read_json(folder / "task.json")
    variables = _prepare(task, folder, models, type_names, config, tel)
    try:
        proc = run_lammps(explore_template(), folder, variables=variables, timeout_s=config.timeout_s)
        return _finish(task, folder, type_names, "done", None, proc.stdout)
    except LammpsRunError as exc:
        return _finish(task, folder, type_names, "failed", str(exc))
    except Exception as exc:  # e.g. a timeout: recorded, never fatal for the other tasks
        return _finish(task, folder, type_names, "failed", f"{type(exc).__name__}: {exc}")


def _run_mpi(tasks, folders, models, type_names, config: ExploreConfig, tel: bool, work: Path) -> list[dict]:
    """All unfinished tasks in one `mpirun -np N ptmlp fanout` (subprocess mode: failures contained)."""
    import subprocess

    import yaml

    from ..lammps_env import venv_bin

    jobs = []
    for task, folder in zip(tasks, folders):
        if (folder / "task.json").exists():
            continue
        variables = _prepare(task, folder, models, type_names, config, tel)
        jobs.append({"name": f"task_{task['id']}", "workdir": str(folder), "input": str(explore_template()),
                     "variables": {k: str(v) for k, v in variables.items()}, "timeout_s": config.timeout_s})
    if jobs:
        plan = work / "fanout.yaml"
        plan.write_text(yaml.safe_dump({"ranks_per_job": 1, "mode": "subprocess", "resume": True, "jobs": jobs}))
        subprocess.run([venv_bin("mpirun"), "-np", str(max(1, config.processes)), venv_bin("ptmlp"), "fanout",
                        str(plan)], cwd=work, env=lammps_environment(), capture_output=True, text=True)

    def outcome(task: dict, folder: Path) -> tuple[str, Optional[str]]:
        try:
            res = read_json(folder / "fanout_result.json")
        except InputError:
            return "failed", "no fan-out result (the allocation stopped before this run)"
        return ("done", None) if res["status"] == "ok" else ("failed", res.get("error"))

    return _collect(tasks, folders, type_names, outcome)


def _number(value: Optional[float]) -> float:
    """A task record's value; null (NVT: no pressure; no T_e) is NaN in the frames."""
    return float("nan") if value is None else float(value)


def _read_screen(folder: Path) -> str:
    path = folder / "screen.txt"
    return path.read_text(errors="replace") if path.exists() else ""


def _collect(tasks, folders, type_names, outcome) -> list[dict]:
    """Every task's record: from its task.json when it has one, else finished now from
    ``outcome(task, folder)`` -> (status, error) of a run started by a launcher."""
    records = []
    for task, folder in zip(tasks, folders):
        if (folder / "task.json").exists():
            records.append(read_json(folder / "task.json"))
            continue
        status, error = outcome(task, folder)
        records.append(_finish(task, folder, type_names, status, error, _read_screen(folder)))
    return records


def _slurm_error(element: dict, folder: Path) -> str:
    """Why an array element failed: SLURM's state and exit code, and LAMMPS's ERROR line if any."""
    why = f"SLURM {element['state']}" + ("" if element["exit_code"] is None else f" (exit {element['exit_code']})")
    log = folder / "log.lammps"
    line = error_line(_read_screen(folder) + (log.read_text(errors="replace") if log.exists() else ""))
    reason = element["reason"] if element["reason"] not in ("", "None") else ""
    return f"{why}: {line}" if line else f"{why}: {reason}" if reason else why


def _run_slurm(tasks, folders, models, type_names, config: ExploreConfig, tel: bool, work: Path,
               log) -> list[dict]:
    """Unfinished tasks as one SLURM job array; waits for it (or for the array an interrupted
    earlier call submitted: never submitted twice) and records every element's outcome."""
    opts = config.slurm_settings()
    state = WorkflowState(work / SLURM_STATE, env=lammps_environment())  # sbatch passes the env to the job
    tasks_path = work / SLURM_TASKS
    arrays: dict[str, list[str]] = read_json(tasks_path) if tasks_path.exists() else {}
    folder_of = {t["id"]: f for t, f in zip(tasks, folders)}
    waiting = [name for name, ids in arrays.items() if name in state.jobs and
               any(i in folder_of and not (folder_of[i] / "task.json").exists() for i in ids)]
    submitted = {i for name in waiting for i in arrays[name]}
    todo = [(t, f) for t, f in zip(tasks, folders) if not (f / "task.json").exists() and t["id"] not in submitted]
    if waiting:
        log(f"exploration: waiting for SLURM job array(s) {', '.join(waiting)} submitted before ({state.path})")
    if todo:
        name = opts.name if opts.name not in state.jobs else f"{opts.name}-{len(state.jobs)}"
        variables = [_prepare(t, f, models, type_names, config, tel) for t, f in todo]
        job = slurm_job(config, work, name, variables)
        arrays[name] = [t["id"] for t, _ in todo]
        write_json(tasks_path, arrays)  # before sbatch: the state then names only known arrays
        job_id = state.submit(render_job(job, task_dirs=[f for _, f in todo]))
        log(f"exploration: {len(todo)} runs submitted as SLURM job array {job_id} ({name}), state in {state.path}")
        waiting.append(name)
    late = _wait_slurm(state, waiting, opts, log) if waiting else set()
    element = {i: (name, str(k)) for name in waiting for k, i in enumerate(arrays[name])}

    def outcome(task: dict, folder: Path) -> tuple[str, Optional[str]]:
        if task["id"] not in element:
            return "failed", "in no submitted SLURM job array"
        name, key = element[task["id"]]
        el = state.job(name)["elements"][key]
        if (name, key) in late:
            return "failed", f"not finished after wait_timeout_s={opts.wait_timeout_s:g}: {_slurm_error(el, folder)}"
        return ("done", None) if slurm_cli.is_ok(el["state"]) else ("failed", _slurm_error(el, folder))

    return _collect(tasks, folders, type_names, outcome)


def _wait_slurm(state: WorkflowState, names: list[str], opts: ExploreSlurm, log) -> set[tuple[str, str]]:
    """Wait for the arrays ``names`` with a progress line. Past ``wait_timeout_s`` the unfinished
    elements are cancelled; returns those (job name, element key), empty when all ended in time."""
    shown = {"line": ""}

    def progress(st: WorkflowState) -> None:
        line = "; ".join(st.progress(n) for n in names)
        if line != shown["line"]:
            shown["line"] = line
            log(f"exploration: {line}")

    t0 = time.monotonic()
    try:
        state.wait(names, poll_s=opts.poll_s, timeout_s=opts.wait_timeout_s, stop_on_stuck=False,
                   on_poll=progress)
        return set()
    except slurm_cli.SlurmError:
        if opts.wait_timeout_s is None or time.monotonic() - t0 < opts.wait_timeout_s:
            raise  # SLURM itself failed (no controller, ...): the arrays are kept, a rerun waits for them
    late = {(n, k) for n in names for k, el in state.job(n)["elements"].items() if slurm_cli.is_active(el["state"])}
    log(f"exploration: {len(late)} runs not finished after wait_timeout_s={opts.wait_timeout_s:g} s: cancelled")
    state.cancel(names)
    try:
        state.wait(names, poll_s=min(opts.poll_s, 2.0), timeout_s=120, stop_on_stuck=False)
    except slurm_cli.SlurmError:
        pass  # recorded as failed all the same; the frames they dumped so far are kept
    return late


def explore(workdir: str | os.PathLike, models: Sequence[str], type_names: Sequence[str], config: ExploreConfig,
            tel: bool = False, log=print, on_task_done=None) -> tuple[list[dict], list[ExploredFrame]]:
    """Run (or resume) every exploration task; return task records and all dumped frames with
    their max force deviation. ``on_task_done(record)`` is called as each task finishes."""
    work = Path(workdir)
    tasks = task_grid(config, starting_structures(config, type_names))
    folders = [work / f"task_{t['id']}" for t in tasks]
    work.mkdir(parents=True, exist_ok=True)
    if config.launcher in ("mpi", "slurm"):
        records = _run_mpi(tasks, folders, models, type_names, config, tel, work) if config.launcher == "mpi" \
            else _run_slurm(tasks, folders, models, type_names, config, tel, work, log)
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
                frames.append(ExploredFrame(rec["id"], step, atoms, by_step[step], _number(rec["pressure_GPa"]),
                                            rec["temperature_K"], _number(rec["te_K"])))
    n_bad = sum(r["status"] != "done" for r in records)
    log(f"exploration: {len(records)} runs ({n_bad} failed or halted), {len(frames)} frames")
    return records, frames
