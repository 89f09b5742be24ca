"""Structures to and from LAMMPS: data files in LAMMPS's cell orientation, dump parsing."""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np
from ase import Atoms
from ase.data import atomic_masses, atomic_numbers

from .errors import SpeciesError


def to_lammps_orientation(atoms: Atoms) -> tuple[Atoms, np.ndarray]:
    """Copy of ``atoms`` rotated so the cell is lower-triangular (LAMMPS a, b, c convention).

    Returns (rotated atoms, rotation R) with new positions = old positions @ R.T; vectors
    (forces) rotate the same way and tensors as R T R^T.
    """
    new_cell, rot = atoms.cell.standard_form()
    out = atoms.copy()
    out.set_cell(new_cell, scale_atoms=False)
    out.positions = atoms.positions @ rot.T
    return out, rot


def write_lammps_data(path: str | os.PathLike, atoms: Atoms, type_names: Sequence[str]) -> None:
    """Write ``atoms`` (cell already lower-triangular, see :func:`to_lammps_orientation`) as
    ``atom_style atomic`` data; LAMMPS type k+1 is ``type_names[k]``; masses from ASE."""
    cell = atoms.cell.array
    if abs(cell[0, 1]) > 1e-12 or abs(cell[0, 2]) > 1e-12 or abs(cell[1, 2]) > 1e-12:
        raise ValueError("cell is not in LAMMPS orientation; use to_lammps_orientation first")
    lookup = {n: k + 1 for k, n in enumerate(type_names)}
    symbols = atoms.get_chemical_symbols()
    unknown = sorted(set(symbols) - set(lookup))
    if unknown:
        raise SpeciesError(f"structure has species {unknown} not in the type list {list(type_names)}")
    lines = ["# written by ptmlp", "", f"{len(atoms)} atoms", f"{len(type_names)} atom types", ""]
    lines += [f"0.0 {cell[0, 0]:.17g} xlo xhi", f"0.0 {cell[1, 1]:.17g} ylo yhi", f"0.0 {cell[2, 2]:.17g} zlo zhi",
              f"{cell[1, 0]:.17g} {cell[2, 0]:.17g} {cell[2, 1]:.17g} xy xz yz", "", "Masses", ""]
    for k, name in enumerate(type_names):
        mass = atomic_masses[atomic_numbers[name]] if name in atomic_numbers else 1.0
        lines.append(f"{k + 1} {mass:.10g}")
    lines += ["", "Atoms # atomic", ""]
    for idx, (sym, pos) in enumerate(zip(symbols, atoms.positions)):
        lines.append(f"{idx + 1} {lookup[sym]} {pos[0]:.17g} {pos[1]:.17g} {pos[2]:.17g}")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def read_dump_columns(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Last frame of a ``dump custom`` text file as {column name: array}, rows sorted by id."""
    with open(path) as fh:
        lines = fh.read().splitlines()
    starts = [k for k, line in enumerate(lines) if line.startswith("ITEM: ATOMS")]
    if not starts:
        raise ValueError(f"{path} holds no ITEM: ATOMS section")
    k = starts[-1]
    names = lines[k].split()[2:]
    n = int(lines[k - 5])  # ITEM: NUMBER OF ATOMS / N / ITEM: BOX BOUNDS / 3 lines / ITEM: ATOMS
    rows = lines[k + 1:k + 1 + n]
    data = np.array([[float(v) for v in row.split()] for row in rows])
    if "id" in names:
        data = data[np.argsort(data[:, names.index("id")])]
    return {name: data[:, c] for c, name in enumerate(names)}


def read_dump_frames(path: str | os.PathLike, type_names: Sequence[str]) -> list[tuple[int, Atoms]]:
    """Every complete frame of a ``dump custom`` file with ``id type x y z`` as (step, Atoms).

    LAMMPS type k is ``type_names[k-1]``. A frame cut short (a crashed run) is dropped.
    Triclinic boxes are converted from LAMMPS bounds to cell vectors.
    """
    frames: list[tuple[int, Atoms]] = []
    if not os.path.exists(path):
        return frames
    with open(path) as fh:
        lines = fh.read().splitlines()
    k = 0
    while k < len(lines):
        if not lines[k].startswith("ITEM: TIMESTEP"):
            k += 1
            continue
        try:
            step = int(lines[k + 1])
            n = int(lines[k + 3])
            header = lines[k + 4]
            bounds = [[float(v) for v in lines[k + 5 + d].split()] for d in range(3)]
            names = lines[k + 8].split()[2:]
            rows = lines[k + 9:k + 9 + n]
            if len(rows) < n or any(len(r.split()) != len(names) for r in rows):
                break
            data = np.array([[float(v) for v in r.split()] for r in rows])
        except (IndexError, ValueError):
            break
        data = data[np.argsort(data[:, names.index("id")])]
        tilt = [b[2] if len(b) > 2 else 0.0 for b in bounds] if "xy" in header else [0.0, 0.0, 0.0]
        xy, xz, yz = tilt
        xlo = bounds[0][0] - min(0.0, xy, xz, xy + xz)
        xhi = bounds[0][1] - max(0.0, xy, xz, xy + xz)
        ylo = bounds[1][0] - min(0.0, yz)
        yhi = bounds[1][1] - max(0.0, yz)
        zlo, zhi = bounds[2][0], bounds[2][1]
        cell = np.array([[xhi - xlo, 0, 0], [xy, yhi - ylo, 0], [xz, yz, zhi - zlo]])
        types = data[:, names.index("type")].astype(int)
        pos = data[:, [names.index("x"), names.index("y"), names.index("z")]] - np.array([xlo, ylo, zlo])
        frames.append((step, Atoms([type_names[t - 1] for t in types], positions=pos, cell=cell, pbc=True)))
        k += 9 + n
    return frames
