"""Reduced Lennard-Jones units on request (issue #20, ``units: lj``): the conversions of
constants.LJUnits used for the summary's reduced_lj block and the plot axes, slopes labelled with
their units, and the config key (refused without units: lj)."""

import math

import pytest

from ptmlp.config import ConfigError
from ptmlp.transport import constants as C
from ptmlp.transport.config import load_options
from ptmlp.transport.display import DisplayUnits

AR = C.ARGON


def test_reduced_block_converts_every_si_number_it_knows():
    s = {"viscosity_Pa_s": AR.viscosity_Pa_s(3.268), "viscosity_Pa_s_err": AR.viscosity_Pa_s(0.055),
         "viscosity_Pa_s_error_model": {"flux_tau_int_ps": AR.time_s / C.PS_S, "n_runs": 2},
         "kappa_W_per_mK": AR.kappa_W_per_mK(6.946), "D_Ar_m2_per_s_stat_err": AR.D_m2_per_s(0.0325),
         "temperature_K": AR.temperature_K(0.722), "temperature_err_K": AR.temperature_K(0.004),
         "shear_rate_per_s": 0.1 / AR.time_s, "box_A": [[3 * 3.405, 0, 0]], "power_eV_per_ps": 1.0,
         "temperature_gradient_K_per_A": 2.0, "extrapolation": {"fits": [{"form": "sqrt", "viscosity_Pa_s": AR.viscosity_Pa_s(3.5)}]},
         "warnings": ["x"], "n_runs": 2}
    r = DisplayUnits(AR).reduced(s)
    assert r["viscosity_lj"] == pytest.approx(3.268) and r["viscosity_lj_err"] == pytest.approx(0.055)
    assert r["viscosity_lj_error_model"] == {"flux_tau_int_lj": pytest.approx(1.0)}
    assert r["kappa_lj"] == pytest.approx(6.946) and r["D_Ar_lj_stat_err"] == pytest.approx(0.0325)
    assert r["temperature_lj"] == pytest.approx(0.722) and r["temperature_err_lj"] == pytest.approx(0.004)
    assert r["shear_rate_lj"] == pytest.approx(0.1) and r["box_lj"] == [[pytest.approx(3.0), 0.0, 0.0]]
    assert r["extrapolation"] == {"fits": [{"form": "sqrt", "viscosity_lj": pytest.approx(3.5)}]}
    # per-ps rates and gradients per A are not times or lengths: left out, as are numbers without a unit
    assert not {"power_eV_per_ps", "temperature_gradient_K_per_A", "power_lj", "n_runs", "warnings"} & set(r)


def test_axes_and_slope_units():
    si, lj = DisplayUnits(), DisplayUnits(AR)
    assert si.slope_unit("temperature", "length").unit == "K/Å"
    assert si.slope_unit("velocity", "length").unit == "(Å/ps)/Å"
    assert si.slope_unit("temperature", "length").scale == pytest.approx(1e-10)  # K/m -> K/Å
    assert lj.slope_unit("velocity", "length").unit == "(σ/τ)/σ"
    assert lj.axis("viscosity").scale * AR.viscosity_Pa_s(2.0) == pytest.approx(2.0)
    assert lj.axis("time").scale * AR.time_s == pytest.approx(1.0) and lj.axis("time").unit == "τ"
    assert lj.axis("conductivity") == si.axis("conductivity")  # no reduced charge unit
    d = lj.describe()
    assert d["sigma_A"] == pytest.approx(3.405) and d["tau_ps"] == pytest.approx(AR.time_s / C.PS_S)
    assert math.isclose(d["epsilon_eV"] * C.EV_J / C.KB_J_PER_K, 119.8)


def test_units_key(tmp_path):
    opts = load_options("viscosity", None, {"inputs": [str(tmp_path)], "units": "lj"})
    assert opts.display().name == "lj" and opts.lj.sigma_A == 3.405
    cfg = tmp_path / "d.yaml"
    cfg.write_text("inputs: [.]\nunits: si\nlj: {sigma_A: 3.0}\n")
    with pytest.raises(ConfigError, match="lj belongs to units: lj"):
        load_options("diffusion", cfg)
    cfg.write_text("inputs: [.]\nunits: reduced\n")
    with pytest.raises(ConfigError, match="units"):
        load_options("kappa", cfg)
