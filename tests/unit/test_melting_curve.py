"""Simon-Glatzel fit: recovers known parameters; the band covers the truth at its confidence level."""

from __future__ import annotations

import numpy as np
import pytest

from ptmlp.errors import InputError
from ptmlp.melting.curve import fit_simon_glatzel, simon_glatzel


def test_exact_points_give_exact_parameters():
    p = np.array([0.0, 20.0, 60.0, 135.0, 330.0])
    t = simon_glatzel(p, 1811.0, 23.0, 2.3, 0.0)  # an Fe-like curve
    fit = fit_simon_glatzel(p, t, np.full(5, 1.0))
    assert fit.T_ref_K == pytest.approx(1811.0, rel=1e-4)
    assert fit.a_GPa == pytest.approx(23.0, rel=1e-3)
    assert fit.c == pytest.approx(2.3, rel=1e-3)


def test_band_coverage():
    rng = np.random.default_rng(4)
    p = np.array([0.0, 25.0, 50.0, 100.0, 200.0, 330.0])
    truth = simon_glatzel(p, 1800.0, 25.0, 2.5, 0.0)
    grid = np.array([40.0, 150.0, 300.0])
    true_grid = simon_glatzel(grid, 1800.0, 25.0, 2.5, 0.0)
    hits = []
    for _ in range(200):
        fit = fit_simon_glatzel(p, truth + rng.normal(scale=50.0, size=len(p)), np.full(len(p), 50.0),
                                confidence=0.68)
        half, curve = fit.band(grid)
        hits.append(np.abs(curve - true_grid) <= half)
    coverage = np.mean(hits)
    assert 0.55 < coverage < 0.85  # nominal 68%


def test_needs_three_pressures():
    with pytest.raises(InputError, match="3 or more"):
        fit_simon_glatzel([0, 10], [1000, 1200], [10, 10])
