"""Ionic conductivity: Nernst-Einstein arithmetic, charge bookkeeping (names, neutrality),
and the Green-Kubo charge current on a synthetic per-type centre-of-mass velocity file."""

import math

import numpy as np
import pytest

from ptmlp.errors import InputError
from ptmlp.transport import constants as C
from ptmlp.transport.conductivity import charges_by_type, conductivity_green_kubo, nernst_einstein
from ptmlp.transport.results import Measurement

from transport_synthetic import ou_integral, ou_series


def test_nernst_einstein_value():
    d = {"Na": Measurement(1e-9, 1e-11), "Cl": Measurement(2e-9, 2e-11)}
    sigma = nernst_einstein(d, {"Na": 100, "Cl": 100}, {"Na": 1.0, "Cl": -1.0}, 1e4, 1000.0)
    exact = C.E_CHARGE_C ** 2 / (1e4 * 1e-30 * C.KB_J_PER_K * 1000.0) * 100 * 3e-9
    assert sigma.value == pytest.approx(exact, rel=1e-12)
    assert sigma.std_err == pytest.approx(C.E_CHARGE_C ** 2 / (1e-26 * C.KB_J_PER_K * 1000.0) * 100 * math.hypot(1e-11, 2e-11))


def test_charges_checks():
    assert charges_by_type({"Mg": 2, "O": -2}, {1: "Mg", 2: "O"}) == {1: 2.0, 2: -2.0}
    assert charges_by_type({"1": 1, "2": -1}, {1: "1", 2: "2"}) == {1: 1.0, 2: -1.0}
    with pytest.raises(InputError, match="no formal charge for type 2"):
        charges_by_type({"Mg": 2}, {1: "Mg", 2: "O"})
    with pytest.raises(InputError, match="unknown species"):
        charges_by_type({"Mg": 2, "O": -2, "Fe": 3}, {1: "Mg", 2: "O"})


def write_vcm(folder, v1, v2, n1, n2, every=5):
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["# Time-averaged data for fix vcmt", "# TimeStep Number-of-rows",
             "# Row c_vcm_t[1] c_vcm_t[2] c_vcm_t[3] c_n_t c_m_t"]
    for k in range(len(v1)):
        lines.append(f"{k * every} 2")
        lines.append(f"1 {v1[k, 0]:.9g} {v1[k, 1]:.9g} {v1[k, 2]:.9g} {n1} {n1 * 23.0}")
        lines.append(f"2 {v2[k, 0]:.9g} {v2[k, 1]:.9g} {v2[k, 2]:.9g} {n2} {n2 * 35.45}")
    (folder / "vcm_types.dat").write_text("\n".join(lines) + "\n")
    (folder / "run_info.yaml").write_text("units: metal\nvolume_A3: 27000\ntimestep_ps: 0.002\nT_target_K: 1200\n"
                                          "species: Na Cl\n")


def test_green_kubo_charge_current(tmp_path):
    rng = np.random.default_rng(0)
    n, tau, sig = 2 ** 14, 15.0, 0.05  # A/ps
    runs = []
    for k in range(3):
        v1 = ou_series(n, 3, 1.0, tau, sig, rng)
        v2 = -v1 * 100 / 100  # momentum-free, equal counts: J = e (v1 * 100 - v2 * 100) = 200 e v1
        write_vcm(tmp_path / f"r{k}", v1, v2, 100, 100)
        runs.append(tmp_path / f"r{k}")
    res = conductivity_green_kubo(runs, {"Na": 1, "Cl": -1}, max_correlation_time_ps=1.0)
    dt_s = 5 * 0.002e-12
    integral = ou_integral(1.0, tau, 200 * C.E_CHARGE_C * sig * 100.0) * dt_s
    exact = integral / (27000e-30 * C.KB_J_PER_K * 1200)
    print(f"sigma {res.sigma} S/m vs {exact:.4g}; cepstral {res.sigma_cepstral.value}")
    assert abs(res.sigma.value - exact) < 3 * res.sigma.std_err + 0.03 * exact
    with pytest.raises(InputError, match="not neutral"):
        conductivity_green_kubo(runs, {"Na": 1, "Cl": -2})
