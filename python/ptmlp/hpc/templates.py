"""Rendering the sbatch templates of ``slurm/`` from a job model of :mod:`ptmlp.hpc.jobspec`.

Template syntax: ``{{key}}`` is replaced by the job's value; a line holding a key whose value
is not given (None) is left out, so optional ``#SBATCH`` lines vanish. Multi-line values
(``setup``, ``sbatch_options``) replace their line. A key the renderer does not know is a
template bug and raises.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import InputError
from .jobspec import CommandJob, JobBase, LammpsArrayJob, LammpsJob, format_time_limit

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_SAFE_PATH = re.compile(r"^[A-Za-z0-9_./+@,:=~%-]+$")
STATUS_DIR = ".ptmlp_status"


def template_dir() -> Path:
    """Folder of the sbatch templates: ``$PTMLP_SLURM_TEMPLATES`` or the repository's ``slurm/``."""
    env = os.environ.get("PTMLP_SLURM_TEMPLATES")
    if env:
        return Path(env)
    from ..resources import slurm_dir

    return slurm_dir()


def template_path(template: str) -> Path:
    path = template_dir() / f"{template}.sbatch"
    if not path.exists():
        raise InputError(f"template {template!r}: {path} not found (set PTMLP_SLURM_TEMPLATES to the slurm/ folder)")
    return path


def placeholders(text: str) -> set[str]:
    """Names of the ``{{key}}`` placeholders in a template."""
    return set(_PLACEHOLDER.findall(text))


def documented_parameters(text: str) -> set[str]:
    """Keys documented in a template's header (``#   key   text`` lines before the first #SBATCH)."""
    names = set()
    for line in text.splitlines():
        if line.startswith("#SBATCH"):
            break
        m = re.match(r"^#   ([A-Za-z_][A-Za-z0-9_]*)\s{2,}\S", line)
        if m:
            names.add(m.group(1))
    return names


def render_text(text: str, values: dict[str, Optional[str]], where: str = "template") -> str:
    """Fill ``{{key}}`` placeholders; drop lines with a None value; a missing key raises."""
    out = []
    for line in text.splitlines():
        keys = _PLACEHOLDER.findall(line)
        missing = [k for k in keys if k not in values]
        if missing:
            raise InputError(f"{where}: placeholder {{{{{missing[0]}}}}} has no value (template bug)")
        if any(values[k] is None for k in keys):
            continue
        out.append(_PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), line))
    return "\n".join(out) + "\n"


def _without_parameter_docs(text: str, job: JobBase, path: Path) -> str:
    """The template with its header docs replaced by a provenance line (title line kept)."""
    lines = text.splitlines()
    first_sbatch = next(i for i, line in enumerate(lines) if line.startswith("#SBATCH"))
    source = f" from {job.source}" if job.source else ""
    title_end = next((i for i, line in enumerate(lines[1:], 1) if not line.startswith("# ")), 1)
    head = lines[:title_end] + [f"# rendered{source} by ptmlp slurm render; parameters documented in {path}"]
    return "\n".join(head + lines[first_sbatch:]) + "\n"


def _safe_path(where: str, key: str, path: Path) -> str:
    text = str(path)
    if not _SAFE_PATH.match(text):
        raise InputError(f"{where}: {key} path {text!r} holds spaces, quotes or shell characters; "
                         f"use a plain path for SLURM jobs")
    return text


def _var_args(variables: dict) -> str:
    return " ".join(f"-var {k} {shlex.quote(str(v))}" for k, v in variables.items())


def _launcher(job: LammpsJob) -> str:
    if job.launcher == "mpirun":
        return 'mpirun -np "$SLURM_NTASKS"'
    # on several nodes, one failed rank must end the step instead of leaving the others waiting
    return "srun --kill-on-bad-exit=1" if job.template == "lammps_multinode" else "srun"


def _optional(value) -> Optional[str]:
    return None if value is None else str(value)


