"""Hydrogen structures for ELF data: random fluid-like H2 packings, random crystals, hand-built lattices."""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.geometry import get_distances

from ..errors import InputError

H2_BOND_A = 0.74  # gas-phase H2 bond length (A); compressed H2 stays within a few % of it below 150 GPa


def _min_image_distances(positions: np.ndarray, new: np.ndarray, cell: np.ndarray) -> np.ndarray:
    if len(positions) == 0:
        return np.full(len(new), np.inf)
    _, d = get_distances(new, positions, cell=cell, pbc=True)
    return d.min(axis=1)


def random_molecular_hydrogen(n_atoms: int, volume_per_atom_A3: float, rng: np.random.Generator,
                              bond_A: float = H2_BOND_A, min_distance_A: float = 1.3,
                              max_tries: int = 20000) -> Atoms:
    """``n_atoms/2`` H2 molecules, random centres and orientations, in a cubic periodic cell.

    Intermolecular H-H distances are >= ``min_distance_A`` (lowered by 5 % whenever random
    placement stalls), so the packing starts an MD run without overlapping molecules.
    """
    if n_atoms < 2 or n_atoms % 2:
        raise InputError(f"n_atoms={n_atoms} must be an even number >= 2 (H2 molecules)")
    if not volume_per_atom_A3 > 0:
        raise InputError(f"volume_per_atom_A3={volume_per_atom_A3} must be positive")
    length = (n_atoms * volume_per_atom_A3) ** (1.0 / 3.0)
    cell = np.eye(3) * length
    positions = np.zeros((0, 3))
    d_min = float(min_distance_A)
    tries = 0
    while len(positions) < n_atoms:
        centre = rng.random(3) @ cell
        u = rng.normal(size=3)
        u /= np.linalg.norm(u)
        pair = np.array([centre + 0.5 * bond_A * u, centre - 0.5 * bond_A * u])
        if _min_image_distances(positions, pair, cell).min() >= d_min:
            positions = np.vstack([positions, pair])
        tries += 1
        if tries % 500 == 0:
            d_min *= 0.95
        if tries > max_tries:
            raise InputError(f"could not pack {n_atoms // 2} H2 molecules at {volume_per_atom_A3} A^3/atom")
    atoms = Atoms(f"H{n_atoms}", positions=positions, cell=cell, pbc=True)
    atoms.wrap()
    return atoms


def random_crystal(rng: np.random.Generator, lattice: str, n_atoms: int, volume_per_atom_A3: float,
                   min_distance_A: float = 0.7, max_tries: int = 5000) -> Atoms:
    """Random hydrogen positions in a cubic or hexagonal (c/a drawn in [0.8, 1.8]) periodic cell.

    A crude stand-in for the paper's random cubic/hexagonal crystals (no space-group
    sampling): atoms at least ``min_distance_A`` apart; ``volume_per_atom_A3`` sets the density.
    """
    volume = n_atoms * volume_per_atom_A3
    if lattice == "cubic":
        cell = np.eye(3) * volume ** (1.0 / 3.0)
    elif lattice == "hexagonal":
        c_over_a = rng.uniform(0.8, 1.8)
        a = (volume / (c_over_a * np.sqrt(3.0) / 2.0)) ** (1.0 / 3.0)
        cell = np.array([[a, 0, 0], [-0.5 * a, 0.5 * np.sqrt(3.0) * a, 0], [0, 0, c_over_a * a]])
    else:
        raise InputError(f"lattice {lattice!r} must be 'cubic' or 'hexagonal'")
    positions = np.zeros((0, 3))
    for _ in range(max_tries):
        trial = (rng.random(3) @ cell)[None, :]
        if _min_image_distances(positions, trial, cell).min() >= min_distance_A:
            positions = np.vstack([positions, trial])
            if len(positions) == n_atoms:
                return Atoms(f"H{n_atoms}", positions=positions, cell=cell, pbc=True)
    raise InputError(f"could not place {n_atoms} H atoms {min_distance_A} A apart at {volume_per_atom_A3} A^3/atom")


def h2_molecular_crystal(spacing_A: float, bond_A: float = H2_BOND_A) -> Atoms:
    """One H2 molecule along (1,1,1) per simple-cubic cell of edge ``spacing_A`` (isolated molecules
    when the spacing is large)."""
    u = np.ones(3) / np.sqrt(3.0)
    return Atoms("H2", positions=[0.5 * spacing_A - 0.5 * bond_A * u, 0.5 * spacing_A + 0.5 * bond_A * u],
                 cell=np.eye(3) * spacing_A, pbc=True)


def simple_cubic_hydrogen(a_A: float) -> Atoms:
    """Atomic hydrogen on a simple-cubic lattice of edge ``a_A`` (one atom per cell)."""
    return Atoms("H", positions=[[0.0, 0.0, 0.0]], cell=np.eye(3) * a_A, pbc=True)
