"""Ensemble uncertainty: the spread scale fitted on validation data and the calibration curve."""

from __future__ import annotations

import numpy as np
import pytest

from ptmlp.surfaces.uncertainty import calibration_curve, ensemble_mean_std, sigma_scale


def test_scale_recovers_an_underdispersed_spread():
    rng = np.random.default_rng(0)
    std = rng.uniform(0.05, 0.2, 4000)
    ref = rng.normal(0.0, 3.0 * std)  # true errors are three times the ensemble spread
    mean = np.zeros_like(ref)
    val, test = slice(0, 2000), slice(2000, None)
    s = sigma_scale(mean[val], std[val], ref[val])
    assert s == pytest.approx(3.0, rel=0.08)
    raw = calibration_curve(mean[test], std[test], ref[test])
    scaled = calibration_curve(mean[test], std[test], ref[test], s)
    assert raw["observed"][12] < 0.35  # the 65 % interval of the raw spread holds about a quarter
    assert abs(scaled["observed"][12] - 0.65) < 0.04 and scaled["miscalibration_area"] < 0.02 < raw["miscalibration_area"]


def test_ensemble_mean_std_and_missing_references():
    preds = np.array([[[1.0, 2.0]], [[3.0, 2.0]]])  # 2 members, 1 slab, 2 targets
    mean, std = ensemble_mean_std(preds)
    assert mean.tolist() == [[2.0, 2.0]] and std[0, 0] == pytest.approx(np.sqrt(2.0)) and std[0, 1] == 0.0
    assert sigma_scale(np.zeros(3), np.ones(3), np.full(3, np.nan)) == 1.0
    assert calibration_curve(np.zeros(3), np.ones(3), np.full(3, np.nan))["n"] == 0
