"""Physics of model v1 through the ASE calculator (float64): finite differences, invariances,
smooth cutoff. Tolerances in physical units, as issue #3 asks."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms

from ptmlp.calculator import PtmlpCalculator
from ptmlp.checks import fd_force_error_eV_per_A, fd_stress_error_eV_per_A3, invariance_errors

from conftest import R_CUT_A, make_model, oxide_slab


@pytest.fixture(scope="module")
def bulk_oxide():
    return oxide_slab(seed=7, vacuum_A=0.0, isolated=False, repeat=(2, 2, 2))


def with_calc(atoms, model):
    atoms = atoms.copy()
    atoms.calc = PtmlpCalculator(model)
    return atoms


def test_forces_are_minus_energy_gradient(bulk_oxide, model_file):
    atoms = with_calc(bulk_oxide, model_file)
    assert np.abs(atoms.get_forces()).max() > 0.5  # eV/A, non-trivial forces
    err = fd_force_error_eV_per_A(atoms, h_A=1e-3, indices=range(0, len(atoms), 5))
    print(f"max |F + dE/dx| = {err:.2e} eV/A")
    assert err < 1e-6  # eV/angstrom (five-point stencil, h = 1e-3 A)


def test_stress_is_strain_derivative(bulk_oxide, model_file):
    atoms = with_calc(bulk_oxide, model_file)
    err = fd_stress_error_eV_per_A3(atoms, h=1e-5)
    print(f"max |stress - dE/deps / V| = {err:.2e} eV/A^3")
    assert err < 1e-7  # eV/A^3 (= 0.016 bar)


def test_invariances(bulk_oxide, model_file):
    errs = invariance_errors(with_calc(bulk_oxide, model_file))
    print(errs)
    for key, value in errs.items():
        assert value < (1e-9 if key.endswith("_eV") else 1e-9), key  # eV and eV/A


def test_forces_vanish_smoothly_at_cutoff(tmp_path):
    """A dimer: energy, force and its slope go to zero as r -> r_cut (C^2 envelope)."""
    model = make_model(tmp_path / "m.pt", type_names=["Mg", "Si", "O"], fit_on=oxide_slab(seed=1))
    calc = PtmlpCalculator(model)

    def dimer(r):
        a = Atoms("MgO", positions=[[0, 0, 0], [r, 0, 0]], pbc=False)
        a.calc = calc
        e = a.get_potential_energy()
        e_iso = sum(calc.results["energies"])  # same as e; isolated reference below
        return e, a.get_forces()[1, 0], e_iso

    far = Atoms("MgO", positions=[[0, 0, 0], [3 * R_CUT_A, 0, 0]], pbc=False)
    far.calc = calc
    e_inf = far.get_potential_energy()
    rs = R_CUT_A - np.array([1e-1, 1e-2, 1e-3])
    de = [abs(dimer(r)[0] - e_inf) for r in rs]
    f = [abs(dimer(r)[1]) for r in rs]
    print("dE", de, "F", f)
    # envelope ~ (r_cut - r)^3 near the cutoff: every decade closer cuts E by ~1e3 and F by ~1e2
    assert f[2] < 1e-5  # eV/A at 1e-3 A inside the cutoff
    assert de[2] < 1e-8  # eV
    assert f[1] / f[0] < 0.05 and f[2] / f[1] < 0.05
    e_out, f_out, _ = dimer(R_CUT_A + 1e-3)
    assert e_out == pytest.approx(e_inf, abs=1e-12) and f_out == 0.0


def test_float32_model_is_selectable(tmp_path, bulk_oxide):
    m64 = make_model(tmp_path / "m64.pt")
    m32 = make_model(tmp_path / "m32.pt", dtype="float32")
    calc32 = PtmlpCalculator(m32)
    assert calc32.metadata["dtype"] == "float32"
    a64, a32 = with_calc(bulk_oxide, m64), bulk_oxide.copy()
    a32.calc = calc32
    de = abs(a64.get_potential_energy() - a32.get_potential_energy()) / len(a64)
    df = np.abs(a64.get_forces() - a32.get_forces()).max()
    print(f"float32 vs float64: {de:.1e} eV/atom, {df:.1e} eV/A")
    assert de < 1e-5 and df < 1e-4  # eV/atom, eV/A: single-precision round-off only
