"""Voigt notation for stiffness tensors: index maps, tensor <-> 6x6 matrix, rotations.

Convention (Nye): Voigt index 1..6 = xx, yy, zz, yz, xz, xy; stresses are tensor components and
strains are engineering strains (e4 = 2 eps_yz), so sigma_i = C_ij e_j with the same 6x6 C as
C_ijkl. Arrays here are 0-based: ``VOIGT_PAIRS[3] == (1, 2)`` is Voigt index 4 (yz).
"""

from __future__ import annotations

import numpy as np

#: (i, j) Cartesian pair of each Voigt index 0..5 (xx, yy, zz, yz, xz, xy)
VOIGT_PAIRS = ((0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1))
VOIGT_LABELS = ("xx", "yy", "zz", "yz", "xz", "xy")
_VOIGT_INDEX = np.array([[0, 5, 4], [5, 1, 3], [4, 3, 2]])


def voigt_index(i: int, j: int) -> int:
    """Voigt index (0..5) of the Cartesian pair (i, j)."""
    return int(_VOIGT_INDEX[i, j])


def voigt_to_tensor(c: np.ndarray) -> np.ndarray:
    """6x6 Voigt stiffness -> (3, 3, 3, 3) tensor C_ijkl."""
    c = np.asarray(c, dtype=float)
    return c[np.ix_(_VOIGT_INDEX.ravel(), _VOIGT_INDEX.ravel())].reshape(3, 3, 3, 3)


def tensor_to_voigt(t: np.ndarray) -> np.ndarray:
    """(3, 3, 3, 3) tensor -> 6x6 Voigt matrix (minor symmetries averaged)."""
    out = np.empty((6, 6))
    for a, (i, j) in enumerate(VOIGT_PAIRS):
        for b, (k, l) in enumerate(VOIGT_PAIRS):
            out[a, b] = 0.25 * (t[i, j, k, l] + t[j, i, k, l] + t[i, j, l, k] + t[j, i, l, k])
    return out


def bond_matrix(rot: np.ndarray) -> np.ndarray:
    """Bond (1954) 6x6 matrix K with C' = K C K^T for a rotation R (stiffness, Voigt convention)."""
    r = np.asarray(rot, dtype=float)
    k = np.empty((6, 6))
    for a, (i, j) in enumerate(VOIGT_PAIRS):
        for b, (p, q) in enumerate(VOIGT_PAIRS):
            if p == q:
                k[a, b] = r[i, p] * r[j, q]
            else:
                k[a, b] = r[i, p] * r[j, q] + r[i, q] * r[j, p]
    return k


def rotate_voigt(c: np.ndarray, rot: np.ndarray) -> np.ndarray:
    """Stiffness C (6x6) expressed in a frame rotated by R: C'_ijkl = R_ia R_jb R_kc R_ld C_abcd."""
    k = bond_matrix(rot)
    return k @ np.asarray(c, dtype=float) @ k.T


def strain_matrix(voigt: int, amplitude: float) -> np.ndarray:
    """Symmetric strain tensor for engineering strain ``amplitude`` in Voigt component ``voigt``."""
    i, j = VOIGT_PAIRS[voigt]
    eps = np.zeros((3, 3))
    if i == j:
        eps[i, i] = amplitude
    else:
        eps[i, j] = eps[j, i] = 0.5 * amplitude
    return eps
