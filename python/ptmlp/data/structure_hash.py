"""Hashes for de-duplication: same species, cell, pbc, positions (to 1e-8 A) and, for labels at a
finite electronic temperature, the same T_e (to 1e-3 K): one geometry labelled at several T_e
gives several distinct frames.

Lengths are rounded to integers of 1e-8 A, the precision of extxyz (ASE writes 8 decimals), so a
structure read from extxyz and from a binary format (deepmd/npy, HDF5, ASE trajectory) hashes
alike; rounding to 1e-6 A (HASH_VERSION 1) split half of the frames of a 54-atom set imported both
ways, because 8-decimal text lands on the other side of a 6-decimal boundary for ~1 % of the
coordinates (tests/unit/test_data_store.py)."""

from __future__ import annotations

import hashlib
import math

import numpy as np
from ase import Atoms

HASH_VERSION = 2
LENGTH_QUANTUM_A = 1e-8


def _quantized(values) -> bytes:
    return np.rint(np.asarray(values, dtype=float) / LENGTH_QUANTUM_A).astype(np.int64).tobytes()


def structure_hash(atoms: Atoms, te_K: float = math.nan) -> str:
    """32-hex-digit hash of (atomic numbers, wrapped positions, cell, pbc[, T_e])."""
    h = hashlib.sha256()
    h.update(np.asarray(atoms.numbers, dtype=np.int64).tobytes())
    h.update(_quantized(atoms.cell.array))
    h.update(np.asarray(atoms.pbc, dtype=np.uint8).tobytes())
    h.update(_quantized(atoms.get_positions(wrap=bool(atoms.pbc.any()))))
    if math.isfinite(te_K):
        h.update(f"te_K={te_K:.3f}".encode())
    return h.hexdigest()[:32]
