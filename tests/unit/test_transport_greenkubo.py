"""Green-Kubo integration and the cepstral method on Ornstein-Uhlenbeck processes whose
integral is known exactly (sigma^2 tau), the multi-flux projection on a constructed mixture
signal, and the errors for bad input."""

import numpy as np
import pytest

from ptmlp.errors import InputError
from ptmlp.transport.cepstral import cepstral
from ptmlp.transport.decorrelation import onsager_matrix, project_out, projection_coefficients
from ptmlp.transport.greenkubo import green_kubo
from ptmlp.transport.results import TransportWarning

from transport_synthetic import ou_integral, ou_series

DT, TAU, SIGMA = 1.0, 20.0, 2.0
EXACT = ou_integral(DT, TAU, SIGMA)  # 80.017


@pytest.fixture(scope="module")
def ou_runs():
    rng = np.random.default_rng(42)
    return [ou_series(2 ** 15, 3, DT, TAU, SIGMA, rng) for _ in range(4)]


def test_green_kubo_recovers_ou_integral(ou_runs):
    res = green_kubo(ou_runs, DT, 1.0, max_lag_s=400.0)
    z = (res.value.value - EXACT) / res.value.std_err
    print(f"GK {res.value} vs exact {EXACT:.3f} (z = {z:.2f}), cutoff {res.cutoff_time_s} = {res.cutoff_time_s / TAU:.1f} tau")
    assert abs(z) < 3
    assert 0.01 < res.value.relative_err < 0.1
    assert 2 * TAU < res.cutoff_time_s < 8 * TAU  # the ACF is e^-2..e^-8 there: the noise level
    assert len(res.per_component) == 3


def test_green_kubo_prefactor_and_fixed_cutoff(ou_runs):
    a = green_kubo(ou_runs, DT, 1.0, max_lag_s=400.0, cutoff=150.0)
    b = green_kubo(ou_runs, DT, 3.5, max_lag_s=400.0, cutoff=150.0)
    assert a.cutoff_time_s == 150.0 and a.cutoff_method == "fixed"
    assert b.value.value == pytest.approx(3.5 * a.value.value, rel=1e-12)
    c = green_kubo(ou_runs, DT, 1.0, max_lag_s=400.0, cutoff="first-zero")
    assert c.cutoff_time_s > a.cutoff_time_s / 3


def test_cepstral_recovers_ou_integral(ou_runs):
    # F* below ~1/(2 tau) keeps the log-spectrum smooth on the grid (a handful of coefficients)
    res = cepstral(ou_runs, DT, 1.0, f_cut_Hz=0.02)
    z = (res.value.value - EXACT) / res.value.std_err
    print(f"cepstral {res.value} vs exact {EXACT:.3f} (z = {z:.2f}), P* = {res.n_coefficients}, l = {res.n_components}")
    assert abs(z) < 3
    assert res.n_components == 12
    assert 2 <= res.n_coefficients < 20
    assert res.value.relative_err < 0.1


def test_cepstral_error_bar_is_calibrated():
    """Over 30 independent data sets the normalised errors have mean ~0 and spread ~1."""
    rng = np.random.default_rng(7)
    z = []
    for _ in range(30):
        runs = [ou_series(2 ** 13, 3, DT, 5.0, SIGMA, rng)]
        res = cepstral(runs, DT, 1.0, f_cut_Hz=0.1)
        z.append((res.value.value - ou_integral(DT, 5.0, SIGMA)) / res.value.std_err)
    z = np.array(z)
    print(f"cepstral z: mean {z.mean():.2f}, std {z.std():.2f}")
    assert abs(z.mean()) < 0.6  # 30 samples: 3 standard errors of the mean
    assert 0.6 < z.std() < 1.5


def test_projection_removes_mass_flux_correlation():
    """J_0 = heat + 1.5 * mass: the projected flux integrates to the heat flux's integral."""
    rng = np.random.default_rng(3)
    runs, heat = [], []
    for _ in range(3):
        h = ou_series(2 ** 14, 3, DT, 10.0, 1.0, rng)
        m = ou_series(2 ** 14, 3, DT, 30.0, 2.0, rng)
        runs.append(np.stack([h + 1.5 * m, m], axis=2))
        heat.append(h)
    coeffs = projection_coefficients(onsager_matrix(runs, DT, 300))
    projected = project_out(runs, coeffs)
    res = green_kubo(projected, DT, 1.0, max_lag_s=300.0)
    exact = ou_integral(DT, 10.0, 1.0)
    print(f"projection coefficient {coeffs[0]:.3f} (true 1.5); kappa {res.value} vs {exact:.3f}")
    assert coeffs[0] == pytest.approx(1.5, abs=0.15)
    assert abs(res.value.value - exact) < 3 * res.value.std_err + 0.05 * exact


def test_run_too_short_for_correlation_time_says_by_how_much():
    x = np.random.default_rng(0).normal(size=(1000, 3))
    with pytest.raises(InputError, match=r"too short for a correlation time of 200 ps.*need at least 10x = 2000 ps \(1000 ps more\)"):
        green_kubo([x], 1e-12, 1.0, max_lag_s=200e-12)


@pytest.mark.parametrize("kwargs, msg", [
    (dict(dt_s=0.0, prefactor=1.0), "sampling interval must be positive"),
    (dict(dt_s=1.0, prefactor=-1.0), "prefactor must be positive"),
    (dict(dt_s=1.0, prefactor=1.0, cutoff="plateau"), "unknown cutoff"),
    (dict(dt_s=1.0, prefactor=1.0, cutoff=1e9), "must be positive and at most"),
])
def test_bad_green_kubo_input(kwargs, msg):
    x = np.random.default_rng(0).normal(size=(1000, 3))
    with pytest.raises(InputError, match=msg):
        green_kubo([x], **kwargs)


def test_nonzero_mean_and_no_decay_are_flagged():
    rng = np.random.default_rng(5)
    x = ou_series(5000, 3, 1.0, 2000.0, 1.0, rng) + 3.0  # drifting, offset series
    with pytest.warns(TransportWarning) as rec:
        res = green_kubo([x], 1.0, 1.0, max_lag_s=100.0)
    text = " ".join(str(w.message) for w in rec)
    assert "non-zero mean" in text
    assert "has not decayed" in text
    assert any("has not decayed" in m for m in res.notes.messages)


def test_cepstral_rejects_mean_subtracted_or_short_series():
    with pytest.raises(InputError, match="at least 64 samples"):
        cepstral([np.ones((10, 3))], 1.0, 1.0)
    x = np.random.default_rng(0).normal(size=(512, 1))
    x -= x.mean()
    with pytest.raises(InputError, match="zero bins"):
        cepstral([x], 1.0, 1.0)
