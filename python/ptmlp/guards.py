"""Hard limits on a configuration, shared by the ASE calculator and the LAMMPS pair style.

``MIN_PAIR_DISTANCE_A`` is the one floor on the distance between two atoms; CMakeLists.txt reads
it from this file and compiles it into the plugin (``cpp/guards.h``), so both sides stop at the
same distance. Why 0.1 angstrom: no configuration in ptmlp's range comes near it. The shortest
bond in nature, H2, is 0.74 angstrom and stays above ~0.6 angstrom at TPa pressures; pushing two
H nuclei to 0.1 angstrom costs ~90 eV of screened Coulomb (ZBL) repulsion, two Fe nuclei ~40 keV,
far beyond any thermal collision in a planetary interior (kT = 8.6 eV at 100,000 K). Below it
remain only coincident or overlapping atoms (a structure mistake, or a run that has already
exploded), where a model returns meaningless or non-finite numbers. Closer pairs that are still
above the floor but shorter than anything in the training data get a warning in LAMMPS
(``training.min_pair_distance_A`` in the model's metadata), not an error.
"""

from __future__ import annotations

import numpy as np

from .errors import UnphysicalStructureError

MIN_PAIR_DISTANCE_A = 0.1


def check_positions(positions: np.ndarray, who: str) -> None:
    """Raise :class:`UnphysicalStructureError` (one line) if a position is NaN or infinite."""
    bad = np.flatnonzero(~np.isfinite(positions).all(axis=1))
    if bad.size:
        raise UnphysicalStructureError(f"{who}: atom {int(bad[0])} (ASE index) has a non-finite position "
                         f"{positions[bad[0]].tolist()}; {bad.size} atom(s) in all")


def check_pair_distances(edge_vec: np.ndarray, edge_i: np.ndarray, edge_j: np.ndarray, who: str) -> None:
    """Raise :class:`UnphysicalStructureError` naming the closest pair if it is closer than MIN_PAIR_DISTANCE_A.

    ``edge_vec`` (E, 3) r_ij in angstrom, ``edge_i``/``edge_j`` (E,) ASE atom indices."""
    if len(edge_vec) == 0:
        return
    r2 = np.einsum("ij,ij->i", edge_vec, edge_vec)
    e = int(np.argmin(r2))
    if r2[e] < MIN_PAIR_DISTANCE_A ** 2:
        raise UnphysicalStructureError(f"{who}: atoms {int(edge_i[e])} and {int(edge_j[e])} (ASE indices) are "
                         f"{np.sqrt(r2[e]):.4g} angstrom apart, closer than the {MIN_PAIR_DISTANCE_A} angstrom "
                         "floor (coincident or overlapping atoms); fix the structure")


def check_finite_results(energy: float, forces: np.ndarray, edge_vec: np.ndarray, edge_i: np.ndarray,
                         edge_j: np.ndarray, who: str) -> None:
    """Raise :class:`UnphysicalStructureError` (one line) if the energy or a force is NaN or infinite, naming the
    first such atom and its nearest neighbour."""
    if np.isfinite(energy) and np.isfinite(forces).all():
        return
    bad = np.flatnonzero(~np.isfinite(forces).all(axis=1))
    if bad.size == 0:
        raise UnphysicalStructureError(f"{who}: the model returned a non-finite energy ({energy}) with finite forces; "
                         "the structure is outside what the model can describe")
    atom = int(bad[0])
    near = ""
    mine = np.flatnonzero((edge_i == atom) | (edge_j == atom))
    if mine.size:
        r = np.sqrt(np.einsum("ij,ij->i", edge_vec[mine], edge_vec[mine]))
        k = mine[int(np.argmin(r))]
        other = int(edge_j[k] if edge_i[k] == atom else edge_i[k])
        near = f", nearest neighbour atom {other} at {r.min():.4g} angstrom"
    raise UnphysicalStructureError(f"{who}: the model returned a non-finite force on atom {atom} (ASE index{near}); "
                     f"{bad.size} atom(s) in all; the structure is outside what the model can describe")
