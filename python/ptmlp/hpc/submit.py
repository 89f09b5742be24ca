"""Render and submit the jobs of a job/workflow YAML file, recording them in a state file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from .jobspec import JobFile, load_job_file
from .templates import Rendered, render_job
from .workflow_state import WorkflowState


def default_state_path(job_file: str | os.PathLike) -> Path:
    """``wf.yaml`` -> ``wf.state.json`` beside it."""
    path = Path(job_file).resolve()
    return path.with_name(path.stem + ".state.json")


def render_file(job_file: JobFile | str | os.PathLike, out_dir: Optional[Path] = None) -> list[Rendered]:
    """Render every job of a file (each into its workdir unless ``out_dir`` is given)."""
    jobs = job_file if isinstance(job_file, JobFile) else load_job_file(job_file)
    return [render_job(job, out_dir) for job in jobs.jobs]


def submit_file(job_file: str | os.PathLike, state_path: Optional[str | os.PathLike] = None,
                env: Optional[dict] = None, only: Optional[list[str]] = None) -> WorkflowState:
    """Submit the jobs of ``job_file`` in dependency order (those already in the state are kept).

    ``only`` limits submission to some jobs (their ``after`` jobs must be in the state already).
    """
    jobs = load_job_file(job_file)
    state = WorkflowState(state_path or default_state_path(job_file), env=env)
    for job in jobs.jobs:
        if only is not None and job.name not in only:
            continue
        rendered = render_job(job)
        state.submit(rendered, after=job.after, dependency=job.dependency)
    return state
