"""Progress within a LAMMPS run, read from its growing log through the one thermo reader
(:func:`ptmlp.thermo.read_thermo_blocks`) and reported to a :class:`ptmlp.progress.RunBoard` (which
prints the start and end lines, the running count, the ETA and every 10 % of the steps).

Neutral on purpose (transport uses it; melting's runner has the same loop in its ``_watch``): one
log watcher for every workflow that runs LAMMPS.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional


def steps_done(log_path: str | os.PathLike) -> tuple[int, Optional[float]]:
    """MD steps done so far in a (growing) LAMMPS log, the step span of each thermo block summed,
    and the last ``Temp`` printed (None without one)."""
    from .thermo import read_thermo_blocks

    try:
        blocks = read_thermo_blocks(log_path)
    except OSError:
        return 0, None
    steps = int(sum(b["Step"][-1] - b["Step"][0] for b in blocks if len(b.get("Step", ())) > 0))
    last = blocks[-1] if blocks else {}
    return steps, (float(last["Temp"][-1]) if "Temp" in last else None)


class LogWatcher:
    """Reads a LAMMPS log while the run writes it and reports the fraction of ``total_steps`` done to
    ``board.progress(name, fraction, "T = ... K")``. A log older than the watcher is ignored
    (LAMMPS has not yet truncated the previous run's)."""

    def __init__(self, board, name: str, log_path: str | os.PathLike, total_steps: int):
        self.board, self.name, self.log, self.total = board, name, Path(log_path), max(int(total_steps), 1)
        self.wall0 = time.time()

    def poll(self) -> Optional[float]:
        """Report the progress; returns the fraction done (None: no log of this run yet)."""
        try:
            if self.log.stat().st_mtime < self.wall0 - 1.0:
                return None
        except OSError:
            return None
        steps, temp = steps_done(self.log)
        fraction = min(steps / self.total, 1.0)
        self.board.progress(self.name, fraction, f"T = {temp:.4g} K" if temp is not None else "")
        return fraction


@contextmanager
def watch_log(board, name: str, log_path: str | os.PathLike, total_steps: int,
              poll_s: float = 1.0) -> Iterator[LogWatcher]:
    """Report progress within run ``name`` from its growing log while the ``with`` block runs it (a
    daemon thread polls the log every ``poll_s`` seconds)."""
    watcher = LogWatcher(board, name, log_path, total_steps)
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(poll_s):
            try:
                watcher.poll()
            except Exception:  # a half-written log line: next poll
                pass

    thread = threading.Thread(target=loop, name=f"watch {name}", daemon=True)
    thread.start()
    try:
        yield watcher
    finally:
        stop.set()
        thread.join(timeout=5.0)
