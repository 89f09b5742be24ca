"""Job specs for ``ptmlp slurm``: a YAML file holds one job or a workflow of jobs, validated by
one config model per sbatch template (``ptmlp slurm render --example TEMPLATE`` prints every key).

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

import copy
import math
import re
import sys
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import AfterValidator, Discriminator, Field, PrivateAttr, Tag, create_model, model_validator
from pydantic.fields import FieldInfo

from ..config import ConfigError, StrictModel, example_yaml, field, load_config, read_yaml
from ..config.types import OutputPath

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


# ---------------------------------------------------------------- value types
def _time_limit(value: str) -> str:
    if parse_time_limit(value) < 60:
        raise ValueError("SLURM counts whole minutes: ask for at least 00:01:00")
    return value


def _job_name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError("use letters, digits, '_', '.', '-' (at most 64, no spaces)")
    return value


def _variables(value: dict) -> dict:
    for k, v in value.items():
        if not _VAR.match(k):
            raise ValueError(f"variable name {k!r} is not a LAMMPS variable name")
        if not _TOKEN.match(str(v)):
            raise ValueError(f"{k}={v!r}: a value must be a number or a word without spaces, quotes or shell "
                             "characters")
    return value


def _words(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _sbatch_option(value: str) -> str:
    if not value.startswith("--") or "\n" in value:
        raise ValueError(f"{value!r} is not a long sbatch option (--name=value)")
    return value


#: HH:MM:SS or D-HH:MM:SS, at least one minute
TimeLimit = Annotated[str, AfterValidator(_time_limit)]
#: a SLURM job name (letters, digits, _ . -)
JobName = Annotated[str, AfterValidator(_job_name)]
#: LAMMPS variables passed as -var NAME VALUE (values without spaces or shell characters)
Variables = Annotated[dict[str, Union[int, float, str]], AfterValidator(_variables)]
#: a non-empty string
Text = Annotated[str, AfterValidator(_words)]
#: a path on the cluster, made absolute relative to the YAML file (need not exist here)
ClusterPath = OutputPath


# ---------------------------------------------------------------- sections
class ClusterLimits(StrictModel):
    """Limits of the cluster, to refuse impossible requests before sbatch does."""

    cpus_per_node: Optional[int] = field(None, "CPU cores per node", ge=1)
    gpus_per_node: Optional[int] = field(None, "GPUs per node", ge=0)
    max_nodes: Optional[int] = field(None, "most nodes a job may ask for", ge=1)
    max_time_limit: Optional[TimeLimit] = field(None, "longest time limit of the partition (HH:MM:SS or D-HH:MM:SS)")


class SlurmResources(StrictModel):
    """What a job asks SLURM for, and how its shell is set up."""

    partition: Optional[str] = field(None, "SLURM partition")
    account: Optional[str] = field(None, "account charged")
    qos: Optional[str] = field(None, "quality of service")
    constraint: Optional[str] = field(None, "node features (--constraint)")
    reservation: Optional[str] = field(None, "reservation name")
    nodes: int = field(1, "nodes", ge=1)
    ntasks: int = field(1, "MPI ranks in all", ge=1)
    ntasks_per_node: Optional[int] = field(None, "MPI ranks per node", ge=1)
    cpus_per_task: int = field(1, "cores per rank (OMP_NUM_THREADS)", ge=1)
    gpus_per_node: int = field(0, "GPUs per node (templates lammps_gpu, command)", ge=0)
    mem_per_cpu_MB: Optional[int] = field(None, "memory per core (MB)", ge=1)
    mem_per_node_MB: Optional[int] = field(None, "memory per node (MB)", ge=1)
    time_limit: TimeLimit = field("01:00:00", "wall-time limit, HH:MM:SS or D-HH:MM:SS")
    exclusive: bool = field(False, "whole nodes only")
    modules: list[Text] = field(default_factory=list, description="environment modules to load, in order")
    venv: Optional[ClusterPath] = field(None, "Python venv to activate (default: the one running ptmlp)")
    setup: list[Text] = field(default_factory=list, description="extra shell lines run before the job's work")
    output: Optional[str] = field(None, "job log file (default NAME-%j.out, NAME-%A_%a.out for arrays)")
    sbatch_options: list[Annotated[str, AfterValidator(_sbatch_option)]] = field(
        default_factory=list, description="more sbatch options, e.g. [--mail-type=END]")
    cluster: Optional[ClusterLimits] = field(None, "limits of the cluster, to refuse impossible requests early")

    @property
    def time_limit_s(self) -> int:
        return parse_time_limit(self.time_limit)

    @property
    def venv_path(self) -> Optional[Path]:
        """The venv the job activates (default: the one running ptmlp, if any)."""
        if self.venv is None:
            return Path(sys.prefix) if sys.prefix != sys.base_prefix else None
        return Path(self.venv)

    def check_request(self, template: str, stop_before_limit_s: Optional[int] = None) -> None:
        """Refuse requests SLURM could never satisfy (or that contradict the template): ValueError."""
        nodes, ntasks, per_node, gpus = self.nodes, self.ntasks, self.ntasks_per_node, self.gpus_per_node
        if ntasks < nodes:
            raise ValueError(f"ntasks={ntasks} is fewer than nodes={nodes}: every node needs a rank")
        if per_node is not None and per_node * nodes < ntasks:
            raise ValueError(f"ntasks={ntasks} do not fit on nodes={nodes} x ntasks_per_node={per_node}")
        if self.mem_per_cpu_MB is not None and self.mem_per_node_MB is not None:
            raise ValueError("give mem_per_cpu_MB or mem_per_node_MB, not both")
        if template == "lammps_gpu":
            if gpus < 1:
                raise ValueError("template lammps_gpu needs gpus_per_node >= 1")
            if ntasks != nodes * gpus:
                raise ValueError(f"lammps_gpu runs one rank per GPU: ntasks={ntasks} must be "
                                 f"nodes x gpus_per_node = {nodes * gpus}")
        elif gpus and template != "command":  # command: e.g. training on GPUs
            raise ValueError(f"gpus_per_node={gpus} with template {template}: use template lammps_gpu")
        if template == "lammps_multinode" and per_node is None:
            raise ValueError("template lammps_multinode needs ntasks_per_node (ranks spread evenly)")
        if template == "lammps_array" and nodes > 1:
            raise ValueError(f"lammps_array elements run on one node each: nodes={nodes} must be 1")
        if stop_before_limit_s is not None and stop_before_limit_s >= self.time_limit_s:
            raise ValueError(f"stop_before_limit_s={stop_before_limit_s} is not below the time limit "
                             f"{self.time_limit}")
        cluster = self.cluster
        if cluster is None:
            return
        ranks_per_node = per_node if per_node is not None else math.ceil(ntasks / nodes)
        if cluster.cpus_per_node is not None and ranks_per_node * self.cpus_per_task > cluster.cpus_per_node:
            raise ValueError(f"{ranks_per_node} ranks x cpus_per_task={self.cpus_per_task} per node exceed "
                             f"the cluster's cpus_per_node={cluster.cpus_per_node}")
        if cluster.gpus_per_node is not None and gpus > cluster.gpus_per_node:
            raise ValueError(f"gpus_per_node={gpus} exceeds the cluster's {cluster.gpus_per_node}")
        if cluster.max_nodes is not None and nodes > cluster.max_nodes:
            raise ValueError(f"nodes={nodes} exceeds the cluster's max_nodes={cluster.max_nodes}")
        if cluster.max_time_limit is not None and self.time_limit_s > parse_time_limit(cluster.max_time_limit):
            raise ValueError(f"time_limit={self.time_limit} exceeds the cluster's "
                             f"max_time_limit={cluster.max_time_limit}")


class LammpsLaunch(StrictModel):
    """How LAMMPS is started."""

    lmp: str = field("lmp", "LAMMPS executable")
    lmp_args: list[Text] = field(default_factory=list, description="more lmp command-line arguments, e.g. [-sf, omp]")
    launcher: Literal["srun", "mpirun"] = field("srun", "MPI launcher: srun, or the venv's mpirun")


class ArrayLimit(StrictModel):
    """Throttle of a job array."""

    array_max_concurrent: Optional[int] = field(None, "array elements running at once (%N)", ge=1)


class _JobHead(StrictModel):
    template: str = field(..., "sbatch template: " + ", ".join(TEMPLATES))
    name: JobName = field(..., "job name (letters, digits, _ . -)", examples=["run1"])


class _JobFlow(StrictModel):
    workdir: ClusterPath = field(".", "folder the job runs in (relative to the YAML file)")
    after: list[Text] = field(default_factory=list, description="workflow jobs that must finish first")
    dependency: Literal["afterok", "afterany", "afternotok", "aftercorr"] = field(
        "afterok", "SLURM dependency kind on the jobs in `after`")


class JobBase(_JobFlow, SlurmResources, _JobHead):
    """A job of ``ptmlp slurm``: template, name, resources, dependencies."""

    _source: str = PrivateAttr("")

    @model_validator(mode="after")
    def _request(self) -> "JobBase":
        self.check_request(self.template, getattr(self, "stop_before_limit_s", None))
        return self

    @property
    def source(self) -> str:
        """Where the job was defined (file, and the job's name in a workflow) for messages."""
        return self._source

    @property
    def array_length(self) -> Optional[int]:
        """Elements of a job array, None for a plain job."""
        return None


class _LammpsInput(_JobHead):
    input: str = field(..., "LAMMPS input file, relative to workdir", examples=["in.lmp"])
    variables: Variables = field(default_factory=dict, description="LAMMPS variables passed with -var NAME VALUE")
    resume_from: Optional[str] = field(None, "glob of restart files to resume from, e.g. 'restart.*'")
    stop_before_limit_s: Optional[int] = field(None, "let LAMMPS stop cleanly this many seconds before the time "
                                                     "limit (passed as -var timeout)", ge=1)


class LammpsJob(JobBase, LammpsLaunch, _LammpsInput):
    """A LAMMPS run."""


class LammpsMpiJob(LammpsJob):
    """One LAMMPS run on ntasks MPI ranks (template lammps_mpi)."""

    template: Literal["lammps_mpi"] = field(..., "sbatch template", examples=["lammps_mpi"])


def _shown_as(name: str, value: Any) -> FieldInfo:
    """The field ``name`` of :class:`SlurmResources` with ``value`` shown in ``--example``."""
    info = copy.copy(SlurmResources.model_fields[name])
    info.examples = [value]
    return info


class LammpsMultinodeJob(LammpsJob):
    """One LAMMPS run spread over nodes x ntasks_per_node ranks (template lammps_multinode)."""

    template: Literal["lammps_multinode"] = field(..., "sbatch template", examples=["lammps_multinode"])
    nodes: int = _shown_as("nodes", 2)
    ntasks: int = _shown_as("ntasks", 64)
    ntasks_per_node: Optional[int] = _shown_as("ntasks_per_node", 32)


class LammpsGpuJob(LammpsJob):
    """One LAMMPS run with one rank per GPU (template lammps_gpu)."""

    template: Literal["lammps_gpu"] = field(..., "sbatch template", examples=["lammps_gpu"])
    gpus_per_node: int = _shown_as("gpus_per_node", 4)
    ntasks: int = _shown_as("ntasks", 4)


def _one_mapping_each(value: list) -> list:
    for i, task in enumerate(value):
        _variables(task)
    return value


class _ArrayTasks(_JobHead):
    tasks: Annotated[list[dict[str, Union[int, float, str]]], AfterValidator(_one_mapping_each)] = field(
        ..., "one mapping of LAMMPS variables per array element", min_length=1, examples=[[{"T": 1000}, {"T": 2000}]])


class LammpsArrayJob(ArrayLimit, LammpsJob, _ArrayTasks):
    """A job array of independent LAMMPS runs, one element per task (template lammps_array)."""

    template: Literal["lammps_array"] = field(..., "sbatch template", examples=["lammps_array"])

    @property
    def array_length(self) -> Optional[int]:
        return len(self.tasks)


class _Command(_JobHead):
    command: str = field(..., "shell command(s) to run; arrays see $SLURM_ARRAY_TASK_ID",
                         examples=["ptmlp train train.yaml"])
    array_size: Optional[int] = field(None, "run as a job array of this many elements", ge=1)


class CommandJob(ArrayLimit, JobBase, _Command):
    """Any shell command, optionally as a job array (template command)."""

    template: Literal["command"] = field(..., "sbatch template", examples=["command"])

    @property
    def array_length(self) -> Optional[int]:
        return self.array_size


JOB_MODELS: dict[str, type[JobBase]] = {"lammps_mpi": LammpsMpiJob, "lammps_multinode": LammpsMultinodeJob,
                                        "lammps_gpu": LammpsGpuJob, "lammps_array": LammpsArrayJob,
                                        "command": CommandJob}
#: the model of any job (kept name of the old API)
JobSpec = JobBase


class _TemplateOnly(StrictModel, extra="ignore"):
    """Stands in for a job whose template is missing or unknown: its one error names the template."""

    template: Literal[TEMPLATES] = field(..., "sbatch template: " + ", ".join(TEMPLATES))


def _job_tag(value: Any) -> str:
    template = value.get("template") if isinstance(value, dict) else getattr(value, "template", None)
    model = JOB_MODELS.get(template) if isinstance(template, str) else None
    return model.__name__ if model is not None else _TemplateOnly.__name__


Job = Annotated[Union[tuple(Annotated[m, Tag(m.__name__)] for m in (*JOB_MODELS.values(), _TemplateOnly))],
                Discriminator(_job_tag)]


def _defaults_model() -> type[StrictModel]:
    """Every job key but ``name``, all optional: the ``defaults:`` section of a workflow."""
    fields: dict[str, Any] = {}
    for model in JOB_MODELS.values():
        for key, info in model.model_fields.items():
            if key in fields or key == "name":
                continue
            ann = _TemplateOnly.model_fields["template"].annotation if key == "template" else info.annotation
            if info.metadata:
                ann = Annotated[(ann, *info.metadata)]
            fields[key] = (Optional[ann], Field(None, description=info.description))
    return create_model("JobDefaults", __base__=StrictModel, __doc__="Keys every job of the workflow gets unless "
                        "it sets them (keys of other templates are skipped)", **fields)


JobDefaults = _defaults_model()


class Workflow(StrictModel):
    """A workflow of SLURM jobs: ``after`` makes a job wait for others of the same file."""

    defaults: JobDefaults = field(default_factory=JobDefaults, description="keys every job gets unless it sets "
                                  "them (keys of other templates are skipped)")
    jobs: dict[Annotated[str, AfterValidator(_job_name)], Job] = field(
        ..., "the jobs, name -> job (its keys as in a one-job file, without name)", min_length=1,
        examples=[{"train": {"template": "command", "command": "ptmlp train train.yaml"},
                   "md": {"template": "lammps_mpi", "after": ["train"], "input": "md.in", "ntasks": 4}}])

    @model_validator(mode="before")
    @classmethod
    def _merge_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("jobs"), dict):
            return data
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, dict):
            return data
        jobs = {}
        for name, entry in data["jobs"].items():
            entry = {} if entry is None else entry
            if not isinstance(entry, dict):
                jobs[name] = entry
                continue
            if "name" in entry and entry["name"] != name:
                raise ValueError(f"job {name!r} has name={entry['name']!r}; a workflow job is named by its key")
            merged = {**defaults, **entry, "name": name}
            model = JOB_MODELS.get(merged.get("template"))
            known = model.model_fields if model is not None else {"template"}
            jobs[name] = {k: v for k, v in merged.items() if k in entry or k in known}  # the job's own keys stay strict
        return {**data, "jobs": jobs}

    @model_validator(mode="after")
    def _order(self) -> "Workflow":
        ordered(self.jobs)
        return self


