"""Finite-displacement phonons (phonopy + an ASE calculator) against an analytic lattice sum,
the Dulong-Petit limit, instability detection, and bad input.

Analytic check: for a pair potential phi(r), the dynamical matrix of a Bravais lattice is
D_ab(q) = (1/m) sum_{R != 0} [phi''(R) n_a n_b + phi'(R)/R (delta_ab - n_a n_b)] (1 - cos q.R),
n = R/|R| (Ashcroft & Mermin, Solid State Physics, ch. 22). Here phi is Lennard-Jones truncated at
r_c (LAMMPS lj/cut: forces are the plain derivative inside r_c), evaluated by LAMMPS through ASE,
so the only shared ingredient is the potential's formula.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

from ptmlp.errors import InputError
from ptmlp.labelers.lammps_potential import fe_eam_calculator, lammps_calculator
from ptmlp.phonons.harmonic import compute_phonons
from ptmlp.phonons.properties import (DynamicalInstabilityWarning, band_structure, imaginary_modes,
                                      thermal_properties, total_dos)

EPS_EV, SIGMA_A, RC_A, MASS_AMU, A_FCC = 0.0104, 3.40, 8.5, 39.948, 5.26  # argon-like LJ fcc
# sqrt(eV / (angstrom^2 amu)) / (2 pi) in THz
THZ = np.sqrt(1.602176634e-19 / (1e-20 * 1.66053906660e-27)) / (2 * np.pi) / 1e12
R_GAS = 8.314462618  # J/(K mol)


def lj_derivatives(r):
    sr6 = (SIGMA_A / r) ** 6
    d1 = 4 * EPS_EV * (-12 * sr6 ** 2 + 6 * sr6) / r
    d2 = 4 * EPS_EV * (156 * sr6 ** 2 - 42 * sr6) / r ** 2
    return d1, d2


def analytic_frequencies(q_cart):
    prim = bulk("Ar", "fcc", a=A_FCC).cell.array
    n = 6
    grid = np.array(np.meshgrid(*[np.arange(-n, n + 1)] * 3, indexing="ij")).reshape(3, -1).T
    vecs = grid @ prim
    r = np.linalg.norm(vecs, axis=1)
    keep = (r > 1e-9) & (r < RC_A)
    vecs, r = vecs[keep], r[keep]
    d1, d2 = lj_derivatives(r)
    nn = vecs / r[:, None]
    k = d2[:, None, None] * nn[:, :, None] * nn[:, None, :] + (d1 / r)[:, None, None] * (
        np.eye(3)[None] - nn[:, :, None] * nn[:, None, :])
    out = []
    for q in q_cart:
        dyn = (k * (1 - np.cos(vecs @ q))[:, None, None]).sum(0) / MASS_AMU
        out.append(np.sqrt(np.clip(np.linalg.eigvalsh(dyn), 0, None)) * THZ)
    return np.array(out)


def test_lj_fcc_matches_lattice_sum():
    calc = lammps_calculator("lj/cut 8.5", f"1 1 {EPS_EV} {SIGMA_A}", ["Ar"])
    atoms = bulk("Ar", "fcc", a=A_FCC, cubic=True)
    model = compute_phonons(atoms, calc, cutoff_A=RC_A, supercell=[4, 4, 4], pressure_GPa=None)
    rng = np.random.default_rng(0)
    q_red = np.vstack([[0.5, 0.5, 0.5], [0.5, 0.0, 0.5], [0.375, 0.375, 0.75], rng.uniform(-0.5, 0.5, (5, 3))])
    got = model.frequencies_THz(q_red)
    recip = 2 * np.pi * np.linalg.inv(model.phonopy.primitive.cell).T  # rows: reciprocal vectors
    want = analytic_frequencies(q_red @ recip)
    # the 4x4x4 supercell holds every neighbour within r_c once: exact up to the 0.01 A displacement
    np.testing.assert_allclose(np.sort(got, axis=1), want, atol=5e-4)  # THz (measured 1.7e-4)
    assert want.max() > 1.5  # argon-like: ~2 THz maximum


def test_dulong_petit_and_units():
    model = compute_phonons(bulk("Fe", "bcc", a=2.8553, cubic=True), fe_eam_calculator(), cutoff_A=5.3,
                            pressure_GPa=None)
    tp = thermal_properties(model, [300.0, 5000.0], mesh=(12, 12, 12))
    assert tp["cv_J_per_K_mol_atoms"][1] == pytest.approx(3 * R_GAS, rel=2e-3)  # classical limit per atom
    assert tp["cv_J_per_K_mol_atoms"][0] < 3 * R_GAS
    band = band_structure(model, npoints=21)
    assert band.path == "GHNGPH,PN"
    assert band.all_frequencies().max() == pytest.approx(9.75, abs=0.05)  # N-point LA of this EAM, THz


def test_bcc_copper_reports_imaginary_modes():
    """bcc Cu is dynamically unstable (Bain path maximum; Craievich et al., PRL 72, 3076 (1994))."""
    calc = lammps_calculator("eam/alloy", "* * {potentials}/Cu_mishin1.eam.alloy Cu", ["Cu"])
    model = compute_phonons(bulk("Cu", "bcc", a=2.868, cubic=True), calc, cutoff_A=5.507, pressure_GPa=None)
    band = band_structure(model, npoints=21)
    dos = total_dos(model, (8, 8, 8))
    with pytest.warns(DynamicalInstabilityWarning, match=r"imaginary phonon frequencies, down to 1\.\d+i THz"):
        report = imaginary_modes(model, band, dos)
    assert report["has_imaginary_modes"] and report["min_frequency_THz"] < -1.0
    assert np.allclose(np.abs(report["min_frequency_qpoint"]), [0, 0, 0.5])  # the N point


def test_stable_crystal_has_no_warning():
    model = compute_phonons(bulk("Fe", "bcc", a=2.8553, cubic=True), fe_eam_calculator(), cutoff_A=5.3,
                            pressure_GPa=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DynamicalInstabilityWarning)
        report = imaginary_modes(model, band_structure(model, 21), total_dos(model, (8, 8, 8)))
    assert not report["has_imaginary_modes"]


def test_bad_input():
    calc = fe_eam_calculator()
    fe = bulk("Fe", "bcc", a=2.8553, cubic=True)
    with pytest.raises(InputError, match=r"supercell \[\[2, 0, 0\], \[0, 2, 0\], \[0, 0, 2\]\] is 5.71 A wide.*"
                                         r"less than twice the cutoff 2 x 5.3 = 10.6 A; use supercell \[4, 4, 4\]"):
        compute_phonons(fe, calc, cutoff_A=5.3, supercell=[2, 2, 2])
    with pytest.raises(InputError, match="not periodic in all three directions"):
        compute_phonons(Atoms("Fe2", positions=[[0, 0, 0], [0, 0, 2.2]], cell=[10, 10, 10], pbc=False), calc,
                        cutoff_A=5.3)
    from ase.calculators.emt import EMT  # a calculator that does not state its interaction range

    with pytest.raises(InputError, match="cutoff of calculator EMT is unknown; give cutoff_A"):
        compute_phonons(fe, EMT())
    with pytest.raises(InputError, match="displacement_A 0.5 must be in"):
        compute_phonons(fe, calc, cutoff_A=5.3, displacement_A=0.5)
