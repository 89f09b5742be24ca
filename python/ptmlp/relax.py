"""Structure checks and relaxations with any ASE calculator (ASE units inside).

Shared by the elastic and phonon workflows: periodicity, cell-size and pressure checks give
one-line :class:`~ptmlp.errors.InputError` messages; ``relax_to_pressure`` relaxes ions and cell
under a hydrostatic target pressure and ``relax_at_volume`` relaxes at a scaled volume, both
keeping the space group (ASE ``FixSymmetry``).
"""

from __future__ import annotations

import warnings

import numpy as np
from ase import units

from .errors import InputError, PtmlpError

#: pressures beyond these are refused as input mistakes (GPa): planetary interiors reach ~4000 GPa
PRESSURE_LIMITS_GPA = (-50.0, 5000.0)


class RelaxationError(PtmlpError):
    """Raised when a relaxation to the target pressure does not converge."""


class PressureRangeWarning(UserWarning):
    """Warned when a target pressure lies outside the range a model was trained at."""


class UnfittedStressWarning(UserWarning):
    """Warned when a result rests on the stresses of a model trained without virials."""


def check_stress_fitted(potential, what: str) -> None:
    """Warn (:class:`UnfittedStressWarning`) when ``potential`` (a PotentialSpec) is a ptmlp model
    trained without virials: ``what`` comes from its stresses, which were never fitted. Measured on
    the mlearn Mo set (tests/integration/test_journey_mo.py, full size): the same recipe without
    virials gave C12 283.6 GPa on the DFT frames vs DFT 163.6 GPa (with virials: 184.8 GPa)."""
    if potential.trained_without_virials:
        warnings.warn(UnfittedStressWarning(
            f"{what}: model {potential.name} was trained without virials (metadata training.pressure_range_GPa "
            "null), so its stresses are not fitted; train with virials for stress-derived results"), stacklevel=2)


def check_periodic(atoms, what: str = "structure") -> None:
    """Raise :class:`InputError` unless ``atoms`` is periodic in x, y and z with a 3-D cell."""
    if not np.all(atoms.pbc):
        raise InputError(f"{what} is not periodic in all three directions (pbc={atoms.pbc.tolist()}); "
                         "phonons and elastic constants need a 3-D periodic crystal")
    if abs(atoms.cell.volume) < 1e-6:
        raise InputError(f"{what} has a degenerate cell (volume {atoms.cell.volume:.3g} A^3)")


def perpendicular_widths(cell) -> np.ndarray:
    """Distances between opposite faces of a cell (angstrom), one per lattice vector."""
    c = np.asarray(cell, dtype=float)
    vol = abs(np.linalg.det(c))
    return np.array([vol / np.linalg.norm(np.cross(c[(i + 1) % 3], c[(i + 2) % 3])) for i in range(3)])


def check_cell_size(cell, cutoff_A: float, what: str, fix: str) -> None:
    """Raise :class:`InputError` if ``cell`` is thinner than twice the interaction cutoff."""
    widths = perpendicular_widths(cell)
    if widths.min() < 2.0 * cutoff_A - 1e-6:
        raise InputError(f"{what} is {widths.min():.2f} A wide (face-to-face), less than twice the cutoff "
                         f"2 x {cutoff_A:g} = {2 * cutoff_A:g} A; {fix}")


def minimal_repeats(cell, cutoff_A: float) -> list[int]:
    """Smallest diagonal repeats of ``cell`` whose supercell is at least 2 x cutoff wide."""
    widths = perpendicular_widths(cell)
    return [max(1, int(np.ceil(2.0 * cutoff_A / w - 1e-9))) for w in widths]


def check_pressure(pressure_GPa: float, training_range_GPa=None, what: str = "target pressure") -> None:
    """Refuse absurd pressures (InputError); warn if outside a model's training range."""
    lo, hi = PRESSURE_LIMITS_GPA
    if not np.isfinite(pressure_GPa) or not lo <= pressure_GPa <= hi:
        raise InputError(f"{what} {pressure_GPa} GPa is out of range ({lo:g} to {hi:g} GPa)")
    if training_range_GPa is not None:
        tlo, thi = training_range_GPa
        if not tlo <= pressure_GPa <= thi:
            warnings.warn(PressureRangeWarning(
                f"{what} {pressure_GPa:g} GPa is outside the model's training range {tlo:g} to {thi:g} GPa "
                "(metadata training.pressure_range_GPa); results are extrapolated"), stacklevel=2)


def pressure_GPa(atoms) -> float:
    """Hydrostatic pressure of ``atoms`` from its calculator's stress (GPa, compression positive)."""
    return float(-np.trace(atoms.get_stress(voigt=False)) / 3.0 / units.GPa)


def relax_to_pressure(atoms, calc, pressure_GPa_target: float = 0.0, *, fmax_eV_per_A: float = 1e-4,
                      stress_tol_GPa: float = 0.01, keep_symmetry: bool = True, max_steps: int = 1000,
                      relax_cell: bool = True):
    """Copy of ``atoms`` with ions (and the cell, under hydrostatic ``pressure_GPa_target``) relaxed.

    Raises :class:`RelaxationError` if forces or the stress deviation from -P stay above the
    tolerances after ``max_steps`` BFGS steps.
    """
    from ase.constraints import FixSymmetry
    from ase.filters import FrechetCellFilter
    from ase.optimize import BFGS

    check_periodic(atoms)
    out = atoms.copy()
    out.calc = calc
    if keep_symmetry:
        out.set_constraint(FixSymmetry(out, symprec=1e-3))
    target = pressure_GPa_target * units.GPa
    obj = FrechetCellFilter(out, scalar_pressure=target) if relax_cell else out
    # the Frechet filter's generalised cell forces are (stress deviation) x (volume per atom)
    fmax = fmax_eV_per_A
    if relax_cell:
        fmax = min(fmax, stress_tol_GPa * units.GPa * out.get_volume() / len(out))
    opt = BFGS(obj, logfile=None, maxstep=0.05)
    converged = opt.run(fmax=fmax, steps=max_steps)
    out.set_constraint()
    forces = np.abs(out.get_forces()).max()
    stress = out.get_stress(voigt=False) / units.GPa
    dev = np.abs(stress + pressure_GPa_target * np.eye(3)).max() if relax_cell else 0.0
    if not converged and (forces > 10 * fmax_eV_per_A or dev > 10 * stress_tol_GPa):
        raise RelaxationError(f"relaxation to {pressure_GPa_target:g} GPa did not converge in {max_steps} steps "
                              f"(max force {forces:.2e} eV/A, stress off by {dev:.3g} GPa); "
                              "check the structure and that the potential is sane at this pressure")
    return out


def relax_at_volume(reference, calc, scale: float, relax_shape: bool, fmax_eV_per_A: float = 1e-5,
                    max_steps: int = 500):
    """Copy of ``reference`` scaled isotropically to ``scale`` times its volume, ions (and, with
    ``relax_shape``, the cell shape at fixed volume) relaxed, space group kept."""
    from ase.constraints import FixSymmetry
    from ase.filters import FrechetCellFilter
    from ase.optimize import BFGS

    atoms = reference.copy()
    atoms.set_cell(reference.cell.array * scale ** (1.0 / 3.0), scale_atoms=True)
    atoms.calc = calc
    atoms.set_constraint(FixSymmetry(atoms, symprec=1e-3))
    target = FrechetCellFilter(atoms, constant_volume=True) if relax_shape else atoms
    BFGS(target, logfile=None, maxstep=0.05).run(fmax=fmax_eV_per_A, steps=max_steps)
    atoms.set_constraint()
    return atoms
