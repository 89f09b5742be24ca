"""Aggregate moduli, isotropic velocities, Christoffel solutions and Born stability.

References: Hill, Proc. Phys. Soc. A 65, 349 (1952) (Voigt/Reuss/Hill; cubic closed forms, e.g.
G_R = 5 (C11-C12) C44 / (4 C44 + 3 (C11-C12))); isotropic V_P = sqrt((K + 4G/3)/rho),
V_S = sqrt(G/rho); cubic-crystal sound velocities along [100], [110], [111] (Kittel, Introduction
to Solid State Physics, 8th ed., ch. 3, problems 3.x; Musgrave, Crystal Acoustics, 1970);
elastic constants of copper at room temperature C11 = 168.4, C12 = 121.4, C44 = 75.4 GPa,
rho = 8.932 g/cm^3 (Overton & Gaffney, Phys. Rev. 98, 969 (1955)). Born criteria for cubic
crystals (Born & Huang 1954; Mouhat & Coudert, PRB 90, 224104 (2014)).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from ptmlp.elastic.christoffel import MechanicalInstabilityWarning, anisotropy, christoffel_velocities
from ptmlp.elastic.moduli import born_stability, isotropic_velocities, vrh, with_errors
from ptmlp.errors import InputError

CU = (168.4, 121.4, 75.4)  # GPa, Overton & Gaffney (1955)
RHO_CU = 8.932  # g/cm^3


def cubic(c11, c12, c44):
    c = np.zeros((6, 6))
    c[:3, :3] = c12
    np.fill_diagonal(c[:3, :3], c11)
    c[3, 3] = c[4, 4] = c[5, 5] = c44
    return c


def isotropic(k, g):
    lam = k - 2 * g / 3
    return cubic(lam + 2 * g, lam, g)


def test_isotropic_christoffel_equals_closed_form():
    k, g, rho = 160.0, 80.0, 7.9
    c = isotropic(k, g)
    vp = np.sqrt((k + 4 * g / 3) / rho)
    vs = np.sqrt(g / rho)
    for d in ([1, 0, 0], [1, 1, 0], [0.3, -0.2, 0.9]):
        v = christoffel_velocities(c, rho, d)
        assert v["vp_km_per_s"] == pytest.approx(vp, rel=1e-12)
        assert v["vs1_km_per_s"] == pytest.approx(vs, rel=1e-12) and v["vs2_km_per_s"] == pytest.approx(vs, rel=1e-12)
    iso = isotropic_velocities(k, g, rho)
    assert iso["vp_km_per_s"] == pytest.approx(vp) and iso["vphi_km_per_s"] == pytest.approx(np.sqrt(k / rho))
    an = anisotropy(c, rho)
    assert an["AVp_percent"] == pytest.approx(0, abs=1e-9) and an["AVs_max_percent"] == pytest.approx(0, abs=1e-6)


def test_copper_velocities_along_cubic_axes():
    c11, c12, c44 = CU
    c = cubic(*CU)
    expect = {  # (V_L, V_T1, V_T2) in km/s from the closed forms for cubic crystals
        (1, 0, 0): (np.sqrt(c11 / RHO_CU), np.sqrt(c44 / RHO_CU), np.sqrt(c44 / RHO_CU)),
        (1, 1, 0): (np.sqrt((c11 + c12 + 2 * c44) / (2 * RHO_CU)), np.sqrt(c44 / RHO_CU),
                    np.sqrt((c11 - c12) / (2 * RHO_CU))),
        (1, 1, 1): (np.sqrt((c11 + 2 * c12 + 4 * c44) / (3 * RHO_CU)), np.sqrt((c11 - c12 + c44) / (3 * RHO_CU)),
                    np.sqrt((c11 - c12 + c44) / (3 * RHO_CU))),
    }
    for d, (vl, t1, t2) in expect.items():
        v = christoffel_velocities(c, RHO_CU, d)
        got = sorted([v["vs1_km_per_s"], v["vs2_km_per_s"]], reverse=True)
        assert v["vp_km_per_s"] == pytest.approx(vl, rel=1e-12)
        assert got == pytest.approx(sorted([t1, t2], reverse=True), rel=1e-12)
    # Cu's famous anisotropy: V_L along [111] ~ 5.2 km/s, slow shear along [110] ~ 1.6 km/s
    assert expect[(1, 1, 1)][0] == pytest.approx(5.2, abs=0.1)
    an = anisotropy(c, RHO_CU)
    assert an["vs_min_km_per_s"] == pytest.approx(np.sqrt((c11 - c12) / (2 * RHO_CU)), rel=1e-3)


def test_vrh_cubic_closed_forms():
    c11, c12, c44 = CU
    m = vrh(cubic(*CU))
    assert m["K_voigt"] == pytest.approx((c11 + 2 * c12) / 3) and m["K_reuss"] == pytest.approx((c11 + 2 * c12) / 3)
    assert m["G_voigt"] == pytest.approx((c11 - c12 + 3 * c44) / 5)
    assert m["G_reuss"] == pytest.approx(5 * (c11 - c12) * c44 / (4 * c44 + 3 * (c11 - c12)))
    assert m["universal_anisotropy_AU"] > 1.0  # Cu is strongly anisotropic (A_U ~ 1.5)


def test_errors_propagate_to_moduli():
    err = np.full((6, 6), 0.0)
    err[0, 0] = err[1, 1] = err[2, 2] = 3.0
    val, e = with_errors(vrh, cubic(*CU), err, n=4000)
    # K_V = (C11+C22+C33)/9 + ...: sigma = 3 * sqrt(3) / 9 GPa
    assert e["K_voigt"] == pytest.approx(3 * np.sqrt(3) / 9, rel=0.05)


def test_born_stability():
    ok = born_stability(cubic(*CU), "cubic")
    assert ok["stable"] and all(v["ok"] for v in ok["criteria"].values())
    bad = born_stability(cubic(120.0, 135.0, 80.0), "cubic")  # C11 < C12: tetragonal shear unstable
    assert not bad["stable"] and not bad["criteria"]["C11-C12>0"]["ok"]
    assert bad["min_eigenvalue_GPa"] == pytest.approx(120.0 - 135.0)


def test_bad_inputs_are_one_line():
    with pytest.raises(InputError, match="direction"):
        christoffel_velocities(cubic(*CU), RHO_CU, [0, 0, 0])
    with pytest.raises(InputError, match="density"):
        isotropic_velocities(100.0, 50.0, -1.0)


def test_unstable_tensor_has_no_anisotropy_and_no_numpy_warning():
    """C44 < 0 (the demo model at 500 GPa: C11 4435, C12 4110, C44 -459 GPa): both shear velocities
    along [100] are imaginary, so V_S1 + V_S2 = 0 there; one physical warning instead of 0/0."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(MechanicalInstabilityWarning, match=r"zero or imaginary acoustic velocities along \d+ of "
                                                              r"\d+ directions .* mechanically unstable"):
            an = anisotropy(cubic(4435.0, 4110.0, -459.0), 14.0)
    assert an["AVs_max_percent"] is None and an["imaginary_velocity_directions"] > 0
    stable = anisotropy(cubic(*CU), RHO_CU)
    assert stable["imaginary_velocity_directions"] == 0 and stable["AVs_max_percent"] > 0
