"""Reusable physics checks of any ASE calculator (used by the tests and by ``ptmlp check``).

Each returns the largest deviation found, in physical units named in the function.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from scipy.spatial.transform import Rotation


def _energy(atoms: Atoms) -> float:
    return float(atoms.get_potential_energy())


def fd_force_error_eV_per_A(atoms: Atoms, h_A: float = 1e-3, indices=None) -> float:
    """max |F_analytic + dE/dx| over atoms and components, eV/angstrom.

    dE/dx by the five-point stencil (truncation error O(h^4): ~1e-12 eV/A at h = 1e-3 A).
    """
    atoms = _copy_with_calc(atoms)
    forces = atoms.get_forces()
    pos0 = atoms.positions.copy()
    worst = 0.0
    for i in (range(len(atoms)) if indices is None else indices):
        for k in range(3):
            energies = []
            for step in (2, 1, -1, -2):
                pos = pos0.copy()
                pos[i, k] += step * h_A
                atoms.positions = pos
                energies.append(_energy(atoms))
            grad = (-energies[0] + 8 * energies[1] - 8 * energies[2] + energies[3]) / (12 * h_A)
            worst = max(worst, abs(-grad - forces[i, k]))
    atoms.positions = pos0
    return worst


def fd_stress_error_eV_per_A3(atoms: Atoms, h: float = 1e-5) -> float:
    """max |stress - (1/V) dE/d(strain)| over the 6 Voigt components, eV/angstrom^3."""
    atoms = _copy_with_calc(atoms)
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
    ref = _copy_with_calc(atoms)
    e0, f0 = _energy(ref), ref.get_forces()
    out = {}
    moved = _copy_with_calc(ref)
    moved.positions += rng.normal(size=3) * 3.7
    out["translation_energy_eV"] = abs(_energy(moved) - e0)
    out["translation_forces_eV_per_A"] = float(np.abs(moved.get_forces() - f0).max())
    rot = Rotation.random(random_state=seed).as_matrix()
    turned = _copy_with_calc(ref)
    turned.set_cell(ref.cell.array @ rot.T, scale_atoms=False)
    turned.positions = ref.positions @ rot.T
    out["rotation_energy_eV"] = abs(_energy(turned) - e0)
    out["rotation_forces_eV_per_A"] = float(np.abs(turned.get_forces() - f0 @ rot.T).max())
    perm = rng.permutation(len(ref))
    shuffled = ref[perm]
    shuffled.calc = ref.calc
    out["permutation_energy_eV"] = abs(_energy(shuffled) - e0)
    out["permutation_forces_eV_per_A"] = float(np.abs(shuffled.get_forces() - f0[perm]).max())
    return out


def _copy_with_calc(atoms: Atoms) -> Atoms:
    """Copy of ``atoms`` sharing its calculator (ASE recomputes whenever the atoms change)."""
    if atoms.calc is None:
        raise ValueError("atoms has no calculator attached")
    out = atoms.copy()
    out.calc = atoms.calc
    return out
