"""Reciprocal-space analysis of the ELF residual and the low-k Fourier correction of its logit.

The residual is taken on the logit scale, delta(r) = logit(ELF_ref) - logit(ELF_pred) (ELF
clipped to [1e-4, 1 - 1e-4]), where the sigmoid output layer of the model is linear. Its
Fourier components delta_k on the periodic grid give:

* the shell-averaged power |delta_k|^2 vs |k| (A^-1, k = 2 pi (m1 b1 + m2 b2 + m3 b3));
* the fraction of residual variance at |k| < k_c (long wavelengths, default k_c = pi A^-1,
  i.e. wavelengths > 2 A, beyond the 0.74 A H-H bond and the ~1.5 A intermolecular distance);
* the residual correlation length: where the shell-averaged autocorrelation first falls to 1/e;
* the low-k correction: logit(pred) + delta restricted to |k| < k_c, mapped back through the
  sigmoid. It needs the reference (it is a diagnostic of how much of the error is long-
  wavelength, an upper bound of what a smooth correction could recover), not a predictor.
"""

from __future__ import annotations

import math

import numpy as np

EPS = 1e-4
DEFAULT_K_CUT_PER_A = math.pi


def logit(x: np.ndarray) -> np.ndarray:
    x = np.clip(np.asarray(x, dtype=np.float64), EPS, 1.0 - EPS)
    return np.log(x / (1.0 - x))


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def k_norms(cell_A: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """|k| (A^-1) of every FFT component of a grid ``shape`` on ``cell_A``."""
    recip = 2.0 * np.pi * np.linalg.inv(np.asarray(cell_A, dtype=float)).T  # rows b_i, a_i . b_j = 2 pi delta
    m = np.meshgrid(*[np.fft.fftfreq(n) * n for n in shape], indexing="ij")
    k = m[0][..., None] * recip[0] + m[1][..., None] * recip[1] + m[2][..., None] * recip[2]
    return np.linalg.norm(k, axis=-1)


def residual_spectrum(pred: np.ndarray, ref: np.ndarray, cell_A: np.ndarray, k_cut_per_A: float = DEFAULT_K_CUT_PER_A,
                      n_shells: int = 24) -> dict:
    """Spectrum summary of the logit residual of one snapshot."""
    delta = logit(ref) - logit(pred)
    delta_k = np.fft.fftn(delta) / delta.size
    power = np.abs(delta_k) ** 2
    kn = k_norms(cell_A, delta.shape)
    total = float(power.sum() - power.flat[0])  # variance (mean removed)
    low = float(power[(kn < k_cut_per_A) & (kn > 0)].sum())
    edges = np.linspace(0.0, kn.max() + 1e-9, n_shells + 1)
    which = np.digitize(kn.ravel(), edges) - 1
    shell_power = np.bincount(which, weights=power.ravel(), minlength=n_shells)[:n_shells]
    shell_count = np.bincount(which, minlength=n_shells)[:n_shells]
    centres = 0.5 * (edges[1:] + edges[:-1])
    ok = shell_count > 0
    return {"k_per_A": centres[ok].tolist(), "power_per_mode": (shell_power[ok] / shell_count[ok]).tolist(),
            "residual_logit_mean": float(delta.mean()), "residual_logit_variance": total,
            "low_k_fraction": low / total if total > 0 else float("nan"), "k_cut_per_A": float(k_cut_per_A),
            "correlation_length_A": correlation_length_A(delta, cell_A)}


def correlation_length_A(delta: np.ndarray, cell_A: np.ndarray) -> float:
    """Distance where the radially averaged autocorrelation of ``delta`` first drops below 1/e."""
    d = delta - delta.mean()
    acf = np.fft.ifftn(np.abs(np.fft.fftn(d)) ** 2).real
    if acf.flat[0] <= 0:
        return float("nan")
    acf /= acf.flat[0]
    shape = d.shape
    frac = np.meshgrid(*[np.fft.fftfreq(n) for n in shape], indexing="ij")  # minimum-image fractions
    r = np.linalg.norm(np.stack(frac, -1) @ np.asarray(cell_A, dtype=float), axis=-1)
    step = float(min(np.linalg.norm(cell_A, axis=1) / np.asarray(shape)))
    bins = np.floor(r / step).astype(int).ravel()
    mean = np.bincount(bins, weights=acf.ravel()) / np.maximum(np.bincount(bins), 1)
    below = np.flatnonzero(mean < np.exp(-1.0))
    return float(below[0] * step) if len(below) else float("nan")


def low_k_corrected(pred: np.ndarray, ref: np.ndarray, cell_A: np.ndarray,
                    k_cut_per_A: float = DEFAULT_K_CUT_PER_A) -> np.ndarray:
    """sigmoid(logit(pred) + lowpass_{|k| < k_cut}(logit(ref) - logit(pred))), k = 0 included."""
    delta = logit(ref) - logit(pred)
    delta_k = np.fft.fftn(delta)
    delta_k[k_norms(cell_A, delta.shape) >= k_cut_per_A] = 0.0
    return sigmoid(logit(pred) + np.fft.ifftn(delta_k).real).astype(np.float32)
