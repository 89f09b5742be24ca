"""Cepstral analysis of a flux time series: the zero-frequency value of its power spectrum,
i.e. the Green-Kubo integral, from the low-quefrency Fourier coefficients of the
log-periodogram, with the number of coefficients chosen by the Akaike information criterion.

Method: L. Ercole, A. Marcolongo, S. Baroni, "Accurate thermal conductivities from optimally
short molecular dynamics simulations", Sci. Rep. 7, 15835 (2017) (our own implementation).

For ``l`` statistically equivalent components (Cartesian components and independent runs
of equal length) the averaged periodogram is ``S_k xi_k`` with ``xi_k ~ chi2_{2l}/(2l)``, so
``log S_hat_k = log S_k + log xi_k`` where ``log xi_k`` has mean ``psi(l) - log l`` and variance
``psi'(l)``. The cepstral coefficients ``C_n`` of the log-periodogram vanish for large ``n``
(smooth spectrum) except for white noise of variance ``psi'(l)/N``; keeping ``P*`` of them,

    log S_0 = C_0 + 2 sum_{n=1}^{P*-1} C_n - (psi(l) - log l),
    var(log S_0) = psi'(l) (4 P* - 2) / N,

and the transport coefficient is ``prefactor * S_0 / 2`` (``S_0 = int_-inf^inf <J(0)J(t)> dt``),
with relative error ``sqrt(var(log S_0))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np
from scipy.special import digamma, polygamma

from ..errors import InputError
from .results import Measurement, Notes


@dataclass
class CepstralResult:
    """Cepstral estimate; spectra are on ``freq_Hz`` up to the frequency cutoff, ``psd`` in the
    coefficient's unit (``prefactor * S(f) / 2``, so ``psd[0]`` is the estimate)."""

    value: Measurement
    n_coefficients: int
    n_components: int
    f_cut_Hz: float
    freq_Hz: np.ndarray
    psd_raw: np.ndarray
    psd_filtered: np.ndarray
    aic: np.ndarray
    cepstrum: np.ndarray
    notes: Notes = field(default_factory=Notes)


def periodogram(runs: Sequence[np.ndarray], dt_s: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Average one-sided periodogram ``dt/N |FFT(J)|^2`` over all components of all runs
    (truncated to the shortest, even length). Returns (freq_Hz, S_hat, n_components)."""
    arrays = [np.asarray(r, dtype=float).reshape(len(r), -1) for r in runs]
    n = min(a.shape[0] for a in arrays)
    n -= n % 2
    stacked = np.concatenate([a[:n] for a in arrays], axis=1)
    spec = np.abs(np.fft.rfft(stacked, axis=0)) ** 2 * dt_s / n
    return np.fft.rfftfreq(n, dt_s), spec.mean(axis=1), stacked.shape[1]


def cepstral(runs: Sequence[np.ndarray], dt_s: float, prefactor: float, *,
             f_cut_Hz: Optional[float] = None, quantity: str = "transport coefficient") -> CepstralResult:
    """Cepstral (Ercole-Marcolongo-Baroni) estimate of ``prefactor * int_0^inf <J(0)J(t)> dt``.

    ``runs``: (n_samples, n_components) arrays in SI, all sampled every ``dt_s``; runs of
    different lengths are cut to the shortest. ``f_cut_Hz``: keep the spectrum below this
    frequency only (the paper's F*; default: up to the Nyquist frequency).
    """
    if not dt_s > 0:
        raise InputError(f"sampling interval must be positive, got {dt_s} s")
    notes = Notes()
    lengths = [len(r) for r in runs]
    if min(lengths) < 64:
        raise InputError(f"cepstral analysis needs at least 64 samples per run, got {min(lengths)}")
    if len(set(lengths)) > 1:
        notes.warn(f"runs of different lengths {sorted(set(lengths))} are cut to the shortest for the "
                   "cepstral analysis")
    freq, s_hat, n_comp = periodogram(runs, dt_s)
    if np.any(s_hat <= 0):
        raise InputError("the flux power spectrum has zero bins (constant or mean-subtracted series?); "
                         "the cepstral analysis needs the raw flux")
    k_cut = len(freq) - 1
    if f_cut_Hz is not None:
        if not 0 < f_cut_Hz <= freq[-1]:
            raise InputError(f"frequency cutoff {f_cut_Hz / 1e12:.4g} THz must be in (0, {freq[-1] / 1e12:.4g}] THz "
                             f"(the Nyquist frequency of the sampling)")
        k_cut = int(np.searchsorted(freq, f_cut_Hz, side="right")) - 1
        if k_cut < 16:
            raise InputError(f"frequency cutoff {f_cut_Hz / 1e12:.4g} THz keeps only {k_cut + 1} frequencies; "
                             "raise it or run longer")
    n_star = 2 * k_cut  # length of the periodic, symmetric log-spectrum
    log_s = np.log(s_hat[: k_cut + 1])
    cep = np.fft.irfft(log_s, n=n_star)[: k_cut + 1]  # C_0 .. C_{N*/2}
    bias = digamma(n_comp) - math.log(n_comp)
    var_l = float(polygamma(1, n_comp))
    var_c = np.full(k_cut + 1, var_l / n_star)
    var_c[0] = var_c[-1] = 2 * var_l / n_star
    # AIC(P) = sum_{n >= P} C_n^2 / var(C_n) + 2 P, for P = 1 .. N*/2
    tail = np.cumsum((cep ** 2 / var_c)[::-1])[::-1]
    p_values = np.arange(1, k_cut + 1)
    aic = tail[p_values] + 2 * p_values
    p_star = int(p_values[np.argmin(aic)])
    log_s0 = cep[0] + 2 * cep[1:p_star].sum() - bias
    sigma_log = math.sqrt(var_l * (4 * p_star - 2) / n_star)
    s0 = math.exp(log_s0)
    value = Measurement(prefactor * s0 / 2, prefactor * s0 / 2 * sigma_log)
    # filtered log-spectrum from the first P* coefficients (for plots)
    kept = np.zeros(n_star)
    kept[:p_star] = cep[:p_star]
    kept[n_star - p_star + 1:] = cep[1:p_star][::-1]
    log_filtered = np.fft.rfft(kept).real[: k_cut + 1] - bias
    if p_star > 0.5 * k_cut:
        notes.warn(f"the cepstral analysis keeps {p_star} of {k_cut} coefficients: the spectrum is not smooth "
                   f"on the frequency grid; lower the frequency cutoff (f_cut_THz) or run longer")
    if value.relative_err > 0.25:
        notes.warn(f"the cepstral {quantity} has a relative uncertainty of {100 * value.relative_err:.0f}%: "
                   "run longer or add independent runs")
    return CepstralResult(value=value, n_coefficients=p_star, n_components=n_comp, f_cut_Hz=float(freq[k_cut]),
                          freq_Hz=freq[: k_cut + 1], psd_raw=prefactor * s_hat[: k_cut + 1] / 2,
                          psd_filtered=prefactor * np.exp(log_filtered) / 2, aic=aic, cepstrum=cep, notes=notes)
