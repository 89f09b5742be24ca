"""Tracking submitted SLURM jobs in a workflow state file (JSON), so a workflow can wait for its
jobs, resume after its own process died, and resubmit failed array elements.

The file maps each job name to its script, the jobs it waits for and one record per element
(``"-"`` for a plain job, ``"0"``, ``"1"``, ... for array elements) holding the SLURM job id of
the element's latest attempt, its state, exit code and number of attempts. It is rewritten
atomically under a lock, so a crash never leaves half a file and two ptmlp processes can share it.

Submitting a job that the file already holds (and that has not failed) does nothing: re-running
a workflow after an interruption submits only what is missing.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import os
import time
from pathlib import Path
from typing import Callable, Iterator, Optional

from ..errors import InputError
from ..jsonfile import read_json, write_json
from . import slurm_cli
from .slurm_cli import ElementState, SlurmError
from .templates import STATUS_DIR, Rendered

FORMAT_VERSION = 1
PLAIN = "-"  # element key of a job that is not an array


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _index(key: str) -> Optional[int]:
    return None if key == PLAIN else int(key)


class WorkflowState:
    """The jobs of one workflow and their SLURM states, kept in ``path``."""

    def __init__(self, path: str | os.PathLike, env: Optional[dict] = None):
        self.path = Path(path).resolve()
        self.env = env  # environment for SLURM commands (SLURM_CONF of a private cluster, ...)
        self.data = self._read()

    # -- file --------------------------------------------------------------------------------
    def _read(self) -> dict:
        if not self.path.exists():
            return {"format_version": FORMAT_VERSION, "jobs": {}}
        data = read_json(self.path)
        if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
            raise InputError(f"workflow state {self.path}: not a ptmlp state file of format_version {FORMAT_VERSION}")
        return data

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the state's lock, re-read the file, and write it back atomically on success."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.data = self._read()
            yield
            write_json(self.path, self.data)

    @property
    def jobs(self) -> dict:
        return self.data["jobs"]

    def job(self, name: str) -> dict:
        if name not in self.jobs:
            known = ", ".join(self.jobs) or "none"
            raise InputError(f"workflow state {self.path}: no job {name!r} (jobs: {known})")
        return self.jobs[name]

    # -- dependencies ------------------------------------------------------------------------
    def dependency_spec(self, after: list[str], kind: str = "afterok") -> Optional[str]:
        """SLURM ``--dependency`` text for the unfinished elements of the jobs in ``after``.

        Finished elements are left out (SLURM may have forgotten them). With ``afterok`` a failed
        element makes the dependency impossible: that raises, naming the element to resubmit.
        """
        refs: list[str] = []
        for name in after:
            job = self.job(name)
            unfinished: dict[str, list[Optional[int]]] = {}
            for key, el in job["elements"].items():
                state = el["state"]
                if slurm_cli.is_active(state):
                    unfinished.setdefault(el["job_id"], []).append(_index(key))
                elif slurm_cli.is_failed(state) and kind in ("afterok", "aftercorr"):
                    raise InputError(f"job {name} element {key} is {state}; resubmit it first "
                                     f"(ptmlp slurm status {self.path} --resubmit-failed)")
            for job_id, indices in unfinished.items():
                whole = [s for s in job["submissions"] if s["job_id"] == job_id]
                submitted = whole[0]["indices"] if whole else None
                if submitted is None or sorted(indices) == sorted(submitted):
                    refs.append(job_id)
                else:
                    refs.extend(f"{job_id}_{i}" for i in sorted(indices))
        return f"{kind}:{':'.join(refs)}" if refs else None

    # -- submission --------------------------------------------------------------------------
    def submit(self, rendered: Rendered, after: Optional[list[str]] = None, dependency: str = "afterok",
               indices: Optional[list[int]] = None) -> str:
        """Submit a rendered job (unless the state already has it) and record it; returns the job id."""
        job = rendered.job
        after = list(after if after is not None else job.after)
        with self.locked():
            if job.name in self.jobs and self.jobs[job.name]["submissions"]:
                return self.jobs[job.name]["submissions"][-1]["job_id"]
            self._refresh_names(after)
            spec = self.dependency_spec(after, dependency)
            size = job.array_length
            todo = indices if indices is not None else (list(range(size)) if size else None)
            array = ",".join(str(i) for i in todo) if todo is not None else None
            job_id = slurm_cli.sbatch(rendered.script, array=array, dependency=spec, env=self.env)
            self.jobs[job.name] = {
                "script": str(rendered.script), "workdir": str(job.workdir), "template": job.template,
                "array_size": size, "after": after, "dependency": dependency,
                "submissions": [{"job_id": job_id, "indices": todo, "submitted": _now(), "dependency": spec}],
                "elements": {(str(i) if i is not None else PLAIN): {"job_id": job_id, "state": "PENDING",
                                                                    "exit_code": None, "attempts": 1, "reason": ""}
                             for i in (todo if todo is not None else [None])},
            }
        return job_id

    # -- states ------------------------------------------------------------------------------
    def _query(self, job_id: str, cache: dict) -> dict:
        if job_id not in cache:
            records = slurm_cli.scontrol_records(job_id, env=self.env)
            if not records:
                records = slurm_cli.sacct_records(job_id, env=self.env)
            cache[job_id] = records
        return cache[job_id]

    def _refresh_names(self, names: list[str]) -> None:
        cache: dict = {}
        for name in names:
            job = self.job(name)
            status_dir = Path(job["workdir"]) / STATUS_DIR
            for key, el in job["elements"].items():
                if not slurm_cli.is_active(el["state"]):
                    continue
                index = _index(key)
                found = self._query(el["job_id"], cache).get(index)
                if found is None:
                    found = slurm_cli.marker_state(status_dir, el["job_id"], index) or \
                        ElementState("LOST", None, "unknown to SLURM and no exit-status file")
                el.update(state=found.state, exit_code=found.exit_code, reason=found.reason)

    def refresh(self) -> dict:
        """Ask SLURM for the state of every unfinished element; returns the jobs."""
        with self.locked():
            self._refresh_names(list(self.jobs))
        return self.jobs

    def counts(self, name: str) -> dict[str, int]:
        """Elements per state of one job, e.g. {"COMPLETED": 5, "FAILED": 1}."""
        out: dict[str, int] = {}
        for el in self.job(name)["elements"].values():
            out[el["state"]] = out.get(el["state"], 0) + 1
        return out

    def finished(self, names: Optional[list[str]] = None) -> bool:
        names = list(self.jobs) if names is None else names
        return all(not slurm_cli.is_active(el["state"]) for n in names for el in self.job(n)["elements"].values())

    def failed(self, names: Optional[list[str]] = None) -> dict[str, list[str]]:
        """Failed element keys per job."""
        names = list(self.jobs) if names is None else names
        out = {}
        for n in names:
            keys = [k for k, el in self.job(n)["elements"].items() if slurm_cli.is_failed(el["state"])]
            if keys:
                out[n] = keys
        return out

    def progress(self, name: str) -> str:
        """One line on a job's elements, e.g. ``explore: 3/8 done, 1 failed, 2 running, 2 pending``."""
        states = [el["state"] for el in self.job(name)["elements"].values()]
        done = sum(slurm_cli.is_ok(s) for s in states)
        failed = sum(slurm_cli.is_failed(s) for s in states)
        pending = sum(s == "PENDING" for s in states)
        return (f"{name}: {done}/{len(states)} done, {failed} failed, {len(states) - done - failed - pending} "
                f"running, {pending} pending")

    def wait(self, names: Optional[list[str]] = None, poll_s: float = 5.0, timeout_s: Optional[float] = None,
             stop_on_stuck: bool = True, on_poll: Optional[Callable[["WorkflowState"], None]] = None) -> bool:
        """Poll until the jobs ``names`` (default all) are finished; True when all completed.

        With ``stop_on_stuck`` it also returns (False) once the only unfinished jobs wait on a
        dependency that can never be met (a failed element they need), instead of waiting forever.
        ``on_poll(state)`` is called after each query of SLURM (e.g. to print :meth:`progress`).
        """
        t0 = time.monotonic()
        while True:
            self.refresh()
            if on_poll is not None:
                on_poll(self)
            if self.finished(names):
                return not self.failed(names)
            if stop_on_stuck and self._stuck(names):
                return False
            if timeout_s is not None and time.monotonic() - t0 > timeout_s:
                raise SlurmError(f"jobs of {self.path} not finished after {timeout_s:.0f} s")
            time.sleep(poll_s)

    def _stuck(self, names: Optional[list[str]]) -> bool:
        """True when every unfinished element waits on something that can no longer happen: SLURM
        says DependencyNeverSatisfied, or a job it waits for has failed or is itself blocked."""
        blocked: dict[str, bool] = {}

        def is_blocked(name: str) -> bool:
            if name not in blocked:
                blocked[name] = False  # (no cycles in a workflow; this guards anyway)
                job = self.job(name)
                els = job["elements"].values()
                never = any("DependencyNeverSatisfied" in el["reason"] for el in els if el["state"] == "PENDING")
                failed_dep = job["dependency"] in ("afterok", "aftercorr") and any(
                    self.failed([d]) or is_blocked(d) for d in job["after"] if d in self.jobs)
                blocked[name] = never or (failed_dep and any(el["state"] == "PENDING" for el in els))
            return blocked[name]

        names = list(self.jobs) if names is None else names
        active = [n for n in names if any(slurm_cli.is_active(el["state"]) for el in self.job(n)["elements"].values())]
        return bool(active) and all(
            is_blocked(n) and all(el["state"] == "PENDING" for el in self.job(n)["elements"].values()
                                  if slurm_cli.is_active(el["state"]))
            for n in active)

    # -- resubmission ------------------------------------------------------------------------
    def resubmit_failed(self, names: Optional[list[str]] = None) -> dict[str, str]:
        """Resubmit the failed elements of ``names`` (default all jobs), only those indices, with
        dependencies on whatever they wait for that is still unfinished; then point the pending
        jobs that wait on them at the new job ids. Returns {job name: new job id}."""
        with self.locked():
            self._refresh_names(list(self.jobs))
            targets = list(self.jobs) if names is None else names
            new_ids: dict[str, str] = {}
            for name in self._dependency_order(targets):
                job = self.job(name)
                failed = [k for k, el in job["elements"].items() if slurm_cli.is_failed(el["state"])]
                if not failed:
                    continue
                spec = self.dependency_spec(job["after"], job["dependency"])
                indices = None if failed == [PLAIN] else sorted(int(k) for k in failed)
                array = None if indices is None else ",".join(str(i) for i in indices)
                job_id = slurm_cli.sbatch(job["script"], array=array, dependency=spec, env=self.env)
                job["submissions"].append({"job_id": job_id, "indices": indices, "submitted": _now(),
                                           "dependency": spec})
                for k in failed:
                    el = job["elements"][k]
                    el.update(job_id=job_id, state="PENDING", exit_code=None, reason="",
                              attempts=el["attempts"] + 1)
                new_ids[name] = job_id
            for name in new_ids:
                self._update_dependents(name)
        return new_ids

    def _dependency_order(self, names: list[str]) -> list[str]:
        order: list[str] = []

        def visit(n: str) -> None:
            if n in order:
                return
            for dep in self.job(n)["after"]:
                if dep in names:
                    visit(dep)
            order.append(n)

        for n in names:
            visit(n)
        return order

    def _update_dependents(self, name: str) -> None:
        for other, job in self.jobs.items():
            if name not in job["after"]:
                continue
            pending = {el["job_id"] for el in job["elements"].values() if el["state"] == "PENDING"}
            if not pending:
                continue
            spec = self.dependency_spec(job["after"], job["dependency"]) or ""
            for job_id in sorted(pending):
                slurm_cli.update_dependency(job_id, spec, env=self.env)
            job["submissions"][-1]["dependency"] = spec

    def cancel(self, names: Optional[list[str]] = None) -> None:
        """scancel the unfinished elements of ``names`` (default all)."""
        with self.locked():
            for n in (list(self.jobs) if names is None else names):
                for job_id in {el["job_id"] for el in self.job(n)["elements"].values()
                               if slurm_cli.is_active(el["state"])}:
                    slurm_cli.scancel(job_id, env=self.env)

    def table(self) -> str:
        """Human summary: one line per job with its element counts and latest job ids."""
        lines = [f"{'job':16s} {'job ids':18s} {'elements':>8s}  states"]
        for name, job in self.jobs.items():
            ids = ",".join(s["job_id"] for s in job["submissions"])
            counts = self.counts(name)
            states = " ".join(f"{k}={v}" for k, v in sorted(counts.items()))
            reasons = sorted({el["reason"] for el in job["elements"].values()
                              if el["state"] != "COMPLETED" and el["reason"] not in ("", "None")})
            if reasons:
                states += f"  ({', '.join(reasons)})"
            lines.append(f"{name:16s} {ids:18s} {len(job['elements']):8d}  {states}")
        return "\n".join(lines)
