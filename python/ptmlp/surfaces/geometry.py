"""Slab geometry from the structure alone: the slab normal is the one lattice direction with a
vacuum gap, heights are measured along it, and each atom's depth is its distance (along the
normal) to the nearer of the two surfaces."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ase import Atoms

from ..errors import InputError


@dataclass(frozen=True)
class SlabGeometry:
    axis: int  # index of the lattice vector that leaves the surface plane
    normal: np.ndarray  # (3,) unit normal of the surface plane
    heights_A: np.ndarray  # (n_atoms,) height above the lowest atom along the normal
    thickness_A: float  # highest minus lowest atom
    vacuum_A: float  # the gap between the top surface and the periodic image of the bottom one
    image_shift: np.ndarray  # (n_atoms,) integer multiples of cell[axis] that make the slab contiguous

    @property
    def depth_A(self) -> np.ndarray:
        """(n_atoms,) distance along the normal to the nearer surface (0 for the outermost atoms)."""
        return np.minimum(self.heights_A, self.thickness_A - self.heights_A)


def _largest_gaps(atoms: Atoms) -> list[tuple[float, float, np.ndarray]]:
    """Per lattice direction k: (largest empty gap in Å along the normal of the plane spanned by
    the two other vectors, fractional coordinate where the gap ends, that normal)."""
    cell = atoms.cell.array
    volume = abs(np.linalg.det(cell))
    frac = atoms.cell.scaled_positions(atoms.positions) % 1.0
    out = []
    for k in range(3):
        i, j = [m for m in range(3) if m != k]
        cross = np.cross(cell[i], cell[j])
        spacing = volume / np.linalg.norm(cross)  # distance between lattice planes along the normal
        normal = cross / np.linalg.norm(cross)
        if np.dot(normal, cell[k]) < 0:
            normal = -normal
        s = np.sort(frac[:, k])
        gaps = np.diff(np.concatenate([s, [s[0] + 1.0]]))
        g = int(np.argmax(gaps))
        out.append((float(gaps[g] * spacing), float(s[(g + 1) % len(s)]), normal))
    return out


def slab_geometry(atoms: Atoms, min_vacuum_A: float = 5.0, name: str = "structure") -> SlabGeometry:
    """The slab's normal, heights and depths; :class:`InputError` (one line) if ``atoms`` is not a
    slab: no cell, no vacuum gap of ``min_vacuum_A`` along any lattice direction (a bulk crystal),
    or gaps along more than one (a wire or a cluster)."""
    if len(atoms) == 0:
        raise InputError(f"{name}: no atoms")
    if atoms.cell.rank < 3:
        raise InputError(f"{name}: the structure has no 3-D cell (a slab needs two in-plane lattice vectors "
                         "and one across the vacuum)")
    gaps = _largest_gaps(atoms)
    with_vacuum = [k for k, (gap, _, _) in enumerate(gaps) if gap >= min_vacuum_A]
    if not with_vacuum:
        largest = max(g for g, _, _ in gaps)
        raise InputError(f"{name}: no vacuum gap of at least {min_vacuum_A:g} A along any lattice direction "
                         f"(largest {largest:.1f} A): a bulk crystal, not a slab (give it as a bulk crystal to "
                         "predict its low-index facets, or add vacuum)")
    if len(with_vacuum) > 1:
        dirs = ", ".join(f"{'abc'[k]} {gaps[k][0]:.1f} A" for k in with_vacuum)
        raise InputError(f"{name}: vacuum gaps along {len(with_vacuum)} lattice directions ({dirs}): not a slab "
                         "(a wire or a cluster); a slab is periodic in two directions with vacuum along the third")
    k = with_vacuum[0]
    gap, start, normal = gaps[k]
    frac = atoms.cell.scaled_positions(atoms.positions)[:, k]
    shifted = (frac - start) % 1.0  # slab contiguous from 0 upwards
    shifted[shifted > 1.0 - 1e-9] = 0.0
    spacing = abs(np.linalg.det(atoms.cell.array)) / np.linalg.norm(
        np.cross(*[atoms.cell.array[m] for m in range(3) if m != k]))
    heights = shifted * spacing
    heights = heights - heights.min()
    shift = np.round(start + shifted - frac).astype(np.int64)
    return SlabGeometry(axis=k, normal=normal, heights_A=heights, thickness_A=float(heights.max()), vacuum_A=gap,
                        image_shift=shift)


def contiguous(atoms: Atoms, geom: SlabGeometry) -> Atoms:
    """A copy of slab ``atoms`` whose atoms are moved by lattice vectors along the normal so that none
    straddles the cell boundary, with no periodicity along the normal (no bonds across the vacuum)."""
    slab = atoms.copy()
    slab.positions += geom.image_shift[:, None] * atoms.cell.array[geom.axis][None, :]
    pbc = [True, True, True]
    pbc[geom.axis] = False
    slab.pbc = pbc
    return slab

