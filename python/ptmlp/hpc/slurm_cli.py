"""Thin wrappers over SLURM's commands (sbatch, scontrol, sacct, scancel).

Each failure raises :class:`SlurmError` with SLURM's own error line. Job states are read from
``scontrol show job`` (live jobs and jobs ended less than ``MinJobAge`` ago), then ``sacct``
where accounting is set up; the templates also leave an exit-status file per job (see
:func:`marker_state`), which answers when SLURM has forgotten the job.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

from ..errors import PtmlpError

ACTIVE_STATES = {"PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD",
                 "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "RESV_DEL_HOLD", "SPECIAL_EXIT"}
OK_STATES = {"COMPLETED"}
# everything else that is final is a failure: FAILED, TIMEOUT, CANCELLED, OUT_OF_MEMORY, NODE_FAIL,
# BOOT_FAIL, DEADLINE, PREEMPTED, and LOST (SLURM forgot the job and it left no exit-status file)


class SlurmError(PtmlpError):
    """Raised when a SLURM command fails (sbatch refused a job, no controller, ...)."""


def is_active(state: str) -> bool:
    return state in ACTIVE_STATES


def is_ok(state: str) -> bool:
    return state in OK_STATES


def is_failed(state: str) -> bool:
    return not is_active(state) and not is_ok(state)


def _run(cmd: Sequence[str], env: Optional[dict] = None, timeout_s: float = 60,
         check: bool = True) -> subprocess.CompletedProcess:
    if shutil.which(cmd[0]) is None:
        raise SlurmError(f"{cmd[0]} not found: SLURM client commands are not installed on this machine")
    try:
        proc = subprocess.run(list(cmd), env=env, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise SlurmError(f"{' '.join(cmd[:2])} did not answer in {timeout_s:.0f} s (is slurmctld up?)") from None
    if check and proc.returncode != 0:
        lines = [ln for ln in (proc.stderr + proc.stdout).strip().splitlines() if ln.strip()]
        raise SlurmError(f"{' '.join(cmd[:2])} failed: {lines[-1] if lines else f'exit {proc.returncode}'}")
    return proc


def sbatch(script: str | os.PathLike, *, array: Optional[str] = None, dependency: Optional[str] = None,
           extra: Iterable[str] = (), env: Optional[dict] = None, cwd: Optional[str | os.PathLike] = None) -> str:
    """Submit ``script``; returns the job id. ``array``/``dependency`` override the script's own."""
    cmd = ["sbatch", "--parsable"]
    if array is not None:
        cmd.append(f"--array={array}")
    if dependency:
        cmd.append(f"--dependency={dependency}")
    cmd += list(extra)
    cmd.append(str(script))
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, cwd=cwd)
    except FileNotFoundError:
        raise SlurmError("sbatch not found: SLURM client commands are not installed on this machine") from None
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr + proc.stdout).strip().splitlines() if ln.strip()]
        raise SlurmError(f"sbatch refused {script}: {lines[-1] if lines else f'exit {proc.returncode}'}")
    job_id = proc.stdout.strip().split(";")[0]
    if not job_id.isdigit():
        raise SlurmError(f"sbatch gave no job id for {script}: {proc.stdout.strip()!r}")
    return job_id


def scancel(job_ref: str, env: Optional[dict] = None) -> None:
    _run(["scancel", job_ref], env=env)


def update_dependency(job_id: str, dependency: str, env: Optional[dict] = None) -> None:
    """Replace a pending job's dependency (empty string: no dependency left)."""
    _run(["scontrol", "update", f"JobId={job_id}", f"Dependency={dependency}"], env=env)


@dataclass
class ElementState:
    """State of one job or array element as SLURM reports it."""

    state: str
    exit_code: Optional[int] = None
    reason: str = ""


def expand_indices(text: str) -> list[int]:
    """SLURM array index text (``0-3,7``, ``2-9:2``, ``0-5%2``) -> indices."""
    text = text.split("%")[0]
    out = []
    for part in text.split(","):
        if not part:
            continue
        step = 1
        if ":" in part:
            part, step_text = part.split(":")
            step = int(step_text)
        if "-" in part:
            lo, hi = (int(x) for x in part.split("-"))
            out.extend(range(lo, hi + 1, step))
        else:
            out.append(int(part))
    return out


_FIELD = re.compile(r"(\w+)=(\S*)")


def scontrol_records(job_id: str, env: Optional[dict] = None) -> dict[Optional[int], ElementState]:
    """States of a job (key None) or of its array elements (keys = indices) known to slurmctld."""
    proc = _run(["scontrol", "-o", "show", "job", str(job_id)], env=env, check=False)
    if proc.returncode != 0:
        if "Invalid job id" in proc.stderr:
            return {}
        raise SlurmError(f"scontrol show job {job_id} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    out: dict[Optional[int], ElementState] = {}
    for line in proc.stdout.splitlines():
        fields = dict(_FIELD.findall(line))
        if "JobState" not in fields:
            continue
        exit_text = fields.get("ExitCode", "")
        exit_code = int(exit_text.split(":")[0]) if re.match(r"^\d+:\d+$", exit_text) else None
        element = ElementState(fields["JobState"], exit_code, fields.get("Reason", ""))
        task = fields.get("ArrayTaskId")
        if task and fields.get("ArrayJobId") == str(job_id):
            for index in expand_indices(task):
                out[index] = element
        elif not task and fields.get("JobId") == str(job_id):
            out[None] = element
    return out


def sacct_records(job_id: str, env: Optional[dict] = None) -> dict[Optional[int], ElementState]:
    """Like :func:`scontrol_records` from accounting; empty where accounting is not set up."""
    if shutil.which("sacct") is None:
        return {}
    proc = _run(["sacct", "-n", "-P", "-X", "-j", str(job_id), "--format=JobID,State,ExitCode"], env=env,
                check=False)
    if proc.returncode != 0:
        return {}
    out: dict[Optional[int], ElementState] = {}
    for line in proc.stdout.splitlines():
        parts = line.split("|")
        if len(parts) != 3:
            continue
        jid, state, exit_text = parts
        state = state.split()[0] if state else "UNKNOWN"  # "CANCELLED by 0"
        exit_code = int(exit_text.split(":")[0]) if re.match(r"^\d+:\d+$", exit_text) else None
        m = re.match(rf"^{job_id}_(\d+)$", jid)
        if m:
            out[int(m.group(1))] = ElementState(state, exit_code)
        elif jid == str(job_id):
            out[None] = ElementState(state, exit_code)
    return out


def marker_state(status_dir: Path, job_id: str, index: Optional[int]) -> Optional[ElementState]:
    """The exit-status file a template left for the job (None when there is none)."""
    name = f"{job_id}_{index}.exit" if index is not None else f"{job_id}.exit"
    try:
        code = int((status_dir / name).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return ElementState("COMPLETED" if code == 0 else "FAILED", code, "exit-status file")
