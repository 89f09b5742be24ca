"""A small progress line for long loops (stderr; redraws in a terminal, else every ~10%)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str, stream=None):
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_decile = -1

    def update(self, done: int, extra: str = "") -> None:
        elapsed = time.monotonic() - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else float("nan")
        line = (f"{self.label}: {done}/{self.total} {extra} {rate:.2f}/s, {elapsed:.0f} s elapsed, "
                f"ETA {eta:.0f} s").replace("  ", " ")
        decile = int(10 * done / max(self.total, 1))
        if self.tty:
            self.stream.write("\r" + line)
            if done >= self.total:
                self.stream.write("\n")
        elif decile != self._last_decile or done >= self.total:
            self.stream.write(line + "\n")
        self._last_decile = decile
        self.stream.flush()


def format_duration(seconds: float) -> str:
    """12 s, 3.4 min, 1.2 h."""
    if not seconds == seconds or seconds < 0:  # nan
        return "?"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


class RunBoard:
    """Start / progress / end lines of long external runs (LAMMPS), from several threads.

    Each run prints a line when it starts (after waiting for a slot, not when queued) and when it
    ends (duration, verdict), numbered ``[k/n]`` where n counts the runs planned so far; the ETA
    is the remaining planned work (atom-steps) at the speed measured on the runs so far, divided
    over the ``parallel`` slots. Within a run, :meth:`progress` prints every ``every`` (10 %) of
    its steps. Runs added later (extensions, restarts) raise n and the ETA as they are planned.
    """

    def __init__(self, log, parallel: int = 1, every: float = 0.1):
        import threading

        self.log = log
        self.parallel = max(1, parallel)
        self.every = every
        self._lock = threading.Lock()
        self._planned: dict[str, float] = {}  # name -> atom-steps
        self._done: dict[str, float] = {}  # finished this session: name -> atom-steps
        self._running: dict[str, tuple[float, float, float]] = {}  # name -> (atom-steps, start, fraction)
        self._busy_s = 0.0
        self._work_done = 0.0
        self.started_count = 0

    def plan(self, name: str, atom_steps: float) -> None:
        """Announce a run that will (probably) be needed: it counts in n and in the ETA."""
        with self._lock:
            if name not in self._done:
                self._planned.setdefault(name, float(atom_steps))

    def unplan(self, name: str) -> None:
        """A planned run that turned out not to be needed (found on disk, or made unnecessary)."""
        with self._lock:
            self._planned.pop(name, None)

    def _eta_s(self) -> float:
        speed = self._work_done / self._busy_s if self._busy_s > 0 else 0.0  # atom-steps per second per run
        now = time.monotonic()
        if speed <= 0:  # no run finished yet: the running runs' own progress
            rates = [w * f / (now - t0) for w, t0, f in self._running.values() if f > 0 and now > t0]
            speed = sum(rates) / len(rates) if rates else 0.0
        if speed <= 0:
            return float("nan")
        left = sum(w for n, w in self._planned.items() if n not in self._done and n not in self._running)
        left += sum(w * (1.0 - f) for w, _, f in self._running.values())
        slots = min(self.parallel, max(1, len(self._running) + sum(1 for n in self._planned
                                                                   if n not in self._done and n not in self._running)))
        return left / speed / slots

    def started(self, name: str, atom_steps: float, what: str = "") -> None:
        with self._lock:
            self._planned.setdefault(name, float(atom_steps))
            self._planned[name] = float(atom_steps)
            self._running[name] = (float(atom_steps), time.monotonic(), 0.0)
            self.started_count += 1
            eta = self._eta_s()
            eta_text = format_duration(eta) if eta == eta else "after the first 10 %"
            line = f"  [run {self.started_count}/{len(self._planned)} start] {name}{': ' + what if what else ''}; ETA {eta_text}"
        self.log(line)

    def progress(self, name: str, fraction: float, extra: str = "") -> None:
        """Report ``fraction`` of run ``name`` done (printed only at each ``every`` step crossed)."""
        with self._lock:
            if name not in self._running:
                return
            w, t0, old = self._running[name]
            fraction = min(max(fraction, 0.0), 1.0)
            crossed = int(fraction / self.every + 1e-9) > int(old / self.every + 1e-9)
            self._running[name] = (w, t0, fraction)
            if not crossed or fraction >= 1.0:
                return
            line = (f"    {name}: {100 * fraction:.0f} % after {format_duration(time.monotonic() - t0)}"
                    f"{'; ' + extra if extra else ''}; ETA {format_duration(self._eta_s())}")
        self.log(line)

    def finished(self, name: str, verdict: str = "finished") -> float:
        """Close run ``name``; return its wall time (s)."""
        with self._lock:
            w, t0, _ = self._running.pop(name, (0.0, time.monotonic(), 0.0))
            wall = time.monotonic() - t0
            self._done[name] = w
            self._planned.setdefault(name, w)
            self._busy_s += wall
            self._work_done += w
            line = f"  [run {len(self._done)}/{len(self._planned)} done] {name}: {format_duration(wall)}, {verdict}; ETA {format_duration(self._eta_s())}"
        self.log(line)
        return wall
