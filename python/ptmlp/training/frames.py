"""Labelled frames for training: an ASE structure with its energy, forces and virial."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from ase import Atoms

from ..errors import InputError


@dataclass
class Frame:
    atoms: Atoms
    energy_eV: float
    forces_eV_per_A: np.ndarray  # (N, 3)
    virial_eV: Optional[np.ndarray] = None  # (3, 3), W = -stress * V (LAMMPS sign)
    group: str = ""  # source trajectory; frames of one group never straddle train/test

    @classmethod
    def from_atoms(cls, atoms: Atoms, group: str = "") -> "Frame":
        """Take labels from ``atoms.calc`` (energy: the free energy when the calculator has one)."""
        if atoms.calc is None:
            raise InputError("structure has no labels: attach a calculator or SinglePointCalculator")
        res = atoms.calc.results
        energy = res.get("free_energy", res.get("energy"))
        if energy is None or "forces" not in res:
            raise InputError("structure labels need an energy and forces")
        virial = None
        if "stress" in res and atoms.pbc.all():
            s = np.asarray(res["stress"])
            full = s if s.shape == (3, 3) else np.array([[s[0], s[5], s[4]], [s[5], s[1], s[3]], [s[4], s[3], s[2]]])
            virial = -full * atoms.get_volume()
        clean = Atoms(atoms.get_chemical_symbols(), positions=atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
        return cls(clean, float(energy), np.array(res["forces"], dtype=float), virial, group)
