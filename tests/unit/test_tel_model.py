"""T_e models in Python: S_e = -dF/dT_e by autograd equals finite differences; input checks."""

from __future__ import annotations

import numpy as np
import pytest

from ptmlp.calculator import PtmlpCalculator
from ptmlp.errors import InputError

from conftest import make_model, oxide_slab


@pytest.fixture(scope="module")
def te_model(tmp_path_factory):
    return make_model(tmp_path_factory.mktemp("te") / "te.pt", te_range_K=(1000.0, 8000.0))


def free_energy(atoms, model, te):
    a = atoms.copy()
    a.calc = PtmlpCalculator(model, te_K=te)
    return a.get_potential_energy(), a.calc.results


@pytest.mark.parametrize("te_K", [1500.0, 4000.0, 7500.0])
def test_entropy_is_minus_dF_dTe(te_model, te_K):
    atoms = oxide_slab(seed=2, vacuum_A=0.0, isolated=False, repeat=(2, 2, 2))
    _, res = free_energy(atoms, te_model, te_K)
    s = res["electronic_entropy"]
    h = 0.5  # K; five-point stencil
    f = [free_energy(atoms, te_model, te_K + k * h)[0] for k in (2, 1, -1, -2)]
    fd = -(-f[0] + 8 * f[1] - 8 * f[2] + f[3]) / (12 * h)
    print(f"T_e {te_K:.0f} K: S_e autograd {s:.10e} eV/K, finite difference {fd:.10e} eV/K")
    assert abs(s - fd) <= 1e-6 * abs(s)
    assert np.isclose(res["electronic_entropies"].sum(), s, rtol=1e-12)


def test_te_changes_energy_and_stress(te_model):
    atoms = oxide_slab(seed=2, vacuum_A=0.0, isolated=False, repeat=(2, 2, 2))
    e = [free_energy(atoms, te_model, t)[0] for t in (1000.0, 4000.0, 8000.0)]
    assert abs(e[2] - e[0]) > 0.1  # eV: T_e matters for this model


def test_te_input_checks(te_model, model_file):
    atoms = oxide_slab(seed=2, vacuum_A=0.0, isolated=False, repeat=(2, 2, 2))
    atoms.calc = PtmlpCalculator(te_model)
    with pytest.raises(InputError, match="needs the electronic temperature"):
        atoms.get_potential_energy()
    atoms.info["te_K"] = 3000.0  # per-structure T_e from atoms.info
    assert np.isfinite(atoms.get_potential_energy())
    with pytest.raises(InputError, match="has no electronic-temperature input"):
        PtmlpCalculator(model_file, te_K=3000.0)
