"""PREM as shipped (polynomials, Dziewonski & Anderson 1981, Table I) against the paper's own
tabulated values (Table II), and the hydrostatic pressure ptmlp integrates from its densities.

Tabulated values used here (D&A 1981 Table II, also reproduced e.g. in BurnMan's
``data/input_seismic/prem_table.txt``): at r = 1221.5 km, inner-core side rho 12.76360,
Vp 11.02827, Vs 3.50432; outer-core side rho 12.16634, Vp 10.35568; at r = 3480 km, core side
rho 9.90349, Vp 8.06482; mantle side rho 5.56645, Vp 13.71660, Vs 7.26466; at r = 5701 km, lower
mantle side rho 4.38071, Vp 10.75131, Vs 5.94508; pressures: 23.83 GPa (670 km),
135.75 GPa (CMB), 328.85 GPa (ICB), 363.85 GPa (centre). Earth mass 5.974e24 kg.
"""

from __future__ import annotations

import pytest

from ptmlp.elastic.prem import prem_at_depth, prem_at_pressure, prem_at_radius, prem_mass_kg, prem_pressure_GPa
from ptmlp.errors import InputError


@pytest.mark.parametrize("r_km, side, rho, vp, vs", [
    (1221.5, "shallower", 12.16634, 10.35568, 0.0),
    (1221.5, "deeper", 12.76360, 11.02827, 3.50432),
    (3480.0, "deeper", 9.90349, 8.06482, 0.0),
    (3480.0, "shallower", 5.56645, 13.71660, 7.26466),
    (5701.0, "deeper", 4.38071, 10.75131, 5.94508),
])
def test_polynomials_match_table(r_km, side, rho, vp, vs):
    row = prem_at_radius(r_km, side)
    assert row["density_g_per_cm3"] == pytest.approx(rho, abs=1e-4)  # g/cm^3 (table printed to 6 digits)
    assert row["vp_km_per_s"] == pytest.approx(vp, abs=1e-4)  # km/s
    assert row["vs_km_per_s"] == pytest.approx(vs, abs=1e-4)


@pytest.mark.parametrize("depth_km, p_GPa, tol_GPa", [
    (670.0, 23.83, 0.05), (2891.0, 135.75, 0.15), (5149.5, 328.85, 0.3), (6371.0, 363.85, 0.3)])
def test_hydrostatic_pressure_matches_table(depth_km, p_GPa, tol_GPa):
    assert prem_pressure_GPa(depth_km) == pytest.approx(p_GPa, abs=tol_GPa)


def test_mass_and_inversion():
    assert prem_mass_kg() == pytest.approx(5.974e24, rel=1e-3)
    row = prem_at_pressure(135.0)
    assert row["layer"] == "D''" and 2870 < row["depth_km"] < 2891
    assert prem_at_depth(row["depth_km"])["pressure_GPa"] == pytest.approx(135.0, abs=1e-6)
    assert prem_at_pressure(340.0)["layer"] == "inner core"


def test_out_of_range():
    with pytest.raises(InputError, match="outside the Earth's range in PREM"):
        prem_at_pressure(400.0)
    with pytest.raises(InputError, match="outside the Earth"):
        prem_at_depth(7000.0)
