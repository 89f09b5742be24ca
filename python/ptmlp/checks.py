"""Reusable physics checks of any ASE calculator (used by the tests and by ``ptmlp check``).

Each returns the largest deviation found, in physical units named in the function.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from scipy.spatial.transform import Rotation


def _energy(atoms: Atoms) -> float:
    return float(atoms.get_potential_energy())


def fd_force_error_eV_per_A(atoms: Atoms, h_A: float = 1e-4, indices=None) -> float:
    """max |F_analytic + dE/dx (central differences)| over atoms and components, eV/angstrom."""
    atoms = atoms.copy()
    atoms.calc = atoms_calc(atoms)
    forces = atoms.get_forces()
    worst = 0.0
    for i in (range(len(atoms)) if indices is None else indices):
        for k in range(3):
            pos = atoms.positions.copy()
            pos[i, k] += h_A
            atoms.positions = pos
            e_plus = _energy(atoms)
            pos[i, k] -= 2 * h_A
            atoms.positions = pos
            e_minus = _energy(atoms)
            pos[i, k] += h_A
            atoms.positions = pos
            worst = max(worst, abs(-(e_plus - e_minus) / (2 * h_A) - forces[i, k]))
    return worst


def fd_stress_error_eV_per_A3(atoms: Atoms, h: float = 1e-5) -> float:
    """max |stress - (1/V) dE/d(strain)| over the 6 Voigt components, eV/angstrom^3."""
    atoms = atoms.copy()
    atoms.calc = atoms_calc(atoms)
    stress = atoms.get_stress(voigt=False)
    cell0 = atoms.cell.array.copy()
    volume = atoms.get_volume()
    num = np.zeros((3, 3))
    for a in range(3):
        for b in range(3):
            es = []
            for d in (h, -h):
                eps = np.eye(3)
                eps[a, b] += d
                atoms.set_cell(cell0 @ eps, scale_atoms=True)
                es.append(_energy(atoms))
            num[a, b] = (es[0] - es[1]) / (2 * h) / volume
            atoms.set_cell(cell0, scale_atoms=True)
    num = 0.5 * (num + num.T)
    return float(np.abs(num - stress).max())


def invariance_errors(atoms: Atoms, seed: int = 0) -> dict[str, float]:
    """Energy (eV) and force (eV/angstrom) changes under translation, rotation, permutation."""
    rng = np.random.default_rng(seed)
    ref = atoms.copy()
    ref.calc = atoms_calc(atoms)
    e0, f0 = _energy(ref), ref.get_forces()
    out = {}
    moved = ref.copy()
    moved.calc = atoms_calc(atoms)
    moved.positions += rng.normal(size=3) * 3.7
    out["translation_energy_eV"] = abs(_energy(moved) - e0)
    out["translation_forces_eV_per_A"] = float(np.abs(moved.get_forces() - f0).max())
    rot = Rotation.random(random_state=seed).as_matrix()
    turned = ref.copy()
    turned.calc = atoms_calc(atoms)
    turned.set_cell(ref.cell.array @ rot.T, scale_atoms=False)
    turned.positions = ref.positions @ rot.T
    out["rotation_energy_eV"] = abs(_energy(turned) - e0)
    out["rotation_forces_eV_per_A"] = float(np.abs(turned.get_forces() - f0 @ rot.T).max())
    perm = rng.permutation(len(ref))
    shuffled = ref[perm]
    shuffled.calc = atoms_calc(atoms)
    out["permutation_energy_eV"] = abs(_energy(shuffled) - e0)
    out["permutation_forces_eV_per_A"] = float(np.abs(shuffled.get_forces() - f0[perm]).max())
    return out


def atoms_calc(atoms: Atoms):
    """A fresh calculator of the same kind as ``atoms.calc`` (ptmlp: same model file)."""
    calc = atoms.calc
    if calc is None:
        raise ValueError("atoms has no calculator")
    from .calculator import PtmlpCalculator

    if isinstance(calc, PtmlpCalculator):
        return PtmlpCalculator(calc.model_path, device=str(calc.device))
    return calc
