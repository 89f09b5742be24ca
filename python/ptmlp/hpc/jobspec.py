"""Job specs for ``ptmlp slurm``: a validated YAML file holds one job or a workflow of jobs.

One job::

    template: lammps_mpi        # a template of slurm/ (lammps_mpi, lammps_multinode, lammps_gpu,
    name: melt-3000K            #  lammps_array, command)
    ntasks: 4
    time_limit: "02:00:00"
    input: melt.in
    variables: {T: 3000}

A workflow (jobs run in dependency order; ``after`` names jobs of the same file)::

    defaults: {partition: compute, time_limit: "01:00:00"}
    jobs:
      train:   {template: command, command: "ptmlp train train.yaml"}
      explore: {template: lammps_array, after: [train], input: explore.in, tasks: [{T: 2000}, {T: 4000}]}

Unknown keys and impossible requests (more tasks than nodes can hold, GPUs on a CPU
template, a time limit over the cluster's) are refused with one line naming the key.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ..errors import InputError
from .schema import REQUIRED, Key, load_yaml, non_negative, positive, validate

TEMPLATES = ("lammps_mpi", "lammps_multinode", "lammps_gpu", "lammps_array", "command")
LAMMPS_TEMPLATES = ("lammps_mpi", "lammps_multinode", "lammps_gpu", "lammps_array")
DEPENDENCY_KINDS = ("afterok", "afterany", "afternotok", "aftercorr")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TOKEN = re.compile(r"^[^\s'\"\\`$;&|<>]+$")
_TIME = re.compile(r"^(?:(\d+)-)?(\d{1,2}):(\d{2}):(\d{2})$")


def parse_time_limit(text: str) -> int:
    """``HH:MM:SS`` or ``D-HH:MM:SS`` -> seconds (other SLURM forms are ambiguous, so refused)."""
    m = _TIME.match(str(text).strip())
    if not m:
        raise ValueError(f"{text!r} is not HH:MM:SS or D-HH:MM:SS")
    days, h, mi, s = (int(g) if g else 0 for g in m.groups())
    if mi >= 60 or s >= 60:
        raise ValueError(f"{text!r}: minutes and seconds must be below 60")
    return ((days * 24 + h) * 60 + mi) * 60 + s


def format_time_limit(seconds: int) -> str:
    """Seconds -> ``D-HH:MM:SS`` (days only when needed)."""
    days, rest = divmod(int(seconds), 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    return (f"{days}-" if days else "") + f"{h:02d}:{m:02d}:{s:02d}"


def _time_check(value: str) -> Optional[str]:
    try:
        seconds = parse_time_limit(value)
    except ValueError as exc:
        return str(exc)
    return None if seconds >= 60 else "SLURM counts whole minutes: ask for at least 00:01:00"


def _name_check(value: str) -> Optional[str]:
    return None if _NAME.match(value) else "use letters, digits, '_', '.', '-' (at most 64, no spaces)"


def _variables_check(value: dict) -> Optional[str]:
    for k, v in value.items():
        if not isinstance(k, str) or not _VAR.match(k):
            return f"variable name {k!r} is not a LAMMPS variable name"
        if isinstance(v, bool) or not isinstance(v, (int, float, str)) or not _TOKEN.match(str(v)):
            return f"value of {k!r} must be a number or a word without spaces, quotes or shell characters"
    return None


def _tasks_check(value: list) -> Optional[str]:
    if not value:
        return "give at least one task"
    for i, task in enumerate(value):
        if not isinstance(task, dict):
            return f"task {i} must be a mapping of LAMMPS variables"
        problem = _variables_check(task)
        if problem:
            return f"task {i}: {problem}"
    return None


def _strings_check(value: list) -> Optional[str]:
    return None if all(isinstance(v, str) and v.strip() for v in value) else "must be a list of non-empty strings"


def _sbatch_options_check(value: list) -> Optional[str]:
    problem = _strings_check(value)
    if problem:
        return problem
    bad = [v for v in value if not v.startswith("--") or "\n" in v]
    return f"{bad[0]!r} is not a long sbatch option (--name=value)" if bad else None


def _one_of(*choices):
    return lambda v: None if v in choices else f"must be one of {', '.join(choices)}"


CLUSTER_SCHEMA = {
    "cpus_per_node": Key((int, type(None)), None, "CPU cores per node", positive),
    "gpus_per_node": Key((int, type(None)), None, "GPUs per node", non_negative),
    "max_nodes": Key((int, type(None)), None, "most nodes a job may ask for", positive),
    "max_time_limit": Key((str, type(None)), None, "longest time limit of the partition", _time_check),
}

COMMON_SCHEMA = {
    "template": Key((str,), REQUIRED, f"sbatch template: {', '.join(TEMPLATES)}", _one_of(*TEMPLATES)),
    "name": Key((str,), REQUIRED, "job name (letters, digits, _ . -)", _name_check),
    "partition": Key((str, type(None)), None, "SLURM partition"),
    "account": Key((str, type(None)), None, "account charged"),
    "qos": Key((str, type(None)), None, "quality of service"),
    "constraint": Key((str, type(None)), None, "node features (--constraint)"),
    "reservation": Key((str, type(None)), None, "reservation name"),
    "nodes": Key((int,), 1, "nodes", positive),
    "ntasks": Key((int,), 1, "MPI ranks in all", positive),
    "ntasks_per_node": Key((int, type(None)), None, "MPI ranks per node", positive),
    "cpus_per_task": Key((int,), 1, "cores per rank (OMP_NUM_THREADS)", positive),
    "gpus_per_node": Key((int,), 0, "GPUs per node (templates lammps_gpu, command)", non_negative),
    "mem_per_cpu_MB": Key((int, type(None)), None, "memory per core, MB", positive),
    "mem_per_node_MB": Key((int, type(None)), None, "memory per node, MB", positive),
    "time_limit": Key((str,), "01:00:00", "wall-time limit HH:MM:SS or D-HH:MM:SS", _time_check),
    "exclusive": Key((bool,), False, "whole nodes only"),
    "modules": Key((list,), [], "environment modules to load, in order", _strings_check),
    "venv": Key((str, type(None)), None, "Python venv to activate (default: the one running ptmlp)"),
    "setup": Key((list,), [], "extra shell lines run before the job's work", _strings_check),
    "workdir": Key((str,), ".", "folder the job runs in (relative to the YAML file)"),
    "output": Key((str, type(None)), None, "job log file (default NAME-%j.out, NAME-%A_%a.out for arrays)"),
    "sbatch_options": Key((list,), [], "more sbatch options, e.g. --mail-type=END", _sbatch_options_check),
    "after": Key((list,), [], "workflow jobs that must finish first", _strings_check),
    "dependency": Key((str,), "afterok", f"dependency kind: {', '.join(DEPENDENCY_KINDS)}",
                      _one_of(*DEPENDENCY_KINDS)),
    "cluster": Key((dict, type(None)), None, "limits of the cluster, to refuse impossible requests early"),
}

LAMMPS_SCHEMA = {
    "input": Key((str,), REQUIRED, "LAMMPS input file (relative to workdir)"),
    "variables": Key((dict,), {}, "LAMMPS variables passed with -var NAME VALUE", _variables_check),
    "lmp": Key((str,), "lmp", "LAMMPS executable"),
    "lmp_args": Key((list,), [], "more lmp command-line arguments, e.g. [-sf, omp]", _strings_check),
    "launcher": Key((str,), "srun", "MPI launcher: srun or mpirun", _one_of("srun", "mpirun")),
    "resume_from": Key((str, type(None)), None, "glob of restart files to resume from, e.g. 'restart.*'"),
    "stop_before_limit_s": Key((int, type(None)), None,
                               "let LAMMPS stop cleanly this many seconds before the time limit "
                               "(passed as -var timeout)", positive),
}

ARRAY_SCHEMA = {
    "tasks": Key((list,), REQUIRED, "one mapping of LAMMPS variables per array element", _tasks_check),
    "array_max_concurrent": Key((int, type(None)), None, "elements running at once (%N)", positive),
}

COMMAND_SCHEMA = {
    "command": Key((str,), REQUIRED, "shell command(s) to run; arrays see $SLURM_ARRAY_TASK_ID"),
    "array_size": Key((int, type(None)), None, "run as a job array of this many elements", positive),
    "array_max_concurrent": Key((int, type(None)), None, "elements running at once (%N)", positive),
}


def schema_for(template: str) -> dict[str, Key]:
    """All keys a job of ``template`` accepts."""
    schema = dict(COMMON_SCHEMA)
    if template in LAMMPS_TEMPLATES:
        schema.update(LAMMPS_SCHEMA)
    if template == "lammps_array":
        schema.update(ARRAY_SCHEMA)
    if template == "command":
        schema.update(COMMAND_SCHEMA)
    return schema


@dataclass
class JobSpec:
    """A validated job: its values (every schema key present) and the folder relative paths start from."""

    values: dict[str, Any]
    base_dir: Path
    source: str = ""

    @property
    def name(self) -> str:
        return self.values["name"]

    @property
    def template(self) -> str:
        return self.values["template"]

    @property
    def workdir(self) -> Path:
        return (self.base_dir / self.values["workdir"]).resolve()

    @property
    def time_limit_s(self) -> int:
        return parse_time_limit(self.values["time_limit"])

    @property
    def array_size(self) -> Optional[int]:
        if self.template == "lammps_array":
            return len(self.values["tasks"])
        return self.values.get("array_size")

    @property
    def venv(self) -> Optional[Path]:
        venv = self.values["venv"]
        if venv is None:
            return Path(sys.prefix) if sys.prefix != sys.base_prefix else None
        return (self.base_dir / venv).resolve()


def check_request(where: str, v: dict) -> None:
    """Refuse requests SLURM could never satisfy (or that contradict the template)."""
    nodes, ntasks, per_node = v["nodes"], v["ntasks"], v["ntasks_per_node"]
    if ntasks < nodes:
        raise InputError(f"{where}: ntasks={ntasks} is fewer than nodes={nodes}: every node needs a rank")
    if per_node is not None and per_node * nodes < ntasks:
        raise InputError(f"{where}: ntasks={ntasks} do not fit on nodes={nodes} x ntasks_per_node={per_node}")
    if v["mem_per_cpu_MB"] is not None and v["mem_per_node_MB"] is not None:
        raise InputError(f"{where}: give mem_per_cpu_MB or mem_per_node_MB, not both")
    gpus, template = v["gpus_per_node"], v["template"]
    if template == "lammps_gpu":
        if gpus < 1:
            raise InputError(f"{where}: template lammps_gpu needs gpus_per_node >= 1")
        if ntasks != nodes * gpus:
            raise InputError(f"{where}: lammps_gpu runs one rank per GPU: ntasks={ntasks} must be "
                             f"nodes x gpus_per_node = {nodes * gpus}")
    elif gpus and template != "command":  # command: e.g. training on GPUs
        raise InputError(f"{where}: gpus_per_node={gpus} with template {template}: use template lammps_gpu")
    if template == "lammps_multinode" and per_node is None:
        raise InputError(f"{where}: template lammps_multinode needs ntasks_per_node (ranks spread evenly)")
    if template == "lammps_array" and nodes > 1:
        raise InputError(f"{where}: lammps_array elements run on one node each: nodes={nodes} must be 1")
    if v.get("stop_before_limit_s") is not None and v["stop_before_limit_s"] >= parse_time_limit(v["time_limit"]):
        raise InputError(f"{where}: stop_before_limit_s={v['stop_before_limit_s']} is not below the time limit "
                         f"{v['time_limit']}")
    cluster = validate(f"{where}: cluster", v["cluster"], CLUSTER_SCHEMA) if v["cluster"] is not None else None
    if cluster is None:
        return
    ranks_per_node = per_node if per_node is not None else math.ceil(ntasks / nodes)
    cpus = cluster["cpus_per_node"]
    if cpus is not None and ranks_per_node * v["cpus_per_task"] > cpus:
        raise InputError(f"{where}: {ranks_per_node} ranks x cpus_per_task={v['cpus_per_task']} per node exceed "
                         f"the cluster's cpus_per_node={cpus}")
    if cluster["gpus_per_node"] is not None and gpus > cluster["gpus_per_node"]:
        raise InputError(f"{where}: gpus_per_node={gpus} exceeds the cluster's {cluster['gpus_per_node']}")
    if cluster["max_nodes"] is not None and nodes > cluster["max_nodes"]:
        raise InputError(f"{where}: nodes={nodes} exceeds the cluster's max_nodes={cluster['max_nodes']}")
    if cluster["max_time_limit"] is not None and \
            parse_time_limit(v["time_limit"]) > parse_time_limit(cluster["max_time_limit"]):
        raise InputError(f"{where}: time_limit={v['time_limit']} exceeds the cluster's "
                         f"max_time_limit={cluster['max_time_limit']}")


def job_spec(where: str, data: Any, base_dir: Path, defaults: Optional[dict] = None) -> JobSpec:
    """Validate one job mapping (``defaults`` filled in first) into a :class:`JobSpec`."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping of keys, got {type(data).__name__}")
    merged = dict(defaults or {})
    merged.update(data)
    template = merged.get("template")
    if template not in TEMPLATES:
        raise InputError(f"{where}: template={template!r} must be one of {', '.join(TEMPLATES)}")
    schema = schema_for(template)
    # defaults may hold keys for other templates of the workflow: drop those, keep the job's own strict
    merged = {k: val for k, val in merged.items() if k in data or k in schema}
    values = validate(where, merged, schema)
    check_request(where, values)
    return JobSpec(values=values, base_dir=Path(base_dir), source=where)


