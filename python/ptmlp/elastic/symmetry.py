"""Crystal symmetry for elastic tensors: detect it (spglib), check a requested reduction,
project a measured C_ij onto the symmetric form, and name its independent constants.

The projection averages C over the crystal's point-group rotations (in the Cartesian frame of
the input cell), C_sym = (1/|G|) sum_g K_g C K_g^T, which works in any orientation. Named
constants (C11, C12, C44, ...) are read in spglib's standard orientation (c along z, a along x
for hexagonal/trigonal; monoclinic unique axis b), as in Nye (1985) and Mouhat & Coudert,
Phys. Rev. B 90, 224104 (2014).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError, PtmlpError
from .voigt import bond_matrix, rotate_voigt

CRYSTAL_SYSTEMS = ("triclinic", "monoclinic", "orthorhombic", "tetragonal", "trigonal", "hexagonal", "cubic")
#: accepted values of a symmetry request: a crystal system, ``auto`` (detect), or ``none`` (no projection)
SYMMETRY_REQUESTS = ("auto", "none") + CRYSTAL_SYSTEMS

_INDEPENDENT = {
    "cubic": ("C11", "C12", "C44"),
    "hexagonal": ("C11", "C12", "C13", "C33", "C44"),
    "tetragonal": ("C11", "C12", "C13", "C33", "C44", "C66"),
    "trigonal": ("C11", "C12", "C13", "C14", "C33", "C44"),
    "orthorhombic": ("C11", "C22", "C33", "C12", "C13", "C23", "C44", "C55", "C66"),
    "monoclinic": ("C11", "C22", "C33", "C12", "C13", "C23", "C44", "C55", "C66", "C15", "C25", "C35", "C46"),
    "triclinic": tuple(f"C{i}{j}" for i in range(1, 7) for j in range(i, 7)),
}


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

    @property
    def independent_names(self) -> tuple[str, ...]:
        names = _INDEPENDENT[self.crystal_system]
        if self.crystal_system == "tetragonal" and self.space_group_number <= 88:
            names = names + ("C16",)
        if self.crystal_system == "trigonal" and self.space_group_number <= 148:
            names = names + ("C15",)
        return names


def analyse_symmetry(atoms, symprec: float = 1e-3) -> SymmetryInfo:
    """Space group and Cartesian point-group rotations of ``atoms`` (spglib, tolerance ``symprec`` angstrom)."""
    try:
        import spglib
    except ImportError:
        raise PtmlpError("spglib is not installed; pip install 'ptmlp[analysis]'") from None
    lattice = atoms.cell.array
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # spglib's OLD_ERROR_HANDLING notice
        data = spglib.get_symmetry_dataset((lattice, atoms.get_scaled_positions(), atoms.numbers), symprec=symprec)
    if data is None:
        raise InputError(f"spglib could not determine the symmetry of the structure (symprec {symprec} A)")
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


def resolve_request(info: SymmetryInfo, requested: str) -> str:
    """Crystal system to impose for a user request; raises :class:`InputError` on a bad request.

    ``auto`` uses the detected system; ``none`` imposes nothing (returned as ``"none"``); a named
    system must equal the structure's own system (spglib), since projecting onto another form
    would either discard measured constants or invent ones the crystal does not have.
    """
    req = str(requested).strip().lower()
    if req not in SYMMETRY_REQUESTS:
        raise InputError(f"unknown symmetry {requested!r}; use one of {', '.join(SYMMETRY_REQUESTS)}")
    if req == "auto":
        return info.crystal_system
    if req == "none":
        return "none"
    if req != info.crystal_system:
        raise InputError(f"symmetry {req!r} was requested but the structure is {info.crystal_system} "
                         f"(space group {info.space_group}, No. {info.space_group_number}); "
                         f"use symmetry: {info.crystal_system}, auto or none")
    return req


def symmetrize(c: np.ndarray, c_err: np.ndarray | None, rotations: list) -> tuple[np.ndarray, np.ndarray | None]:
    """Average C (6x6, also over C_ij/C_ji) over point-group rotations.

    C_sym is linear in the measured elements, C_sym_ab = sum_cd W_abcd C_cd; errors are propagated
    through W assuming the 36 measured elements are independent.
    """
    c = np.asarray(c, float)
    w = np.zeros((6, 6, 6, 6))
    for r in rotations:
        k = bond_matrix(r)
        kk = np.einsum("ac,bd->abcd", k, k)
        w += 0.5 * (kk + kk.transpose(0, 1, 3, 2))
    w /= len(rotations)
    out = np.einsum("abcd,cd->ab", w, c)
    err = None
    if c_err is not None:
        err = np.sqrt(np.einsum("abcd,cd->ab", w ** 2, np.asarray(c_err, float) ** 2))
    return out, err


def to_standard_frame(c: np.ndarray, info: SymmetryInfo) -> np.ndarray:
    """C expressed in spglib's standard orientation of the crystal."""
    return rotate_voigt(c, info.std_rotation)


def independent_constants(c_std: np.ndarray, err_std: np.ndarray | None, info: SymmetryInfo,
                          system: str) -> dict[str, tuple[float, float]]:
    """{"C11": (value_GPa, err_GPa), ...} for the named constants of ``system`` (standard frame)."""
    names = info.independent_names if system == info.crystal_system else _INDEPENDENT["triclinic"]
    out = {}
    for name in names:
        i, j = int(name[1]) - 1, int(name[2]) - 1
        e = float(err_std[i, j]) if err_std is not None else float("nan")
        out[name] = (float(c_std[i, j]), e)
    return out


def rotate_errors(err: np.ndarray, rot: np.ndarray) -> np.ndarray:
    """Propagate independent element errors of C through a rotation (see :func:`rotate_voigt`)."""
    k2 = bond_matrix(rot) ** 2
    return np.sqrt(k2 @ (np.asarray(err, float) ** 2) @ k2.T)
