"""Hashes for de-duplication: same species, cell, pbc, positions (to 1e-8 A) and, for labels at a
finite electronic temperature, the same T_e (to 1e-3 K): one geometry labelled at several T_e
gives several distinct frames.

A structure read from extxyz and the same structure from a binary format (deepmd/npy, HDF5, ASE
trajectory) must hash alike. extxyz keeps positions as "%16.8f" text, so lengths are first rounded
exactly as that text rounds them (decimal formatting of the binary value, not x/1e-8 in floating
point), and only then wrapped into the cell and turned into integers of 1e-8 A:

- HASH_VERSION 1 rounded to 1e-6 A: half of the frames of a 54-atom set imported both ways split,
  because 8-decimal text lands on the other side of a 6-decimal boundary.
- HASH_VERSION 2 rounded x/1e-8 with np.rint: the mlearn Mo set has 9-decimal positions such as
  1.464768755, a tie that "%.8f" rounds down and np.rint(x/1e-8) rounds up (1 frame of 24), and
  wrapping before rounding moves a tie by 1e-16 either way.
(tests/unit/test_data_store.py, tests/integration/test_journey_mo.py)"""

from __future__ import annotations

import hashlib
import math

import numpy as np
from ase import Atoms
from ase.geometry import wrap_positions

HASH_VERSION = 3
LENGTH_QUANTUM_A = 1e-8
_TEXT_FORMAT = "%.8f"  # what extxyz writes for positions (ASE: %16.8f)


def _as_text_rounds(values) -> np.ndarray:
    """Values rounded to 8 decimals the way formatted text rounds them (correctly rounded decimal)."""
    a = np.asarray(values, dtype=float)
    return np.char.mod(_TEXT_FORMAT, a).astype(float).reshape(a.shape)


def _integers(values) -> bytes:
    return np.rint(np.asarray(values, dtype=float) / LENGTH_QUANTUM_A).astype(np.int64).tobytes()


def structure_hash(atoms: Atoms, te_K: float = math.nan) -> str:
    """32-hex-digit hash of (atomic numbers, wrapped positions, cell, pbc[, T_e])."""
    cell = _as_text_rounds(atoms.cell.array)
    positions = _as_text_rounds(atoms.positions)
    if atoms.pbc.any():
        positions = wrap_positions(positions, cell, pbc=atoms.pbc)
    h = hashlib.sha256()
    h.update(np.asarray(atoms.numbers, dtype=np.int64).tobytes())
    h.update(_integers(cell))
    h.update(np.asarray(atoms.pbc, dtype=np.uint8).tobytes())
    h.update(_integers(positions))
    if math.isfinite(te_K):
        h.update(f"te_K={te_K:.3f}".encode())
    return h.hexdigest()[:32]
