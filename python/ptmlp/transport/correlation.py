"""Time-correlation tools: FFT autocorrelation over all time origins, running integrals,
block splitting. Arrays are (n_samples, n_components) unless said otherwise."""

from __future__ import annotations

import numpy as np


def _next_fast_len(n: int) -> int:
    from scipy.fft import next_fast_len

    return next_fast_len(n)


def autocorrelation(x: np.ndarray, max_lag: int) -> np.ndarray:
    """Unbiased autocorrelation of each column over all time origins:
    ``C[k, c] = 1/(n-k) * sum_t x[t, c] x[t+k, c]`` for k = 0..max_lag (no mean removed).

    Zero-padded FFT, O(n log n). ``x``: (n,) or (n, n_components).
    """
    x = np.asarray(x, dtype=float)
    one_d = x.ndim == 1
    if one_d:
        x = x[:, None]
    n = x.shape[0]
    if not 0 <= max_lag < n:
        raise ValueError(f"max_lag {max_lag} must be in [0, {n - 1}]")
    size = _next_fast_len(2 * n)
    f = np.fft.rfft(x, n=size, axis=0)
    acf = np.fft.irfft(f * np.conj(f), n=size, axis=0)[: max_lag + 1]
    acf /= (n - np.arange(max_lag + 1))[:, None]
    return acf[:, 0] if one_d else acf


def cross_correlation(x: np.ndarray, y: np.ndarray, max_lag: int) -> np.ndarray:
    """Unbiased ``C[k] = 1/(n-k) sum_t x[t] y[t+k]`` for 1-D x, y of equal length."""
    n = len(x)
    size = _next_fast_len(2 * n)
    fx = np.fft.rfft(np.asarray(x, float), n=size)
    fy = np.fft.rfft(np.asarray(y, float), n=size)
    c = np.fft.irfft(np.conj(fx) * fy, n=size)[: max_lag + 1]
    return c / (n - np.arange(max_lag + 1))


def running_integral(c: np.ndarray, dt: float) -> np.ndarray:
    """Cumulative trapezoid integral along axis 0, starting at 0 (same length as ``c``)."""
    c = np.asarray(c, dtype=float)
    out = np.zeros_like(c)
    out[1:] = np.cumsum(0.5 * (c[1:] + c[:-1]) * dt, axis=0)
    return out


def split_blocks(x: np.ndarray, n_blocks: int) -> list[np.ndarray]:
    """``n_blocks`` consecutive blocks of equal length (the remainder at the end is dropped)."""
    length = len(x) // n_blocks
    return [x[k * length:(k + 1) * length] for k in range(n_blocks)]


def msd_fft(r: np.ndarray, max_lag: int) -> np.ndarray:
    """Mean squared displacement over all time origins for trajectories ``r``
    (n_frames, ..., 3): ``MSD[k, ...] = <|r(t+k) - r(t)|^2>_t`` for k = 0..max_lag.

    Uses MSD = S1 - 2 S2 with S2 the position autocorrelation by FFT and S1 from a running
    sum of |r|^2 (Calandrini et al., Collection SFN 12, 201 (2011); nMoldyn).
    """
    r = np.asarray(r, dtype=float)
    n = r.shape[0]
    if not 0 <= max_lag < n:
        raise ValueError(f"max_lag {max_lag} must be in [0, {n - 1}]")
    flat = r.reshape(n, -1, r.shape[-1])  # (n, m, 3)
    d = np.einsum("tmc,tmc->tm", flat, flat)  # |r|^2, (n, m)
    size = _next_fast_len(2 * n)
    f = np.fft.rfft(flat, n=size, axis=0)
    s2 = np.fft.irfft((f * np.conj(f)).real.sum(axis=-1), n=size, axis=0)[: max_lag + 1]
    s2 /= (n - np.arange(max_lag + 1))[:, None]
    # S1(k) = 1/(n-k) * sum_{t=0}^{n-k-1} (|r(t)|^2 + |r(t+k)|^2)
    csum = np.concatenate([np.zeros((1, d.shape[1])), np.cumsum(d, axis=0)])
    k = np.arange(max_lag + 1)
    head = csum[n - k]  # sum_{t < n-k} |r(t)|^2
    tail = csum[n] - csum[k]  # sum_{t >= k} |r(t)|^2
    s1 = (head + tail) / (n - k)[:, None]
    msd = s1 - 2.0 * s2
    return msd.reshape((max_lag + 1,) + r.shape[1:-1])
