"""Reading LAMMPS thermo output from log files."""

from __future__ import annotations

import os

import numpy as np

from .units import BAR_TO_GPA


def read_thermo(log_path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Columns of the last thermo block of a LAMMPS log as arrays (keys = LAMMPS names)."""
    with open(log_path) as fh:
        lines = fh.read().splitlines()
    blocks = []
    k = 0
    while k < len(lines):
        if lines[k].split()[:1] == ["Step"]:
            header = lines[k].split()
            rows = []
            k += 1
            while k < len(lines):
                parts = lines[k].split()
                try:
                    rows.append([float(v) for v in parts])
                except ValueError:
                    break
                if len(parts) != len(header):
                    rows.pop()
                    break
                k += 1
            blocks.append((header, rows))
        else:
            k += 1
    if not blocks:
        raise ValueError(f"{log_path} holds no thermo output")
    header, rows = blocks[-1]
    data = np.array(rows)
    return {name: data[:, c] for c, name in enumerate(header)}


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
