"""Quasi-harmonic approximation over volumes (phonopy's ``PhonopyQHA``).

For each volume V_k = V0 (1 + x_k) (isotropic scaling of the structure relaxed at the target
pressure; ions, and the cell shape at fixed volume for non-cubic crystals, re-relaxed), the
static energy E(V_k) and the harmonic phonon free energy F_vib(T; V_k) are computed; phonopy
minimises G(T, P) = min_V [E(V) + F_vib(T; V) + P V] with an equation of state (Vinet) and
returns V(T), thermal expansion, C_p and the isothermal bulk modulus at the given pressure.
Volumes at which phonons are imaginary are reported (the QHA is meaningless there).
"""

from __future__ import annotations

import warnings
from typing import Optional, Sequence

import numpy as np
from ase import units

from ..elastic.relax import check_pressure, relax_to_pressure
from ..errors import InputError
from .harmonic import compute_phonons
from .properties import imaginary_modes, total_dos


def _at_volume(reference, calc, scale: float, relax_shape: bool):
    from ase.constraints import FixSymmetry
    from ase.filters import FrechetCellFilter
    from ase.optimize import BFGS

    atoms = reference.copy()
    atoms.set_cell(reference.cell.array * scale ** (1.0 / 3.0), scale_atoms=True)
    atoms.calc = calc
    atoms.set_constraint(FixSymmetry(atoms, symprec=1e-3))
    target = FrechetCellFilter(atoms, constant_volume=True) if relax_shape else atoms
    BFGS(target, logfile=None, maxstep=0.05).run(fmax=1e-5, steps=500)
    atoms.set_constraint()
    return atoms


def run_qha(atoms, calc, *, pressure_GPa: float = 0.0, volume_strains: Optional[Sequence[float]] = None,
            supercell="auto", cutoff_A: Optional[float] = None, displacement_A: float = 0.01,
            mesh: Sequence[int] = (20, 20, 20), temperatures_K: Optional[Sequence[float]] = None,
            training_pressure_range_GPa=None, classical: bool = False) -> dict:
    """QHA at ``pressure_GPa``; returns arrays keyed with units (per atom) and the per-volume data.

    ``classical``: classical harmonic free energies (no zero-point energy), to compare with MD.
    """
    from phonopy import PhonopyQHA

    check_pressure(pressure_GPa, training_pressure_range_GPa)
    if volume_strains is None:
        volume_strains = np.linspace(-0.05, 0.05, 7)
    volume_strains = np.asarray(volume_strains, float)
    if len(volume_strains) < 5 or np.any(volume_strains <= -0.5):
        raise InputError("QHA needs at least 5 volume strains, each > -0.5 (fractions of V0)")
    if temperatures_K is None:
        temperatures_K = np.arange(0.0, 2001.0, 10.0)
    temps = np.asarray(temperatures_K, float)
    if len(temps) < 4 or np.any(np.diff(temps) <= 0) or temps[0] < 0:
        raise InputError("temperatures_K must be >= 4 increasing values >= 0 K")
    if classical and temps[0] <= 0:
        raise InputError("classical QHA needs temperatures_K > 0 (the classical free energy diverges at 0 K)")
    ref = relax_to_pressure(atoms, calc, pressure_GPa)
    cubic = _is_cubic(ref)
    volumes, energies, fe, cv, s, instab = [], [], [], [], [], []
    n_prim = None
    smat = supercell
    for x in volume_strains:
        at = _at_volume(ref, calc, 1.0 + x, relax_shape=not cubic)
        model = compute_phonons(at, calc, supercell=smat, cutoff_A=cutoff_A, displacement_A=displacement_A,
                                pressure_GPa=None, label=f"V/V0={1 + x:.3f}")
        smat = model.settings["supercell_matrix"]
        dos = total_dos(model, mesh)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im = imaginary_modes(model, mesh=dos, warn=False)
        if im["has_imaginary_modes"]:
            instab.append({"volume_strain": float(x), "min_frequency_THz": im["min_frequency_THz"]})
        ph = model.phonopy
        tp = ph.run_thermal_properties(temperatures=temps, exclude_gamma_acoustic=True, classical=classical)
        n_prim = model.n_atoms_primitive
        ratio = n_prim / len(at)
        volumes.append(at.get_volume() * ratio)
        energies.append(model.energy_eV * ratio)
        fe.append(np.asarray(tp.free_energy))
        cv.append(np.asarray(tp.heat_capacity))
        s.append(np.asarray(tp.entropy))
    if instab:
        warnings.warn(f"QHA: imaginary phonons at volume strains {[d['volume_strain'] for d in instab]}; "
                      "results there are not physical", stacklevel=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        qha = PhonopyQHA(volumes=volumes, electronic_energies=energies, temperatures=temps,
                         free_energy=np.array(fe).T, cv=np.array(cv).T, entropy=np.array(s).T,
                         pressure=pressure_GPa, eos="vinet", t_max=float(temps[-2]))
    per_atom = 1.0 / n_prim
    cp = qha.heat_capacity_P_numerical
    # phonopy truncates its T arrays below t_max (the derivatives need neighbours); use the shortest
    n = min(len(qha.volume_temperature), len(qha.thermal_expansion), len(cp), len(qha.bulk_modulus_temperature))
    return {
        "pressure_GPa": pressure_GPa,
        "temperature_K": temps[:n],
        "volume_A3_per_atom": np.asarray(qha.volume_temperature)[:n] * per_atom,
        "volumetric_thermal_expansion_per_K": np.asarray(qha.thermal_expansion)[:n],
        "linear_thermal_expansion_per_K": np.asarray(qha.thermal_expansion)[:n] / 3.0,
        "cp_J_per_K_mol_atoms": np.asarray(cp)[:n] * per_atom,
        "bulk_modulus_GPa": np.asarray(qha.bulk_modulus_temperature)[:n],
        "gibbs_energy_eV_per_atom": np.asarray(qha.gibbs_temperature)[:n] * per_atom,
        "volumes_A3_per_atom": (np.asarray(volumes) * per_atom).tolist(),
        "static_energies_eV_per_atom": (np.asarray(energies) * per_atom).tolist(),
        "volume_strains": volume_strains.tolist(),
        "static_bulk_modulus_GPa": float(qha.bulk_modulus) / units.GPa,  # phonopy gives eV/A^3 here
        "classical": classical,
        "unstable_volumes": instab,
    }


def _is_cubic(atoms) -> bool:
    from ..elastic.symmetry import analyse_symmetry

    return analyse_symmetry(atoms).crystal_system == "cubic"
