"""Crystal symmetry of a structure (spglib): space group, crystal system, Cartesian point-group
rotations and the rotation to spglib's standard orientation.

Used by the elastic workflow (tensor projection, named constants) and the phonon QHA (cubic
crystals keep their shape when the volume changes).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError, PtmlpError

CRYSTAL_SYSTEMS = ("triclinic", "monoclinic", "orthorhombic", "tetragonal", "trigonal", "hexagonal", "cubic")


def crystal_system(space_group_number: int) -> str:
    """Crystal system of an international space-group number (1-230)."""
    for upper, name in ((2, "triclinic"), (15, "monoclinic"), (74, "orthorhombic"), (142, "tetragonal"),
                        (167, "trigonal"), (194, "hexagonal"), (230, "cubic")):
        if space_group_number <= upper:
            return name
    raise ValueError(f"space group number {space_group_number} is not in 1..230")


@dataclass
class SymmetryInfo:
    """Symmetry of a structure: space group, crystal system, Cartesian point-group rotations."""

    space_group: str
    space_group_number: int
    crystal_system: str
    rotations_cartesian: list = field(repr=False)
    #: rotation taking Cartesian vectors of the input frame to spglib's standard orientation
    std_rotation: np.ndarray = field(repr=False)


def analyse_symmetry(atoms, symprec_A: float = 1e-3) -> SymmetryInfo:
    """Space group and Cartesian point-group rotations of ``atoms`` (spglib, tolerance ``symprec_A``)."""
    try:
        import spglib
    except ImportError:
        raise PtmlpError("spglib is not installed; pip install 'ptmlp[analysis]'") from None
    lattice = atoms.cell.array
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # spglib's OLD_ERROR_HANDLING notice
        data = spglib.get_symmetry_dataset((lattice, atoms.get_scaled_positions(), atoms.numbers),
                                           symprec=symprec_A)
    if data is None:
        raise InputError(f"spglib could not determine the symmetry of the structure (symprec {symprec_A} A)")
    # x_cart = L^T x_frac  ->  R_cart = L^T W L^-T
    lt = lattice.T
    lt_inv = np.linalg.inv(lt)
    rots: list[np.ndarray] = []
    for w in data.rotations:
        r = lt @ w @ lt_inv
        if not any(np.allclose(r, q, atol=1e-6) for q in rots):
            rots.append(r)
    return SymmetryInfo(space_group=str(data.international), space_group_number=int(data.number),
                        crystal_system=crystal_system(int(data.number)), rotations_cartesian=rots,
                        std_rotation=np.asarray(data.std_rotation_matrix, dtype=float))