def template_values(job: JobBase, tasks_file: Optional[Path] = None) -> dict[str, Optional[str]]:
    """Every placeholder value for ``job``: the YAML values plus the ones ptmlp fills in."""
    where = job.source or job.name
    workdir = _safe_path(where, "workdir", Path(job.workdir))
    array_size = job.array_length
    output = job.output or (f"{job.name}-%A_%a.out" if array_size else f"{job.name}-%j.out")
    venv = job.venv_path
    values: dict[str, Optional[str]] = {
        "name": job.name,
        "workdir": workdir,
        "output": output,
        "time_limit": format_time_limit(job.time_limit_s),
        "nodes": str(job.nodes),
        "ntasks": str(job.ntasks),
        "ntasks_per_node": _optional(job.ntasks_per_node),
        "cpus_per_task": str(job.cpus_per_task),
        "gpus_per_node": str(job.gpus_per_node) if job.gpus_per_node else None,
        "mem_per_cpu_MB": _optional(job.mem_per_cpu_MB),
        "mem_per_node_MB": _optional(job.mem_per_node_MB),
        "exclusive": "" if job.exclusive else None,
        "sbatch_options": "\n".join(f"#SBATCH {opt}" for opt in job.sbatch_options) or None,
        "modules": " ".join(job.modules) or None,
        "venv": None if venv is None else _safe_path(where, "venv", venv),
        "setup": "\n".join(job.setup) or None,
        "status_dir": f"{workdir}/{STATUS_DIR}",
        "array": None,
    }
    for key in ("partition", "account", "qos", "constraint", "reservation"):
        values[key] = getattr(job, key)
    if array_size:
        limit = job.array_max_concurrent
        values["array"] = f"0-{array_size - 1}" + (f"%{limit}" if limit else "")
    if isinstance(job, LammpsJob):
        values.update({
            "lmp": job.lmp,
            "input": shlex.quote(job.input),
            "variables": _var_args(job.variables),
            "lmp_args": " ".join(shlex.quote(a) for a in job.lmp_args),
            "launcher": _launcher(job),
            "resume_from": job.resume_from,
            "lammps_timeout_s": None if job.stop_before_limit_s is None
            else str(job.time_limit_s - job.stop_before_limit_s),
        })
    if isinstance(job, LammpsArrayJob):
        values["input"] = shlex.quote(str((Path(job.workdir) / job.input).resolve()))
        values["tasks_file"] = None if tasks_file is None else _safe_path(where, "tasks file", tasks_file)
    if isinstance(job, CommandJob):
        values["command"] = job.command.rstrip("\n")
    return values


def tasks_text(job: LammpsArrayJob, task_dirs: Optional[list[Path]] = None) -> str:
    """The array template's task list: one line per element, ``DIR -var NAME VALUE ...``.

    ``DIR`` is ``NAME/task_INDEX`` (relative to the workdir) unless ``task_dirs`` names one folder
    per task (e.g. the task folders of an exploration, which keep their own names).
    """
    tasks, where = job.tasks, job.source or job.name
    if task_dirs is not None and len(task_dirs) != len(tasks):
        raise InputError(f"{where}: {len(task_dirs)} task folders for {len(tasks)} tasks")
    lines = []
    for index, task in enumerate(tasks):
        merged = {**job.variables, **task}  # LAMMPS keeps the first -var of a name: merge here
        folder = f"{job.name}/task_{index}" if task_dirs is None else \
            _safe_path(where, "task folder", Path(task_dirs[index]).resolve())
        lines.append(f"{folder} {_var_args(merged)}".rstrip())
    return "\n".join(lines) + "\n"


@dataclass
class Rendered:
    """A rendered job: the script (and, for lammps_array, its task list) written to disk."""

    job: JobBase
    script: Path
    tasks_file: Optional[Path] = None


def render_job(job: JobBase, out_dir: Optional[Path] = None, task_dirs: Optional[list[Path]] = None) -> Rendered:
    """Write ``NAME.sbatch`` (and ``NAME.tasks``) into ``out_dir`` (default: the job's workdir);
    ``task_dirs``: see :func:`tasks_text`."""
    out_dir = Path(out_dir) if out_dir is not None else Path(job.workdir)
    out_dir.mkdir(parents=True, exist_ok=True)
    script = out_dir / f"{job.name}.sbatch"
    tasks_file = None
    if isinstance(job, LammpsArrayJob):
        tasks_file = (out_dir / f"{job.name}.tasks").resolve()
        tasks_file.write_text(tasks_text(job, task_dirs))
    path = template_path(job.template)
    text = render_text(_without_parameter_docs(path.read_text(), job, path), template_values(job, tasks_file),
                       where=str(path))
    script.write_text(text)
    script.chmod(0o755)
    return Rendered(job=job, script=script.resolve(), tasks_file=tasks_file)
