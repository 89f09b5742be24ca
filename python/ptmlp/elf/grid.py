"""ELF on a periodic real-space grid, and the grid-point coordinates.

Convention (as GPAW, VASP CHGCAR/ELFCAR and Gaussian cube files with origin 0):
``elf[i, j, k]`` is the value at r = (i/n1) a1 + (j/n2) a2 + (k/n3) a3, a_i the rows of the cell (A).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Optional

import numpy as np
from ase import Atoms

from ..errors import InputError


@dataclasses.dataclass
class ElfGrid:
    """One snapshot: atoms and their ELF grid (dimensionless, 0..1)."""

    atoms: Atoms
    elf: np.ndarray  # (n1, n2, n3) float32, ELF at grid points (see module docstring)
    group: str = ""  # e.g. "fluid_115GPa_run0", "crystal_random"
    temperature_K: float = math.nan  # ionic temperature of the MD the snapshot came from
    pressure_GPa: float = math.nan  # DFT pressure of the snapshot (static + ideal-gas term at temperature_K)
    provenance: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        self.elf = np.asarray(self.elf, dtype=np.float32)
        if self.elf.ndim != 3 or min(self.elf.shape) < 1:
            raise InputError(f"ELF grid must be 3-D (n1, n2, n3), got shape {self.elf.shape}")
        if not np.isfinite(self.elf).all():
            raise InputError("ELF grid holds non-finite values")

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(int(v) for v in self.elf.shape)

    def points_A(self, flat_indices: Optional[np.ndarray] = None) -> np.ndarray:
        """Cartesian coordinates (A) of grid points (all, C order, or the given flat indices)."""
        return grid_points_A(self.atoms.cell.array, self.shape, flat_indices)


def grid_fractional(shape: tuple[int, int, int], flat_indices: Optional[np.ndarray] = None) -> np.ndarray:
    """Fractional coordinates (P, 3) of the grid points, C order (k fastest)."""
    shape = tuple(int(v) for v in shape)
    if flat_indices is None:
        flat_indices = np.arange(int(np.prod(shape)))
    ijk = np.stack(np.unravel_index(np.asarray(flat_indices, dtype=np.int64), shape), axis=1)
    return ijk / np.asarray(shape, dtype=float)


def grid_points_A(cell_A: np.ndarray, shape: tuple[int, int, int],
                  flat_indices: Optional[np.ndarray] = None) -> np.ndarray:
    return grid_fractional(shape, flat_indices) @ np.asarray(cell_A, dtype=float)


def grid_shape_for_spacing(cell_A: np.ndarray, spacing_A: float, multiple: int = 2) -> tuple[int, int, int]:
    """Points along each cell vector so that the spacing along it is <= ``spacing_A``.

    Rounded up to a multiple of ``multiple`` (FFT-friendly, and equal shapes for equal cells).
    """
    if not spacing_A > 0:
        raise InputError(f"ELF grid spacing {spacing_A} A must be positive")
    lengths = np.linalg.norm(np.asarray(cell_A, dtype=float), axis=1)
    n = np.ceil(lengths / spacing_A / multiple).astype(int) * multiple
    return tuple(int(max(v, multiple)) for v in n)
