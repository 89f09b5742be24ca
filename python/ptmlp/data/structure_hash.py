"""Hashes for de-duplication: same species, cell, pbc, positions (to 1e-6 A) and, for labels at a
finite electronic temperature, the same T_e (to 1e-3 K): one geometry labelled at several T_e
gives several distinct frames."""

from __future__ import annotations

import hashlib
import math

import numpy as np
from ase import Atoms

POSITION_DECIMALS = 6  # angstrom: 1e-6 A


def structure_hash(atoms: Atoms, te_K: float = math.nan) -> str:
    """32-hex-digit hash of (atomic numbers, wrapped positions, cell, pbc[, T_e])."""
    h = hashlib.sha256()
    h.update(np.asarray(atoms.numbers, dtype=np.int64).tobytes())
    h.update(np.round(np.asarray(atoms.cell.array, dtype=float), POSITION_DECIMALS).tobytes())
    h.update(np.asarray(atoms.pbc, dtype=np.uint8).tobytes())
    pos = atoms.get_positions(wrap=bool(atoms.pbc.any()))
    rounded = np.round(pos, POSITION_DECIMALS) + 0.0  # +0.0 turns -0.0 into 0.0
    h.update(rounded.tobytes())
    if math.isfinite(te_K):
        h.update(f"te_K={te_K:.3f}".encode())
    return h.hexdigest()[:32]
