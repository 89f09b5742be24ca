"""Harmonic phonons by finite displacements (phonopy) with any ASE calculator.

``compute_phonons`` builds the supercell, checks it is at least twice the interaction cutoff
wide (otherwise force constants are folded onto wrong neighbours), evaluates forces of the
displaced supercells with the calculator (minus the forces of the undisplaced supercell, so a
not-quite-relaxed structure does not bias them), and returns a :class:`PhononModel` holding the
phonopy object. Frequencies are in THz; imaginary modes are negative numbers (phonopy convention).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

import warnings

import numpy as np
from ase import Atoms

from ..errors import InputError, PtmlpError
from ..relax import check_cell_size, check_periodic, check_pressure, minimal_repeats, relax_to_pressure
from ..relax import pressure_GPa as hydrostatic_pressure_GPa


def calculator_cutoff_A(calc, cutoff_A: Optional[float] = None) -> float:
    """Interaction cutoff of ``calc`` (angstrom): given, else the model's r_cut (ptmlp), else an error."""
    if cutoff_A is not None:
        if not cutoff_A > 0:
            raise InputError(f"cutoff_A {cutoff_A} must be positive")
        return float(cutoff_A)
    for attr in ("r_cut", "cutoff_A"):
        value = getattr(calc, attr, None)
        if value:
            return float(value)
    raise InputError(f"the interaction cutoff of calculator {type(calc).__name__} is unknown; "
                     "give cutoff_A (angstrom), e.g. 5.3 for Fe_mm.eam.fs")


def require_phonopy():
    """phonopy, or a one-line error naming the extra to install."""
    try:
        import phonopy
    except ImportError:
        raise PtmlpError("phonopy is not installed; pip install 'ptmlp[analysis]'") from None
    return phonopy


def _phonopy_atoms(atoms: Atoms):
    from phonopy.structure.atoms import PhonopyAtoms

    return PhonopyAtoms(symbols=atoms.get_chemical_symbols(), cell=atoms.cell.array,
                        scaled_positions=atoms.get_scaled_positions(), masses=atoms.get_masses())


def to_ase(patoms) -> Atoms:
    """phonopy structure -> ASE Atoms (periodic)."""
    return Atoms(symbols=patoms.symbols, cell=patoms.cell, scaled_positions=patoms.scaled_positions,
                 masses=patoms.masses, pbc=True)


def supercell_matrix(atoms: Atoms, supercell, cutoff_A: float) -> np.ndarray:
    """3x3 integer supercell matrix from ``"auto"``, three repeats or a 3x3 matrix; checked vs cutoff."""
    if supercell is None or (isinstance(supercell, str) and supercell == "auto"):
        mat = np.diag(minimal_repeats(atoms.cell.array, cutoff_A))
    else:
        arr = np.asarray(supercell)
        if arr.shape == (3,):
            mat = np.diag(arr)
        elif arr.shape == (3, 3):
            mat = arr
        else:
            raise InputError(f"supercell {supercell!r} must be 'auto', three repeats or a 3x3 matrix")
        if not np.allclose(mat, np.round(mat)) or round(abs(np.linalg.det(mat))) < 1:
            raise InputError(f"supercell {supercell!r} must be integers with a non-zero determinant")
        mat = np.round(mat).astype(int)
    cell = mat @ atoms.cell.array
    check_cell_size(cell, cutoff_A, f"the phonon supercell {mat.tolist()}",
                    f"use supercell {minimal_repeats(atoms.cell.array, cutoff_A)} or 'auto'")
    return mat.astype(int)


@dataclass
class PhononModel:
    """Force constants of one structure (at one volume/pressure) and the phonopy object around them."""

    phonopy: object
    unitcell: Atoms
    pressure_GPa: float
    cutoff_A: float
    displacement_A: float
    label: str = "model"
    energy_eV: float = float("nan")  # potential energy of the unit cell
    settings: dict = field(default_factory=dict)

    @property
    def primitive(self) -> Atoms:
        return to_ase(self.phonopy.primitive)

    @property
    def n_atoms_primitive(self) -> int:
        return len(self.phonopy.primitive)

    def frequencies_THz(self, qpoints) -> np.ndarray:
        """Frequencies (THz, (n_q, 3 n_prim)) at reduced q-points of the primitive reciprocal cell."""
        res = self.phonopy.run_qpoints(np.atleast_2d(np.asarray(qpoints, float)))
        return np.asarray(res.frequencies)

    def commensurate_frequencies_THz(self) -> np.ndarray:
        """All frequencies at the q-points commensurate with the supercell, sorted (THz): the same
        set as the Gamma-point frequencies of the supercell's own dynamical matrix."""
        from phonopy.harmonic.dynmat_to_fc import get_commensurate_points

        smat = np.linalg.inv(self.phonopy.primitive_matrix) @ self.phonopy.supercell_matrix
        q = get_commensurate_points(np.round(smat).astype(int))
        return np.sort(self.frequencies_THz(q).ravel())


def compute_phonons(atoms: Atoms, calc, *, supercell="auto", cutoff_A: Optional[float] = None,
                    displacement_A: float = 0.01, pressure_GPa: Optional[float] = None,
                    primitive_matrix="auto", symprec: float = 1e-5, label: str = "model",
                    training_pressure_range_GPa: Optional[Sequence[float]] = None,
                    relax_fmax_eV_per_A: float = 1e-5) -> PhononModel:
    """Finite-displacement phonons of ``atoms`` with ``calc``.

    ``pressure_GPa``: relax ions and cell to this pressure first (symmetry kept); ``None`` uses
    the structure as given (its volume defines the state).
    """
    Phonopy = require_phonopy().Phonopy

    check_periodic(atoms)
    if not 0 < displacement_A <= 0.1:
        raise InputError(f"displacement_A {displacement_A} must be in (0, 0.1] angstrom")
    rc = calculator_cutoff_A(calc, cutoff_A)
    smat = supercell_matrix(atoms, supercell, rc)
    if pressure_GPa is not None:
        check_pressure(pressure_GPa, training_pressure_range_GPa)
        atoms = relax_to_pressure(atoms, calc, pressure_GPa, fmax_eV_per_A=relax_fmax_eV_per_A)
    unit = atoms.copy()
    unit.calc = calc
    energy = float(unit.get_potential_energy())
    p_now = hydrostatic_pressure_GPa(unit)
    with warnings.catch_warnings():
        # phonopy 4 warns that "auto" differs from its v3 default even when "auto" is asked for
        warnings.filterwarnings("ignore", message=".*primitive_matrix defaulted.*")
        ph = Phonopy(_phonopy_atoms(unit), supercell_matrix=smat, primitive_matrix=primitive_matrix,
                     symprec=symprec)
    ph.generate_displacements(distance=displacement_A)
    perfect = to_ase(ph.supercell)
    perfect.calc = calc
    f0 = perfect.get_forces()
    forces = []
    for sc in ph.supercells_with_displacements:
        a = to_ase(sc)
        a.calc = calc
        forces.append(a.get_forces() - f0)
    ph.forces = np.array(forces)
    ph.produce_force_constants(show_drift=False)
    return PhononModel(phonopy=ph, unitcell=unit, pressure_GPa=p_now, cutoff_A=rc, displacement_A=displacement_A,
                       label=label, energy_eV=energy,
                       settings={"supercell_matrix": smat.tolist(), "n_displacements": len(forces),
                                 "n_atoms_supercell": len(perfect), "displacement_A": displacement_A,
                                 "cutoff_A": rc, "target_pressure_GPa": pressure_GPa})

