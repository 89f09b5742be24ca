"""Crystal graph of a slab: every atom's ``max_neighbours`` nearest neighbours within ``radius_A``
(periodic images in the surface plane; none across the vacuum), plus any tied with the last one
so that the graph does not depend on the order of the atoms."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ase import Atoms

from ..errors import InputError
from .geometry import contiguous, slab_geometry

#: neighbours closer than the last kept one by less than this are kept with it (Å)
TIE_TOLERANCE_A = 1e-4


@dataclass
class CrystalGraph:
    numbers: np.ndarray  # (n_atoms,) atomic numbers
    depth_A: np.ndarray  # (n_atoms,) distance along the slab normal to the nearer surface
    centre: np.ndarray  # (n_edges,) index i of the atom whose neighbour this is
    neighbour: np.ndarray  # (n_edges,) index j of the neighbour (a periodic image of atom j)
    distance_A: np.ndarray  # (n_edges,) |r_j + image shift - r_i|

    @property
    def n_atoms(self) -> int:
        return len(self.numbers)


def nearest_neighbours(atoms: Atoms, max_neighbours: int, radius_A: float):
    """(centre, neighbour, distance) of every atom's ``max_neighbours`` nearest neighbours within
    ``radius_A``, periodic images along the lattice vectors where ``atoms.pbc`` is true."""
    from scipy.spatial import cKDTree

    cell = atoms.cell.array
    volume = abs(np.linalg.det(cell))
    reps = []
    for k in range(3):
        i, j = [m for m in range(3) if m != k]
        spacing = volume / np.linalg.norm(np.cross(cell[i], cell[j]))
        reps.append(int(np.ceil(radius_A / spacing)) if atoms.pbc[k] else 0)
    shifts = np.array(np.meshgrid(*[np.arange(-n, n + 1) for n in reps], indexing="ij")).reshape(3, -1).T
    n = len(atoms)
    pos = atoms.positions
    images = (pos[None, :, :] + (shifts @ cell)[:, None, :]).reshape(-1, 3)
    owner = np.tile(np.arange(n), len(shifts))
    tree = cKDTree(images)
    k = min(max_neighbours + 9, len(images))
    while True:
        d, idx = tree.query(pos, k=k, distance_upper_bound=radius_A)
        d, idx = np.atleast_2d(d)[:, 1:], np.atleast_2d(idx)[:, 1:]  # column 0 is the atom itself
        if k == len(images) or np.all(~np.isfinite(d[:, -1]) | (d[:, -1] > d[:, min(max_neighbours, k - 1) - 1]
                                                                 + TIE_TOLERANCE_A)):
            break
        k = min(2 * k, len(images))
    m = min(max_neighbours, d.shape[1])
    kth = d[:, m - 1:m]
    keep = np.isfinite(d) & ((np.arange(d.shape[1])[None, :] < m) | (d <= kth + TIE_TOLERANCE_A))
    centre = np.nonzero(keep)[0]
    return centre, owner[idx[keep]], d[keep]


def build_graph(atoms: Atoms, max_neighbours: int = 12, radius_A: float = 12.0, min_vacuum_A: float = 5.0,
                name: str = "structure") -> CrystalGraph:
    """The crystal graph of slab ``atoms`` (periodic in the two in-plane directions)."""
    geom = slab_geometry(atoms, min_vacuum_A, name)
    slab = contiguous(atoms, geom)
    centre, neighbour, distance = nearest_neighbours(slab, max_neighbours, radius_A)
    if len(distance) and distance.min() < 0.1:
        e = int(np.argmin(distance))
        raise InputError(f"{name}: atoms {int(centre[e])} and {int(neighbour[e])} overlap ({distance[e]:.3f} A apart)")
    lonely = np.setdiff1d(np.arange(len(atoms)), centre)
    if len(lonely):
        raise InputError(f"{name}: atom {int(lonely[0])} ({atoms.get_chemical_symbols()[lonely[0]]}) has no "
                         f"neighbour within {radius_A:g} A")
    return CrystalGraph(numbers=atoms.numbers.astype(np.int64), depth_A=geom.depth_A.astype(np.float32),
                        centre=centre.astype(np.int64), neighbour=neighbour.astype(np.int64),
                        distance_A=distance.astype(np.float32))
