"""Structure hashes for de-duplication: same species, cell, pbc and positions (to 1e-6 A)."""

from __future__ import annotations

import hashlib

import numpy as np
from ase import Atoms

POSITION_DECIMALS = 6  # angstrom: 1e-6 A


def structure_hash(atoms: Atoms) -> str:
    """32-hex-digit hash of (atomic numbers, wrapped positions, cell, pbc)."""
    h = hashlib.sha256()
    h.update(np.asarray(atoms.numbers, dtype=np.int64).tobytes())
    h.update(np.round(np.asarray(atoms.cell.array, dtype=float), POSITION_DECIMALS).tobytes())
    h.update(np.asarray(atoms.pbc, dtype=np.uint8).tobytes())
    pos = atoms.get_positions(wrap=bool(atoms.pbc.any()))
    rounded = np.round(pos, POSITION_DECIMALS) + 0.0  # +0.0 turns -0.0 into 0.0
    h.update(rounded.tobytes())
    return h.hexdigest()[:32]
