"""Read and write ELF grids: Gaussian cube files and VASP ELFCAR (CHGCAR layout).

* cube (ASE's reader/writer, bohr on disk): the grid origin is moved to 0 by shifting the atoms,
  so the result follows :mod:`ptmlp.elf.grid`'s convention. Periodic cube files are expected
  without a repeated end point (as GPAW and VASP write them).
* ELFCAR: the POSCAR header, a blank line, ``NGX NGY NGZ`` and the values with x fastest.
  Unlike CHGCAR, ELFCAR values are the ELF itself (not multiplied by the cell volume), so they
  are read as written. A spin-polarised ELFCAR holds two blocks; the first (spin up) is read.
"""

from __future__ import annotations

import io as _io
import os
from pathlib import Path

import numpy as np
from ase.io import read as ase_read
from ase.io.cube import read_cube, write_cube

from ..errors import InputError
from .grid import ElfGrid


def read_cube_elf(path: str | os.PathLike, group: str = "") -> ElfGrid:
    try:
        with open(path) as fh:
            content = read_cube(fh, read_data=True)
    except FileNotFoundError:
        raise InputError(f"cube file {path}: no such file") from None
    except Exception as exc:
        raise InputError(f"cube file {path}: not a readable cube file ({type(exc).__name__}: {exc})") from None
    atoms = content["atoms"]
    origin = np.asarray(content.get("origin", np.zeros(3)), dtype=float)
    atoms.positions -= origin
    atoms.pbc = True
    return ElfGrid(atoms, np.asarray(content["data"], dtype=np.float32), group or Path(path).stem,
                   provenance={"source": str(path), "format": "cube"})


def write_cube_elf(path: str | os.PathLike, grid: ElfGrid) -> None:
    with open(path, "w") as fh:
        write_cube(fh, grid.atoms, data=grid.elf.astype(np.float64), origin=np.zeros(3),
                   comment="ELF (dimensionless) written by ptmlp elf")


def read_elfcar(path: str | os.PathLike, group: str = "") -> ElfGrid:
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        raise InputError(f"ELFCAR {path}: no such file") from None
    lines = text.splitlines()
    end = _poscar_header_end(lines, path)
    try:
        atoms = ase_read(_io.StringIO("\n".join(lines[:end]) + "\n"), format="vasp")
    except Exception as exc:
        raise InputError(f"ELFCAR {path}: the POSCAR header is not readable ({type(exc).__name__}: {exc})") from None
    k = end
    while k < len(lines) and not lines[k].strip():
        k += 1
    try:
        dims = tuple(int(v) for v in lines[k].split()[:3])
    except (ValueError, IndexError):
        raise InputError(f"ELFCAR {path}: line {k + 1} should hold NGX NGY NGZ after the positions") from None
    blank = k - 1
    n = int(np.prod(dims))
    values = np.array(" ".join(lines[blank + 2:]).split()[:n], dtype=float) if n else np.zeros(0)
    if len(values) != n or len(dims) != 3:
        raise InputError(f"ELFCAR {path}: expected {n} values for grid {dims}, found {len(values)}")
    elf = values.reshape(dims[::-1]).transpose(2, 1, 0)
    atoms.pbc = True
    return ElfGrid(atoms, elf.astype(np.float32), group or Path(path).stem,
                   provenance={"source": str(path), "format": "ELFCAR"})


def _poscar_header_end(lines: list[str], path) -> int:
    """Index of the first line after the atomic positions of a POSCAR-style header."""
    try:
        first = lines[5].split()
        counts_line = 5 if all(t.isdigit() for t in first) else 6
        n_atoms = sum(int(t) for t in lines[counts_line].split())
        k = counts_line + 1
        if lines[k].strip()[:1] in ("S", "s"):
            k += 1
        return k + 1 + n_atoms
    except (IndexError, ValueError):
        raise InputError(f"ELFCAR {path}: not a POSCAR-style header (lattice, species counts, positions)") from None


def write_elfcar(path: str | os.PathLike, grid: ElfGrid) -> None:
    """ELFCAR layout (VASP 5 header, direct coordinates, 5 values per line, x fastest)."""
    from ase.io import write

    buf = _io.StringIO()
    write(buf, grid.atoms, format="vasp", direct=True, vasp5=True)
    vals = grid.elf.transpose(2, 1, 0).ravel()
    rows = [" ".join(f"{v:.11E}" for v in vals[k:k + 5]) for k in range(0, len(vals), 5)]
    n1, n2, n3 = grid.shape
    Path(path).write_text(buf.getvalue().rstrip("\n") + f"\n\n {n1} {n2} {n3}\n" + "\n".join(rows) + "\n")


def read_elf_file(path: str | os.PathLike, group: str = "") -> ElfGrid:
    """Dispatch on the name: ``*.cube`` -> cube, anything else (ELFCAR, *.vasp) -> ELFCAR layout."""
    return read_cube_elf(path, group) if str(path).lower().endswith(".cube") else read_elfcar(path, group)
