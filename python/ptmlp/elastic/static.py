"""Elastic constants at 0 K by finite strains with relaxed ions (any ASE calculator).

Method (stress-strain): from the structure relaxed at the target pressure, apply the homogeneous
deformation F = I + eps(e, j) for each Voigt component j and engineering strain e in
{-n d, ..., -d, d, ..., n d}, relax the ions at fixed cell, and fit the Cauchy stress sigma_i(e)
with a quadratic through the reference point; the slope is C_ij = d sigma_i / d e_j. At a
pressure P these are the stress-strain coefficients B_ij (B11 = C11 - P, B12 = C12 + P,
B44 = C44 - P for cubic, Wallace 1972), the ones that enter the Christoffel equation and the
Born criteria. The fit's standard error is reported as the uncertainty.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from ase import units

from ..errors import InputError
from ..relax import check_periodic, check_pressure, relax_to_pressure
from .result import ElasticResult, density_g_per_cm3
from .symmetry import analyse_symmetry, impose_symmetry, resolve_request
from .voigt import strain_matrix


def _relax_ions(atoms, fmax_eV_per_A: float, max_steps: int) -> None:
    from ase.optimize import BFGS

    if len(atoms) == 1 or np.abs(atoms.get_forces()).max() < fmax_eV_per_A:
        return
    BFGS(atoms, logfile=None, maxstep=0.05).run(fmax=fmax_eV_per_A, steps=max_steps)


def strained_stress(reference, calc, voigt: int, amplitude: float, relax_ions: bool = True,
                    fmax_eV_per_A: float = 1e-5, max_steps: int = 500) -> np.ndarray:
    """Cauchy stress (GPa, Voigt, tension positive) of ``reference`` deformed by engineering
    strain ``amplitude`` in Voigt component ``voigt`` (0..5), ions relaxed at fixed cell."""
    atoms = reference.copy()
    f = np.eye(3) + strain_matrix(voigt, amplitude)
    atoms.set_cell(reference.cell.array @ f.T, scale_atoms=True)
    atoms.calc = calc
    if relax_ions:
        _relax_ions(atoms, fmax_eV_per_A, max_steps)
    return atoms.get_stress(voigt=True) / units.GPa


def stiffness_from_strains(reference, calc, *, strain: float = 0.005, n_amplitudes: int = 2,
                           relax_ions: bool = True, fmax_eV_per_A: float = 1e-5,
                           max_steps: int = 500) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(C, C_err, reference stress) in GPa from finite strains of an already relaxed ``reference``."""
    if not 0 < strain <= 0.05:
        raise InputError(f"strain {strain} must be in (0, 0.05]")
    if n_amplitudes < 1:
        raise InputError(f"n_amplitudes {n_amplitudes} must be >= 1")
    ref = reference.copy()
    ref.calc = calc
    s0 = ref.get_stress(voigt=True) / units.GPa
    amps = strain * np.concatenate([-np.arange(n_amplitudes, 0, -1), np.arange(1, n_amplitudes + 1)])
    c = np.zeros((6, 6))
    err = np.full((6, 6), np.nan)
    for j in range(6):
        sig = np.array([strained_stress(ref, calc, j, e, relax_ions, fmax_eV_per_A, max_steps) for e in amps])
        x = np.concatenate([[0.0], amps])
        y = np.vstack([s0, sig])
        if len(x) >= 5:
            a = np.vander(x, 3)  # columns e^2, e, 1
            coef, *_ = np.linalg.lstsq(a, y, rcond=None)
            sigma2 = ((y - a @ coef) ** 2).sum(axis=0) / (len(x) - 3)
            c[:, j] = coef[1]
            err[:, j] = np.sqrt(np.linalg.inv(a.T @ a)[1, 1] * sigma2)
        else:
            c[:, j] = (sig[-1] - sig[0]) / (amps[-1] - amps[0])
    return c, err, s0


def elastic_static(atoms, calc, *, pressure_GPa: Optional[float] = 0.0, symmetry: str = "auto",
                   strain: float = 0.005, n_amplitudes: int = 2, relax_ions: bool = True,
                   fmax_eV_per_A: float = 1e-5, symprec_A: float = 1e-3,
                   training_pressure_range_GPa=None) -> ElasticResult:
    """Full 0 K elastic analysis of ``atoms`` with ``calc``.

    ``pressure_GPa``: relax ions and cell (symmetry kept) to this hydrostatic pressure first;
    ``None`` uses the structure as given (its own stress is then the reference).
    """
    check_periodic(atoms)
    info0 = analyse_symmetry(atoms, symprec_A)
    system = resolve_request(info0, symmetry)
    if pressure_GPa is not None:
        check_pressure(pressure_GPa, training_pressure_range_GPa)
        relaxed = relax_to_pressure(atoms, calc, pressure_GPa, fmax_eV_per_A=max(fmax_eV_per_A, 1e-5))
    else:
        relaxed = atoms.copy()
    relaxed.calc = calc
    info = analyse_symmetry(relaxed, symprec_A)
    c, c_err, s0 = stiffness_from_strains(relaxed, calc, strain=strain, n_amplitudes=n_amplitudes,
                                          relax_ions=relax_ions, fmax_eV_per_A=fmax_eV_per_A)
    c_sym, e_sym = impose_symmetry(c, c_err, info, system)
    p = float(-s0[:3].mean())
    return ElasticResult(C_GPa=c, C_err_GPa=c_err, C_sym_GPa=c_sym, C_sym_err_GPa=e_sym, symmetry=info,
                         imposed_system=system, density_g_per_cm3=density_g_per_cm3(relaxed), pressure_GPa=p,
                         pressure_err_GPa=0.0, temperature_K=0.0, method="static strain-stress, relaxed ions",
                         n_atoms=len(relaxed), volume_A3=float(relaxed.get_volume()),
                         settings={"strain": strain, "n_amplitudes": n_amplitudes, "relax_ions": relax_ions,
                                   "fmax_eV_per_A": fmax_eV_per_A, "target_pressure_GPa": pressure_GPa,
                                   "cell_A": relaxed.cell.array.round(8).tolist()})
