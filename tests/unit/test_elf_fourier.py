"""Reciprocal-space residual analysis and the low-k correction of the logit residual."""

from __future__ import annotations

import numpy as np
import pytest

from ptmlp.elf.fourier import correlation_length_A, k_norms, logit, low_k_corrected, residual_spectrum, sigmoid

CELL = np.diag([4.0, 4.4, 4.8])
SHAPE = (40, 44, 48)


def fields(seed=0):
    rng = np.random.default_rng(seed)
    ref = rng.uniform(0.05, 0.95, SHAPE)
    x = np.meshgrid(*[np.arange(n) / n for n in SHAPE], indexing="ij")
    smooth = 0.4 * np.cos(2 * np.pi * x[0]) + 0.3 * np.sin(2 * np.pi * (x[1] + x[2]))  # |k| <= 2 pi * 0.3 A^-1
    return ref, smooth


def test_k_norms():
    k = k_norms(CELL, SHAPE)
    assert k[0, 0, 0] == 0.0
    assert k[1, 0, 0] == pytest.approx(2 * np.pi / 4.0)
    assert k[0, -1, 0] == pytest.approx(2 * np.pi / 4.4)


def test_long_wavelength_residual_is_found_and_removed():
    ref, smooth = fields()
    pred = sigmoid(logit(ref) - smooth)  # prediction off by a smooth logit field
    spec = residual_spectrum(pred, ref, CELL, k_cut_per_A=np.pi)
    assert spec["low_k_fraction"] == pytest.approx(1.0, abs=1e-6)
    assert spec["correlation_length_A"] > 0.5
    corrected = low_k_corrected(pred, ref, CELL, np.pi)
    assert np.abs(corrected - ref).max() < 1e-5


def test_white_residual_has_short_correlation_and_little_low_k_power():
    ref, _ = fields()
    rng = np.random.default_rng(3)
    pred = sigmoid(logit(ref) + rng.normal(0, 0.3, SHAPE))
    spec = residual_spectrum(pred, ref, CELL, k_cut_per_A=np.pi)
    # white noise: power per mode is flat, so the low-k fraction is the fraction of modes with |k| < pi
    k = k_norms(CELL, SHAPE)
    expected = ((k < np.pi) & (k > 0)).sum() / (k.size - 1)
    assert spec["low_k_fraction"] == pytest.approx(expected, abs=0.01)
    assert spec["correlation_length_A"] <= 0.11  # one grid step
    corrected = low_k_corrected(pred, ref, CELL, np.pi)
    assert np.abs(corrected - ref).mean() == pytest.approx(np.abs(pred - ref).mean(), rel=0.05)


def test_correlation_length_of_gaussian_field():
    rng = np.random.default_rng(0)
    noise = rng.normal(size=SHAPE)
    k = k_norms(CELL, SHAPE)
    ell = 0.5  # A: smoothing sigma; ACF of the smoothed field ~ exp(-r^2 / (4 ell^2)) -> 1/e at 2 ell
    field = np.fft.ifftn(np.fft.fftn(noise) * np.exp(-0.5 * (k * ell) ** 2)).real
    assert correlation_length_A(field, CELL) == pytest.approx(2 * ell, abs=0.15)
