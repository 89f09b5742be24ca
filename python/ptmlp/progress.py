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
