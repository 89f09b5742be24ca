"""Element table (mendeleev), Magpie-style composition features and per-site features against hand
computations (issue #24)."""

import numpy as np
import pytest

from ptmlp.bandgap.elements import SITE_PROPERTIES, element_table, filled_cells
from ptmlp.bandgap.features import featurise, magpie_feature_names
from ptmlp.bandgap.formula import parse_formula
from ptmlp.bandgap.site_features import site_feature_names, site_features


def test_element_table_values_from_mendeleev():
    t = element_table()
    v = lambda p, el: float(t.values[p][t.index(el)])  # noqa: E731
    assert v("atomic_number", "Zn") == 30 and v("period", "Bi") == 6
    assert v("electronegativity_pauling", "O") == pytest.approx(3.44)
    assert v("density_g_per_cm3", "Fe") == pytest.approx(7.87)
    assert v("d_electrons", "Fe") == 6 and v("d_electrons", "Zn") == 10 and v("d_electrons", "Mg") == 0
    assert v("sp_electrons", "Bi") == 5 and v("sp_electrons", "O") == 6 and v("sp_electrons", "Pd") == 0
    # Zn has no bound anion: Mulliken EN = I/2 (mendeleev's rule)
    assert v("electronegativity_mulliken_eV", "Zn") == pytest.approx(v("ionization_energy_eV", "Zn") / 2)
    assert v("ionization_energy_eV", "H") == pytest.approx(13.598, abs=1e-3)
    assert "Eu" in filled_cells()["electronegativity_pauling"]  # interpolated, and listed
    assert 1.1 < v("electronegativity_pauling", "Eu") < 1.2
    assert v("group", "Ce") == 3
    assert all(np.isfinite(t.values[p][1:]).all() for p in SITE_PROPERTIES)


def test_magpie_features_by_hand():
    names = magpie_feature_names()
    X = featurise([parse_formula("ZnO"), parse_formula("Bi2O3")])
    f = lambda i, n: X[i, names.index(n)]  # noqa: E731
    # ZnO: fractions 1/2, 1/2; Z = 30, 8
    assert f(0, "n_elements") == 2 and f(0, "frac_l2") == pytest.approx(np.sqrt(0.5))
    assert (f(0, "min_atomic_number"), f(0, "max_atomic_number"), f(0, "range_atomic_number")) == (8, 30, 22)
    assert f(0, "mean_atomic_number") == pytest.approx(19) and f(0, "mad_atomic_number") == pytest.approx(11)
    assert f(0, "mode_atomic_number") == 8  # tie -> the smaller value
    # Bi2O3: fractions 0.4, 0.6; Z = 83, 8
    assert f(1, "mean_atomic_number") == pytest.approx(0.4 * 83 + 0.6 * 8)
    assert f(1, "mad_atomic_number") == pytest.approx(0.4 * 45 + 0.6 * 30)
    assert f(1, "mode_atomic_number") == 8 and f(1, "frac_l3") == pytest.approx((0.4 ** 3 + 0.6 ** 3) ** (1 / 3))
    assert f(1, "mean_electronegativity_pauling") == pytest.approx(0.4 * 1.9 + 0.6 * 3.44)


def test_site_features_by_hand():
    from fractions import Fraction

    names = site_feature_names()
    assert len(names) == 4 * 12 == 48 and len(SITE_PROPERTIES) == 12
    X = site_features([({"Zn": Fraction(1)}, {"Bi": Fraction(1)}),
                       ({"Zn": Fraction(9, 10), "Mn": Fraction(1, 10)}, {"Bi": Fraction(1)}),
                       ({"Si": Fraction(1)}, {"Mg": Fraction(1, 2), "Fe": Fraction(1, 2)})])
    f = lambda i, n: X[i, names.index(n)]  # noqa: E731
    assert (f(0, "A_atomic_number"), f(0, "B_atomic_number")) == (30, 83)
    assert f(0, "AminusB_atomic_number") == -53 and f(0, "AplusB_atomic_number") == 113
    assert f(1, "A_atomic_number") == pytest.approx(0.9 * 30 + 0.1 * 25)
    assert f(1, "A_d_electrons") == pytest.approx(0.9 * 10 + 0.1 * 5)
    assert f(2, "B_d_electrons") == pytest.approx(0.5 * 0 + 0.5 * 6)
    assert f(2, "A_electronegativity_pauling") == pytest.approx(1.90)
    assert f(2, "AminusB_period") == pytest.approx(3 - 0.5 * 3 - 0.5 * 4)