@dataclass
class JobFile:
    """The jobs of one YAML file, in an order where every job comes after the jobs it waits for."""

    path: Path
    jobs: list[JobSpec] = field(default_factory=list)

    def get(self, name: str) -> JobSpec:
        for job in self.jobs:
            if job.name == name:
                return job
        raise InputError(f"{self.path}: no job named {name!r} (jobs: {', '.join(j.name for j in self.jobs)})")


def _topological(path: Path, jobs: dict[str, JobSpec]) -> list[JobSpec]:
    order, state = [], {}

    def visit(name: str, chain: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise InputError(f"{path}: dependency cycle {' -> '.join(chain + [name])}")
        state[name] = "visiting"
        for dep in jobs[name].values["after"]:
            if dep not in jobs:
                raise InputError(f"{path}: job {name!r} is after {dep!r}, which is not a job of this file")
            visit(dep, chain + [name])
        state[name] = "done"
        order.append(jobs[name])

    for name in jobs:
        visit(name, [])
    return order


def load_job_file(path: str | Path) -> JobFile:
    """Read a one-job or workflow YAML file; every job validated, dependencies ordered."""
    path = Path(path).resolve()
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping with 'template' (one job) or 'jobs' (a workflow)")
    base = path.parent
    if "jobs" not in data:
        job = job_spec(str(path), data, base)
        if job.values["after"]:
            raise InputError(f"{path}: 'after' names jobs of a workflow file (one with 'jobs:')")
        return JobFile(path, [job])
    unknown = set(data) - {"jobs", "defaults"}
    if unknown:
        raise InputError(f"{path}: unknown top-level key {sorted(unknown)[0]!r} (a workflow has 'defaults', 'jobs')")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict) or "name" in defaults:
        raise InputError(f"{path}: defaults must be a mapping of job keys (without 'name')")
    known = set().union(*(schema_for(t) for t in TEMPLATES))
    for key in defaults:
        if key not in known:
            raise InputError(f"{path}: defaults: unknown key {key!r}; known keys: {', '.join(sorted(known))}")
    entries = data["jobs"]
    if not isinstance(entries, dict) or not entries:
        raise InputError(f"{path}: jobs must be a non-empty mapping name -> job")
    jobs = {}
    for name, entry in entries.items():
        entry = dict(entry or {})
        if "name" in entry and entry["name"] != name:
            raise InputError(f"{path}: job {name!r} has name={entry['name']!r}; a workflow job is named by its key")
        entry["name"] = str(name)
        jobs[str(name)] = job_spec(f"{path}: job {name}", entry, base, defaults)
    return JobFile(path, _topological(path, jobs))
