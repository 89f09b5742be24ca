"""A labelled frame: structure + free energy, forces, virial, electronic temperature."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
from ase import Atoms

from ..errors import InputError


def stress_to_virial_eV(stress_voigt_or_3x3, volume_A3: float) -> np.ndarray:
    """ASE stress (eV/A^3, negative under compression) -> virial W (eV, positive under
    compression, LAMMPS/DeePMD sign): W = -stress * V. The one place this sign is handled."""
    s = np.asarray(stress_voigt_or_3x3, dtype=float)
    if s.shape == (6,):
        s = np.array([[s[0], s[5], s[4]], [s[5], s[1], s[3]], [s[4], s[3], s[2]]])
    return -s * volume_A3


def virial_to_stress(virial_eV: np.ndarray, volume_A3: float) -> np.ndarray:
    """Inverse of :func:`stress_to_virial_eV` (3x3 stress, eV/A^3, ASE sign)."""
    return -np.asarray(virial_eV, dtype=float) / volume_A3


@dataclass
class Frame:
    atoms: Atoms
    energy_eV: float  # electronic free energy for finite-T_e labels
    forces_eV_per_A: np.ndarray  # (N, 3)
    virial_eV: Optional[np.ndarray] = None  # (3, 3), W = -stress V (positive under compression)
    group: str = ""  # source trajectory; frames of one group never straddle splits
    te_K: float = math.nan  # electronic temperature of the label (NaN: unknown / ground state)
    temperature_K: float = math.nan  # ionic temperature of the source MD, if known
    provenance: dict[str, Any] = field(default_factory=dict)  # source file or labeler + settings

    @property
    def pressure_GPa(self) -> float:
        """Static (virial) pressure of the label, GPa; NaN without virial."""
        if self.virial_eV is None or not self.atoms.pbc.all():
            return math.nan
        from ..units import EV_PER_A3_TO_GPA

        return float(np.trace(self.virial_eV) / 3.0 / self.atoms.get_volume() * EV_PER_A3_TO_GPA)

    @classmethod
    def from_atoms(cls, atoms: Atoms, group: str = "", te_K: float = math.nan,
                   provenance: Optional[dict[str, Any]] = None) -> "Frame":
        """Take labels from ``atoms.calc`` (energy: the free energy when the calculator has one)."""
        if atoms.calc is None:
            raise InputError("structure has no labels: attach a calculator or SinglePointCalculator")
        res = atoms.calc.results
        energy = res.get("free_energy", res.get("energy"))
        if energy is None or "forces" not in res:
            raise InputError("structure labels need an energy and forces")
        virial = None
        if "stress" in res and atoms.pbc.all():
            virial = stress_to_virial_eV(res["stress"], atoms.get_volume())
        clean = Atoms(atoms.get_chemical_symbols(), positions=atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
        temperature = math.nan
        if atoms.has("momenta") and len(atoms) > 1:
            temperature = float(atoms.get_temperature())
        return cls(clean, float(energy), np.array(res["forces"], dtype=float), virial, group, te_K, temperature,
                   dict(provenance or {}))
