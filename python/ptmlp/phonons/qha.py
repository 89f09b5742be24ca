"""Quasi-harmonic approximation over volumes: the volume scan (phonons at each volume) and its fit.

For each volume V_k = V0 (1 + x_k) (isotropic scaling of the structure relaxed at the target
pressure; ions, and the cell shape at fixed volume for non-cubic crystals, re-relaxed), the
static energy E(V_k) and the harmonic F_vib, S and C_v (T; V_k) are computed
(:func:`volume_scan`); :func:`~ptmlp.phonons.qha_fit.fit_qha` then gives V(T), the thermal
expansion, C_p and the isothermal bulk modulus at the given pressure, each with its uncertainty,
and checks the volume grid. Volumes at which phonons are imaginary are reported (the QHA is
meaningless there).
"""

from __future__ import annotations

import warnings
from typing import Optional, Sequence

import numpy as np

from ..errors import InputError
from ..relax import check_pressure, relax_at_volume, relax_to_pressure
from ..symmetry import analyse_symmetry
from .harmonic import compute_phonons
from .properties import imaginary_modes, total_dos
from .qha_fit import DEFAULT_VOLUME_STRAINS, VolumeScan, check_volume_strains, fit_qha


def check_temperatures(temps: np.ndarray, classical: bool) -> None:
    if len(temps) < 4 or np.any(np.diff(temps) <= 0) or temps[0] < 0:
        raise InputError("temperatures_K must be >= 4 increasing values >= 0 K")
    if classical and temps[0] <= 0:
        raise InputError("classical QHA needs temperatures_K > 0 (the classical free energy diverges at 0 K)")


def volume_scan(reference, calc, volume_strains: Sequence[float], temperatures_K: Sequence[float], *,
                supercell="auto", cutoff_A: Optional[float] = None, displacement_A: float = 0.01,
                mesh: Sequence[int] = (20, 20, 20), classical: bool = False) -> tuple[VolumeScan, list]:
    """Phonons of ``reference`` (relaxed at the target pressure) scaled to each volume strain: the
    :class:`VolumeScan` and the volumes with imaginary modes."""
    strains = np.asarray(volume_strains, float)
    temps = np.asarray(temperatures_K, float)
    cubic = analyse_symmetry(reference).crystal_system == "cubic"
    rows, instab = [], []
    n_prim = None
    smat = supercell
    for x in strains:
        at = relax_at_volume(reference, calc, 1.0 + x, relax_shape=not cubic)
        model = compute_phonons(at, calc, supercell=smat, cutoff_A=cutoff_A, displacement_A=displacement_A,
                                pressure_GPa=None, label=f"V/V0={1 + x:.3f}")
        smat = model.settings["supercell_matrix"]
        dos = total_dos(model, mesh)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im = imaginary_modes(model, mesh=dos, warn=False)
        if im["has_imaginary_modes"]:
            instab.append({"volume_strain": float(x), "min_frequency_THz": im["min_frequency_THz"]})
        tp = model.phonopy.run_thermal_properties(temperatures=temps, exclude_gamma_acoustic=True, classical=classical)
        n_prim = model.n_atoms_primitive
        ratio = n_prim / len(at)
        rows.append((at.get_volume() * ratio, model.energy_eV * ratio, np.asarray(tp.free_energy),
                     np.asarray(tp.heat_capacity), np.asarray(tp.entropy)))
    vol, energy, fe, cv, s = (np.array(col) for col in zip(*rows))
    scan = VolumeScan(volume_strains=strains, volumes_A3=vol, energies_eV=energy, temperatures_K=temps,
                      free_energy_kJ_per_mol=fe.T, cv_J_per_K_mol=cv.T, entropy_J_per_K_mol=s.T,
                      n_atoms_primitive=n_prim, classical=classical)
    return scan, instab


def run_qha(atoms, calc, *, pressure_GPa: float = 0.0, volume_strains: Optional[Sequence[float]] = None,
            supercell="auto", cutoff_A: Optional[float] = None, displacement_A: float = 0.01,
            mesh: Sequence[int] = (20, 20, 20), temperatures_K: Optional[Sequence[float]] = None,
            training_pressure_range_GPa=None, classical: bool = False) -> dict:
    """QHA at ``pressure_GPa``; returns arrays keyed with units (per atom), their uncertainties, the
    grid checks (see :func:`~ptmlp.phonons.qha_fit.fit_qha`) and the per-volume data.

    ``classical``: classical harmonic free energies (no zero-point energy), to compare with MD.
    """
    check_pressure(pressure_GPa, training_pressure_range_GPa)
    strains = np.asarray(DEFAULT_VOLUME_STRAINS if volume_strains is None else volume_strains, float)
    check_volume_strains(strains)
    temps = np.asarray(np.arange(0.0, 2001.0, 10.0) if temperatures_K is None else temperatures_K, float)
    check_temperatures(temps, classical)
    ref = relax_to_pressure(atoms, calc, pressure_GPa)
    scan, instab = volume_scan(ref, calc, strains, temps, supercell=supercell, cutoff_A=cutoff_A,
                               displacement_A=displacement_A, mesh=mesh, classical=classical)
    if instab:
        warnings.warn(f"QHA: imaginary phonons at volume strains {[d['volume_strain'] for d in instab]}; "
                      "results there are not physical", stacklevel=2)
    return {**fit_qha(scan, pressure_GPa), "unstable_volumes": instab}
