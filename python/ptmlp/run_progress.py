"""Progress a user can follow through a sequence of LAMMPS runs (issue #20): a line when each run
starts and when it ends (duration, verdict) with a running count and an ETA (:class:`RunCounter`),
and progress within a run, every 10 % of its steps, read from its growing log through the one
thermo reader, :func:`ptmlp.thermo.read_thermo_blocks` (:func:`watch_log`).

Neutral on purpose: any workflow that runs LAMMPS (transport, melting, elastic) can use it. Lines
go to ``report`` (default: stdout, flushed: they must not lag behind errors on stderr).
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional

Report = Callable[[str], None]


def print_line(text: str) -> None:
    """One progress line on stdout, flushed."""
    print(text, file=sys.stdout, flush=True)


def duration(seconds: float) -> str:
    """'42 s', '3 min 05 s', '1 h 02 min' ('?' when unknown)."""
    if not math.isfinite(seconds) or seconds < 0:
        return "?"
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


class RunCounter:
    """Start and end lines of ``total`` runs: ``[k/n] start NAME (detail)`` and ``[k/n] end NAME
    after DURATION: VERDICT; D done, R to go; ETA ...`` (the ETA from the mean duration of the finished
    runs, ``parallel`` at a time)."""

    def __init__(self, total: int, prefix: str = "", report: Report = print_line, parallel: int = 1,
                 clock: Callable[[], float] = time.monotonic):
        self.total, self.prefix, self.report, self.parallel, self.clock = total, prefix, report, max(parallel, 1), clock
        self.started = self.finished = 0
        self.durations: list[float] = []
        self._t0: dict[str, float] = {}
        self._lock = threading.Lock()

    def _say(self, text: str) -> None:
        self.report(f"{self.prefix}{text}")

    def eta_s(self) -> float:
        """Seconds left for the runs not yet finished (NaN before the first one ends)."""
        if not self.durations:
            return math.nan
        left = self.total - self.finished
        return sum(self.durations) / len(self.durations) * math.ceil(left / self.parallel)

    def start(self, name: str, detail: str = "") -> None:
        with self._lock:
            self.started += 1
            self._t0[name] = self.clock()
            running = self.started - self.finished
            eta = self.eta_s()
            self._say(f"[{self.started}/{self.total}] start {name}" + (f" ({detail})" if detail else "")
                      + (f"; {running} running" if running > 1 else "")
                      + (f"; ETA {duration(eta)}" if math.isfinite(eta) else ""))

    def end(self, name: str, verdict: str = "done") -> float:
        """Print the end line; returns the run's duration (s)."""
        with self._lock:
            dt = self.clock() - self._t0.pop(name, self.clock())
            self.finished += 1
            self.durations.append(dt)
            left = self.total - self.finished
            tail = f"; ETA {duration(self.eta_s())}" if left else ""
            self._say(f"[{self.finished}/{self.total}] end {name} after {duration(dt)}: {verdict}; "
                      f"{self.finished} done, {left} to go{tail}")
            return dt


def steps_done(log_path: str | os.PathLike) -> int:
    """MD steps done so far in a (growing) LAMMPS log: the step span of each thermo block, summed."""
    from .thermo import read_thermo_blocks

    try:
        blocks = read_thermo_blocks(log_path)
    except OSError:
        return 0
    return int(sum(b["Step"][-1] - b["Step"][0] for b in blocks if len(b.get("Step", ())) > 0))


class LogWatcher:
    """Reads a LAMMPS log while the run writes it and reports each ``every`` fraction of
    ``total_steps`` (with the elapsed time and an ETA). A log older than the watcher is ignored
    (LAMMPS has not yet truncated the previous run's)."""

    def __init__(self, log_path: str | os.PathLike, total_steps: int, label: str, report: Report = print_line,
                 every: float = 0.1, clock: Callable[[], float] = time.monotonic):
        self.log, self.total, self.label, self.report, self.every = Path(log_path), max(int(total_steps), 1), label, \
            report, every
        self.clock = clock
        self.t0 = clock()
        self.wall0 = time.time()
        self.next_mark = every
        self.last_fraction = 0.0

    def poll(self) -> Optional[float]:
        """Report the marks passed since the last poll; returns the fraction done (None: no log yet)."""
        try:
            if self.log.stat().st_mtime < self.wall0 - 1.0:
                return None
        except OSError:
            return None
        fraction = min(steps_done(self.log) / self.total, 1.0)
        if fraction >= self.next_mark:
            elapsed = self.clock() - self.t0
            eta = elapsed * (1.0 - fraction) / fraction if fraction > 0 else math.nan
            self.report(f"  {self.label}: {100 * fraction:.0f}% of {self.total} steps, {duration(elapsed)} "
                        f"elapsed, ETA {duration(eta)}")
            while self.next_mark <= fraction + 1e-12:
                self.next_mark += self.every
        self.last_fraction = fraction
        return fraction


@contextmanager
def watch_log(log_path: str | os.PathLike, total_steps: int, label: str, report: Report = print_line,
              every: float = 0.1, poll_s: float = 1.0) -> Iterator[LogWatcher]:
    """Report progress within a run from its growing log while the ``with`` block runs it (a daemon
    thread polls the log every ``poll_s`` seconds)."""
    watcher = LogWatcher(log_path, total_steps, label, report, every)
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(poll_s):
            try:
                watcher.poll()
            except Exception:  # a half-written log line: next poll
                pass

    thread = threading.Thread(target=loop, name=f"watch {label}", daemon=True)
    thread.start()
    try:
        yield watcher
    finally:
        stop.set()
        thread.join(timeout=5.0)
