"""The QHA fit (ptmlp.phonons.qha_fit) on an Einstein solid, whose thermodynamics is known in closed form.

Model: 3 modes per atom at omega(V) = omega_E (V0/V)^gamma (Grueneisen parameter gamma) on a Vinet
static energy E(V). The exact quasi-harmonic answer at zero pressure: V(T) minimises E + F_vib;
K_T = V d2F/dV2 there; the Grueneisen relation alpha K_T = (dS/dV)_T = gamma C_v / V (Ashcroft &
Mermin, Solid State Physics, eq. 25.19) gives C_p - C_v = alpha^2 V K_T T. Parameters are
Fe-like (theta_E = 350 K, gamma = 1.7, K0 = 178 GPa, V0 = 11.64 A^3/atom), so C_p - C_v is about
1.5 J/K/mol at 1000 K, large enough to see a wrong thermal expansion.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.optimize import brentq

from ptmlp.phonons.qha_fit import QHAConsistencyWarning, VolumeScan, fit_qha

K_B = 8.617333262e-5  # eV/K
R_GAS = 8.314462618  # J/(K mol)
EV_TO_KJ_PER_MOL = 96.48533212
V0, K0_GPA, K0P, THETA_E, GAMMA = 11.64, 178.0, 5.5, 350.0, 1.7
EV_PER_A3_TO_GPA = 160.21766208


def static_energy(v):
    """Vinet E(V) (eV) with E(V0) = 0."""
    eta = (v / V0) ** (1 / 3)
    xi = 1.5 * (K0P - 1)
    k0 = K0_GPA / EV_PER_A3_TO_GPA
    return 9 * k0 * V0 / xi ** 2 * (1 + (xi * (1 - eta) - 1) * np.exp(xi * (1 - eta)))


def einstein(v, t):
    """F_vib (eV), S and C_v (J/K/mol) of 3 Einstein modes at volume v, temperature t (quantum)."""
    hw = K_B * THETA_E * (V0 / v) ** GAMMA
    if t == 0:
        return 1.5 * hw, 0.0, 0.0
    x = hw / (K_B * t)
    f = 3 * (0.5 * hw + K_B * t * np.log1p(-np.exp(-x)))
    s = 3 * R_GAS * (x / np.expm1(x) - np.log1p(-np.exp(-x)))
    cv = 3 * R_GAS * x * x * np.exp(x) / np.expm1(x) ** 2
    return f, s, cv


def scan(strains, temps) -> VolumeScan:
    vols = V0 * (1 + np.asarray(strains))
    arr = np.array([[einstein(v, t) for v in vols] for t in temps])  # (T, V, 3)
    return VolumeScan(volume_strains=np.asarray(strains, float), volumes_A3=vols, energies_eV=static_energy(vols),
                      temperatures_K=np.asarray(temps, float), free_energy_kJ_per_mol=arr[:, :, 0] * EV_TO_KJ_PER_MOL,
                      cv_J_per_K_mol=arr[:, :, 2], entropy_J_per_K_mol=arr[:, :, 1], n_atoms_primitive=1)


def exact(t):
    """V(T), K_T (GPa), alpha (1/K), C_v and C_p (J/K/mol) of the model at zero pressure."""
    def free(v):
        return static_energy(v) + einstein(v, t)[0]

    def dfdv(v, h=1e-5):
        return (free(v + h) - free(v - h)) / (2 * h)
    v = brentq(dfdv, 0.9 * V0, 1.1 * V0, xtol=1e-12)
    h = 1e-3
    k_gpa = v * (free(v + h) - 2 * free(v) + free(v - h)) / h ** 2 * EV_PER_A3_TO_GPA
    cv = einstein(v, t)[2]
    alpha_k = GAMMA * cv / (v * 1e-30 * 6.02214076e23)  # Pa/K
    alpha = alpha_k / (k_gpa * 1e9)
    return v, k_gpa, alpha, cv, cv + alpha ** 2 * v * 1e-30 * 6.02214076e23 * k_gpa * 1e9 * t


TEMPS = np.arange(0.0, 1210.0, 20.0)


@pytest.mark.parametrize("strains", [np.linspace(-0.01, 0.07, 5), np.linspace(-0.03, 0.09, 7)])
def test_einstein_solid_matches_closed_form(strains):
    with warnings.catch_warnings():
        warnings.simplefilter("error", QHAConsistencyWarning)
        q = fit_qha(scan(strains, TEMPS))
    assert q["cp_routes_agree"] and q["volume_grid_covers_V_T"]
    for temp in (300.0, 1000.0):
        k = int(np.argmin(np.abs(q["temperature_K"] - temp)))
        v, k_gpa, alpha, cv, cp = exact(temp)
        assert q["volume_A3_per_atom"][k] == pytest.approx(v, abs=1e-3)  # A^3
        assert q["bulk_modulus_GPa"][k] == pytest.approx(k_gpa, abs=1.0)  # GPa
        assert q["volumetric_thermal_expansion_per_K"][k] == pytest.approx(alpha, abs=2e-7)  # 1/K (alpha ~ 4e-5)
        assert q["cv_J_per_K_mol_atoms"][k] == pytest.approx(cv, abs=1e-3)  # J/K/mol
        assert q["cp_J_per_K_mol_atoms"][k] == pytest.approx(cp, abs=0.02)  # J/K/mol (C_p - C_v ~ 1.5)
        assert q["cp_numerical_J_per_K_mol_atoms"][k] == pytest.approx(cp, abs=0.1)
        assert q["cp_err_J_per_K_mol_atoms"][k] < 0.05


def test_inconsistent_entropy_is_flagged():
    """S(V) whose volume slope is three times what F(V) implies: the two C_p routes must disagree."""
    sc = scan(np.linspace(-0.03, 0.09, 7), TEMPS)
    s0 = sc.entropy_J_per_K_mol[:, [3]]
    sc.entropy_J_per_K_mol = sc.entropy_J_per_K_mol + 2.0 * (sc.entropy_J_per_K_mol - s0)
    with pytest.warns(QHAConsistencyWarning, match=r"C_p = .* from -T d2G/dT2 and .* from C_v \+ alpha\^2 V K_T T"):
        q = fit_qha(sc)
    assert not q["cp_routes_agree"] and q["cp_routes_worst"]["temperature_K"] > 0
