"""Restarts for long LAMMPS stages: find the newest readable restart file and resume from it.

The contract of a resumable LAMMPS input (``slurm/examples/resumable_md.in`` follows it)::

    variable restart_file index none      # ptmlp passes -var restart_file FILE when resuming
    variable timeout      index off       # -var timeout SECONDS: stop cleanly before the time limit
    timer timeout ${timeout} every 10
    variable resume equal is_file(${restart_file})   # (a path in an if-string would not parse)
    if "${resume} == 0" then "read_data start.data" "velocity all create ..." &
       else "read_restart ${restart_file}"
    ... pair_style / pair_coeff / fixes with the same IDs every time ...
    restart ${restart_every} restart.a restart.b   # on a schedule, two files written in turn
    run ${steps} upto                             # "upto": a resumed run stops at the same step
    if "$(step) < ${steps}" then "write_restart restart.stop" "quit 3"   # stopped by timeout

A run killed at any moment (scancel, time limit, node crash) loses at most ``restart_every``
steps: the newest of ``restart.a``/``restart.b``/``restart.stop`` that LAMMPS can read is used
(a file cut short by the kill is skipped). A run stopped by ``timer timeout`` exits with
status 3 so the job counts as failed and is resubmitted.

Command line (used by the sbatch templates)::

    python -m ptmlp.hpc.restart latest --pattern 'restart.*'     # prints FILE or "none"
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import LammpsRunError
from ..lammps_env import error_line, lammps_binary, lammps_environment, run_lammps

INCOMPLETE_EXIT = 3  # what the contract's `quit 3` returns when the run stopped before `steps`


@dataclass(frozen=True)
class RestartFile:
    path: Path
    step: int


def restart_step(path: str | os.PathLike, timeout_s: float = 120) -> Optional[int]:
    """Timestep stored in a LAMMPS restart file, or None when LAMMPS cannot read the file.

    Reads the file with the real ``lmp`` in a child process, so a damaged file cannot take
    the caller down. The ptmlp plugin is loaded as usual, so restart files of any pair style load.
    """
    path = Path(path).resolve()
    with tempfile.TemporaryDirectory(prefix="ptmlp_restart_") as tmp:
        script = Path(tmp) / "in.check"
        script.write_text(f"read_restart {path}\nprint \"PTMLP_RESTART_STEP $(step)\"\n")
        try:
            proc = subprocess.run([lammps_binary(), "-in", str(script), "-log", "none", "-nocite"], cwd=tmp,
                                  env=lammps_environment(), capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None
    m = re.search(r"^PTMLP_RESTART_STEP (\d+)", proc.stdout, re.MULTILINE)
    return int(m.group(1)) if proc.returncode == 0 and m else None


def latest_restart(pattern: str = "restart.*", directory: str | os.PathLike = ".") -> Optional[RestartFile]:
    """The restart file matching ``pattern`` (in ``directory``) with the highest readable step.

    Files are tried newest first by modification time; the first readable one whose step is not
    below any other readable candidate's wins. Unreadable files (cut short by a kill) are skipped.
    """
    directory = Path(directory)
    candidates = [Path(p) for p in glob.glob(str(directory / pattern)) if Path(p).is_file()]
    best: Optional[RestartFile] = None
    for path in sorted(candidates, key=lambda p: p.stat().st_mtime, reverse=True):
        step = restart_step(path)
        if step is not None and (best is None or step > best.step):
            best = RestartFile(path.resolve(), step)
    return best


@dataclass
class ResumableRun:
    """Outcome of :func:`run_resumable`: the step it started from (0: fresh) and the step reached."""

    start_step: int
    final_step: int
    restart_file: Optional[Path]
    complete: bool


def final_step(log: str | os.PathLike) -> Optional[int]:
    """Last thermo step of a LAMMPS log (None when it has no thermo output)."""
    from ..thermo import read_thermo

    try:
        return int(read_thermo(log)["Step"][-1])
    except (OSError, ValueError, KeyError, IndexError):
        return None


def run_resumable(input_file: str | os.PathLike, workdir: str | os.PathLike, steps: int, *,
                  pattern: str = "restart.*", nprocs: int = 1, variables: Optional[dict] = None,
                  timeout_s: Optional[float] = None, log: str = "log.lammps") -> ResumableRun:
    """Run a resumable input (see the module doc) in ``workdir``, resuming from its newest restart.

    ``steps`` is passed as ``-var steps``; the run is complete when the log reaches it.
    A LAMMPS error raises :class:`~ptmlp.errors.LammpsRunError`; a stop by ``timer timeout``
    returns ``complete=False``.
    """
    workdir = Path(workdir)
    found = latest_restart(pattern, workdir)
    values = dict(variables or {})
    values.update(steps=steps, restart_file=str(found.path) if found else "none")
    proc = run_lammps(input_file, workdir, nprocs=nprocs, variables=values, timeout_s=timeout_s, log=log,
                      check=False)
    if proc.returncode not in (0, INCOMPLETE_EXIT):
        text = proc.stdout + proc.stderr
        line = error_line(text) or (text.strip().splitlines()[-1] if text.strip() else "no output")
        raise LammpsRunError(f"LAMMPS run of {input_file} in {workdir} failed (exit {proc.returncode}): {line}")
    # a run stopped by `timer timeout` may end between thermo rows: its restart.stop tells the step
    ends = [final_step(workdir / log), found.step if found else 0]
    if proc.returncode == INCOMPLETE_EXIT:
        stopped = latest_restart(pattern, workdir)
        ends.append(stopped.step if stopped else None)
    reached = max(e for e in ends if e is not None)
    return ResumableRun(start_step=found.step if found else 0, final_step=reached,
                        restart_file=found.path if found else None,
                        complete=proc.returncode == 0 and reached >= steps)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ptmlp.hpc.restart", description="LAMMPS restart helpers")
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("latest", help="print the newest readable restart file (or 'none')")
    p.add_argument("--pattern", default="restart.*", help="glob of restart files (default: restart.*)")
    p.add_argument("--dir", default=".", help="folder to look in (default: .)")
    p.add_argument("--step", action="store_true", help="print 'FILE STEP' instead of FILE")
    args = parser.parse_args(argv)
    found = latest_restart(args.pattern, args.dir)
    if found is None:
        print("none")
    else:
        print(f"{found.path} {found.step}" if args.step else found.path)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
