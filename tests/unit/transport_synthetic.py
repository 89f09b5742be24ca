"""Synthetic signals with known transport integrals for the transport unit tests."""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter


def ou_series(n: int, n_comp: int, dt: float, tau: float, sigma: float, rng) -> np.ndarray:
    """Exact discrete Ornstein-Uhlenbeck (AR(1)) samples: <x(0) x(k dt)> = sigma^2 exp(-k dt / tau)."""
    a = np.exp(-dt / tau)
    e = rng.normal(size=(n, n_comp)) * sigma * np.sqrt(1 - a * a)
    e[0] = rng.normal(size=n_comp) * sigma
    return lfilter([1.0], [1.0, -a], e, axis=0)


def ou_integral(dt: float, tau: float, sigma: float) -> float:
    """int_0^inf of the sampled OU autocorrelation by the trapezoid rule (= S(0)/2 of the
    discrete process): sigma^2 dt (1 + a) / (2 (1 - a)), a = exp(-dt/tau); -> sigma^2 tau."""
    a = np.exp(-dt / tau)
    return sigma ** 2 * dt * (1 + a) / (2 * (1 - a))
