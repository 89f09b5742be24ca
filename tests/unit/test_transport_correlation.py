"""FFT autocorrelation, cross-correlation and MSD against brute-force sums (exact to
round-off); running integral against a closed form."""

import numpy as np

from ptmlp.transport.correlation import autocorrelation, cross_correlation, msd_fft, running_integral


def test_autocorrelation_matches_direct_sum():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    acf = autocorrelation(x, 60)
    direct = np.array([[np.mean(x[: 400 - k, c] * x[k:, c]) for c in range(3)] for k in range(61)])
    np.testing.assert_allclose(acf, direct, atol=1e-13)


def test_cross_correlation_matches_direct_sum():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=300), rng.normal(size=300)
    cc = cross_correlation(x, y, 20)
    direct = np.array([np.mean(x[: 300 - k] * y[k:]) for k in range(21)])
    np.testing.assert_allclose(cc, direct, atol=1e-13)


def test_msd_fft_matches_all_origin_average():
    rng = np.random.default_rng(2)
    r = np.cumsum(rng.normal(size=(250, 5, 3)), axis=0)
    msd = msd_fft(r, 120)
    direct = np.array([np.mean(np.sum((r[k:] - r[: 250 - k]) ** 2, axis=-1), axis=0) for k in range(121)])
    np.testing.assert_allclose(msd, direct, rtol=1e-10, atol=1e-9)


def test_running_integral_of_exponential():
    t = np.linspace(0, 10, 2001)
    integral = running_integral(np.exp(-t), t[1] - t[0])
    np.testing.assert_allclose(integral, 1 - np.exp(-t), atol=1e-5)
