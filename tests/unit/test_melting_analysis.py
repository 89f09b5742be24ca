"""Trend/mean statistics of coexistence series and the classifier calibration (synthetic data
with known answers)."""

from __future__ import annotations

import numpy as np
import pytest

from ptmlp.errors import InputError
from ptmlp.melting.analysis import LIQUID_GROWS, SOLID_GROWS, STABLE, classify_trend, linear_trend, mean_and_error
from ptmlp.melting.classify import calibrate
from ptmlp.melting.stages import contaminated_reference


def ar1(n, phi, rng):
    x = np.zeros(n)
    e = rng.normal(size=n)
    for k in range(1, n):
        x[k] = phi * x[k - 1] + e[k]
    return x


def test_mean_error_covers_truth_for_correlated_noise():
    # 200 independent AR(1) series: |mean| / error should be ~N(0,1) -> 95% within 2 sigma
    rng = np.random.default_rng(1)
    z = []
    for _ in range(200):
        m, e = mean_and_error(ar1(2000, 0.9, rng))
        z.append(m / e)
    assert 0.85 < np.mean(np.abs(z) < 2.0) <= 1.0


def test_linear_trend_recovers_slope_and_error():
    rng = np.random.default_rng(2)
    t = np.linspace(0, 50, 500)
    slopes = []
    for _ in range(100):
        y = 0.5 + 0.004 * t + 0.02 * ar1(500, 0.7, rng)
        tr = linear_trend(t, y)
        slopes.append((tr.slope_per_ps - 0.004) / tr.slope_err_per_ps)
    # error estimate honest within a factor ~1.5
    assert 0.6 < np.std(slopes) < 1.6


def test_verdicts():
    t = np.linspace(0, 40, 400)
    rng = np.random.default_rng(3)
    noise = 0.01 * rng.normal(size=400)
    assert classify_trend(t, 0.5 + 0.005 * t + noise, 0.04, 3.0)[0] == SOLID_GROWS
    assert classify_trend(t, 0.5 - 0.005 * t + noise, 0.04, 3.0)[0] == LIQUID_GROWS
    assert classify_trend(t, 0.5 + noise, 0.04, 3.0)[0] == STABLE
    frozen = np.minimum(0.5 + 0.05 * t, 1.0) + noise
    verdict, _, why = classify_trend(t, frozen, 0.04, 3.0)
    assert verdict == SOLID_GROWS and why == "froze completely"
    melted = np.maximum(0.5 - 0.05 * t, 0.0) + noise
    assert classify_trend(t, melted, 0.04, 3.0)[:3:2] == (LIQUID_GROWS, "melted completely")


def test_calibration_threshold_and_mapping():
    solid = np.zeros(15)
    solid[[11, 12, 13]] = [20, 70, 10]
    solid[2] = 2  # a few thermally disordered atoms
    liquid = np.zeros(15)
    liquid[[0, 1, 2, 3, 8]] = [30, 40, 20, 9, 1]
    cal = calibrate(solid, liquid)
    # errors: n <= 2: all liquid labelled solid; 3..8: the liquid tail; 9..11: only 2 solid atoms lost
    assert cal.nsolid_bonds == 9
    assert cal.f_solid_ref == pytest.approx(100 / 102)
    assert cal.f_liquid_ref == 0.0
    assert cal.misclassification == pytest.approx(2 / 102)
    assert cal.solid_fraction(cal.f_solid_ref) == pytest.approx(1.0)
    assert cal.solid_fraction(0.5 * (cal.f_solid_ref + cal.f_liquid_ref)) == pytest.approx(0.5)


def test_overlapping_references_refused_and_diagnosed():
    solid = np.zeros(15)
    solid[[1, 2, 12]] = [15, 10, 75]  # a quarter of the "solid" is liquid-like: it melted
    liquid = np.zeros(15)
    liquid[[1, 2, 3]] = [50, 40, 10]
    with pytest.raises(InputError, match="does not separate solid from liquid"):
        calibrate(solid, liquid, max_misclassification=0.15)
    assert contaminated_reference(solid, liquid, 12) == "solid"
    clean_solid = np.zeros(15)
    clean_solid[[11, 12, 13]] = [20, 70, 10]
    frozen_liquid = liquid.copy()
    frozen_liquid[12] = 30  # part of the "liquid" crystallised
    assert contaminated_reference(clean_solid, frozen_liquid, 12) == "liquid"
    broad = np.ones(15)
    assert contaminated_reference(broad, broad, 12) is None