def ordered(jobs: dict[str, JobBase]) -> list[JobBase]:
    """The jobs in an order where every job comes after those it waits for; ValueError for a
    dependency on an unknown job or a cycle."""
    order, state = [], {}

    def visit(name: str, chain: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise ValueError(f"dependency cycle {' -> '.join(chain + [name])}")
        state[name] = "visiting"
        for dep in jobs[name].after:
            if dep not in jobs:
                raise ValueError(f"job {name!r} is after {dep!r}, which is not a job of this file")
            visit(dep, chain + [name])
        state[name] = "done"
        order.append(jobs[name])

    for name in jobs:
        visit(name, [])
    return order


class JobFile:
    """The jobs of one YAML file, in an order where every job comes after the jobs it waits for."""

    def __init__(self, path: Path, jobs: list[JobBase]):
        self.path, self.jobs = path, jobs

    def get(self, name: str) -> JobBase:
        for job in self.jobs:
            if job.name == name:
                return job
        raise ConfigError(f"{self.path}: no job named {name!r} (jobs: {', '.join(j.name for j in self.jobs)})")


def job_model(template: Any) -> type[StrictModel]:
    """The model of a one-job mapping with this ``template`` (a stand-in that refuses it when unknown)."""
    return JOB_MODELS.get(template, _TemplateOnly) if isinstance(template, str) else _TemplateOnly


def load_job_file(path: str | Path) -> JobFile:
    """Read a one-job or workflow YAML file; every job validated, dependencies ordered."""
    path = Path(path)
    data = read_yaml(path)  # which model: a workflow (jobs:) or one job of its template
    source = str(path)
    if isinstance(data, dict) and "jobs" in data:
        jobs = ordered(load_config(Workflow, path).jobs)
        for job in jobs:
            job._source = f"{source}: job {job.name}"
        return JobFile(path.resolve(), jobs)
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping with 'template' (one job) or 'jobs' (a workflow)")
    if data.get("after"):
        raise ConfigError(f"{source}: after: names jobs of a workflow file (one with 'jobs:')")
    job = load_config(job_model(data.get("template")), path)
    job._source = source
    return JobFile(path.resolve(), [job])


def example(template: str = "lammps_mpi") -> str:
    """Commented YAML of a one-job file for ``template`` (``ptmlp slurm render --example``)."""
    others = ", ".join(t for t in TEMPLATES if t != template)
    return example_yaml(JOB_MODELS[template], f"ptmlp slurm job, template {template} (others: {others}; "
                        "a workflow has defaults: and jobs: {name: job})")

