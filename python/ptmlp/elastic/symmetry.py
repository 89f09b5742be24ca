"""Crystal symmetry for elastic tensors: detect it (spglib), check a requested reduction,
project a measured C_ij onto the symmetric form, and name its independent constants.

The projection averages C over the crystal's point-group rotations (in the Cartesian frame of
the input cell), C_sym = (1/|G|) sum_g K_g C K_g^T, which works in any orientation. Named
constants (C11, C12, C44, ...) are read in spglib's standard orientation (c along z, a along x
for hexagonal/trigonal; monoclinic unique axis b), as in Nye (1985) and Mouhat & Coudert,
Phys. Rev. B 90, 224104 (2014).
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..symmetry import CRYSTAL_SYSTEMS, SymmetryInfo, analyse_symmetry
from .voigt import bond_matrix, rotate_voigt

__all__ = ["SYMMETRY_REQUESTS", "SymmetryInfo", "analyse_symmetry", "independent_constants", "independent_names",
           "resolve_request", "rotate_errors", "symmetrize", "impose_symmetry", "to_standard_frame"]

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


def independent_names(info: SymmetryInfo) -> tuple[str, ...]:
    """Names of the independent elastic constants of the structure's Laue class."""
    names = _INDEPENDENT[info.crystal_system]
    if info.crystal_system == "tetragonal" and info.space_group_number <= 88:
        names = names + ("C16",)
    if info.crystal_system == "trigonal" and info.space_group_number <= 148:
        names = names + ("C15",)
    return names


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


def impose_symmetry(c: np.ndarray, c_err: np.ndarray, info: SymmetryInfo,
                    system: str) -> tuple[np.ndarray, np.ndarray]:
    """C and its errors with the symmetry imposed (``system`` from :func:`resolve_request`): the
    point-group average of :func:`symmetrize`, or for ``none`` only C_ij = C_ji."""
    if system == "none":
        return 0.5 * (c + c.T), 0.5 * np.sqrt(c_err ** 2 + c_err.T ** 2)
    return symmetrize(c, c_err, info.rotations_cartesian)


def to_standard_frame(c: np.ndarray, info: SymmetryInfo) -> np.ndarray:
    """C expressed in spglib's standard orientation of the crystal."""
    return rotate_voigt(c, info.std_rotation)


def independent_constants(c_std: np.ndarray, err_std: np.ndarray | None, info: SymmetryInfo,
                          system: str) -> dict[str, tuple[float, float]]:
    """{"C11": (value_GPa, err_GPa), ...} for the named constants of ``system`` (standard frame)."""
    names = independent_names(info) if system == info.crystal_system else _INDEPENDENT["triclinic"]
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
