"""PNG plots of the transport analyses (matplotlib, Agg backend): autocorrelation and running
integral with the chosen cutoff, spectrum with the cepstral filter, NEMD profiles with fits,
MSD with the fit window, extrapolations."""

from __future__ import annotations

import os
from typing import Optional

import numpy as np

from .cepstral import CepstralResult
from .greenkubo import GreenKuboResult


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_green_kubo(path: str | os.PathLike, gk: GreenKuboResult, cep: Optional[CepstralResult], *, label: str,
                    unit: str, scale: float = 1.0, extra=None) -> None:
    """Normalised ACF, running integral (with cutoff and cepstral band) and power spectrum.
    ``scale`` converts the SI result to the plotted ``unit``; ``extra(ax)`` may add a panel."""
    plt = _plt()
    n_panels = 3 + (extra is not None)
    fig, axes = plt.subplots(1, n_panels, figsize=(4.6 * n_panels, 3.8))
    t_ps = gk.lag_time_s * 1e12
    k_max = min(len(t_ps) - 1, max(20, int(6 * gk.cutoff_time_s / max(gk.lag_time_s[1], 1e-30))))
    sl = slice(0, k_max + 1)
    c0 = gk.acf[0] if gk.acf[0] != 0 else 1.0
    ax = axes[0]
    ax.plot(t_ps[sl], gk.acf[sl] / c0, color="C0", lw=1)
    if np.all(np.isfinite(gk.acf_std_err[sl])):
        ax.fill_between(t_ps[sl], (gk.acf[sl] - 2 * gk.acf_std_err[sl]) / c0, (gk.acf[sl] + 2 * gk.acf_std_err[sl]) / c0,
                        color="C0", alpha=0.25, lw=0, label="±2 s.e.")
    ax.axhline(0, color="k", lw=0.5)
    ax.axvline(gk.cutoff_time_s * 1e12, color="C3", ls="--", lw=1, label=f"cutoff ({gk.cutoff_method})")
    ax.set_xlabel("lag time (ps)")
    ax.set_ylabel("C(t) / C(0)")
    ax.set_title(f"{label}: autocorrelation")
    ax.legend(fontsize=8)
    ax = axes[1]
    y = gk.integral[sl] * scale
    ax.plot(t_ps[sl], y, color="C0", lw=1.2, label="running integral")
    if np.all(np.isfinite(gk.integral_std_err[sl])):
        e = gk.integral_std_err[sl] * scale
        ax.fill_between(t_ps[sl], y - e, y + e, color="C0", alpha=0.25, lw=0)
    ax.axvline(gk.cutoff_time_s * 1e12, color="C3", ls="--", lw=1)
    ax.errorbar([gk.cutoff_time_s * 1e12], [gk.value.value * scale], yerr=[gk.value.std_err * scale], fmt="o",
                color="C3", ms=4, label=f"GK {gk.value.value * scale:.4g} ± {gk.value.std_err * scale:.2g}")
    if cep is not None:
        v, s = cep.value.value * scale, cep.value.std_err * scale
        ax.axhspan(v - s, v + s, color="C2", alpha=0.2, lw=0)
        ax.axhline(v, color="C2", lw=1, label=f"cepstral {v:.4g} ± {s:.2g}")
    ax.set_xlabel("cutoff time (ps)")
    ax.set_ylabel(f"{label} ({unit})")
    ax.set_title("running integral")
    ax.legend(fontsize=8)
    ax = axes[2]
    if cep is not None:
        f = cep.freq_Hz / 1e12
        ax.semilogy(f, cep.psd_raw * scale, color="0.6", lw=0.5, label="periodogram")
        ax.semilogy(f, cep.psd_filtered * scale, color="C2", lw=1.5, label=f"cepstral filter (P*={cep.n_coefficients})")
        ax.set_xlabel("frequency (THz)")
        ax.set_ylabel(f"spectrum ({unit})")
        ax.set_title(f"power spectrum to F* = {cep.f_cut_Hz / 1e12:.3g} THz")
        ax.legend(fontsize=8)
    else:
        ax.axis("off")
    if extra is not None:
        extra(axes[3])
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def einstein_helfand_panel(eh, scale: float, unit: str):
    def draw(ax):
        t_ps = eh.time_s * 1e12
        ax.plot(t_ps, eh.msd * scale * 1e12, color="C0", lw=1, label="V<(∫P')²>/(2k_BT)")
        t0, t1 = eh.fit_window_s
        sel = (eh.time_s >= t0) & (eh.time_s <= t1)
        ax.plot(t_ps[sel], (eh.intercept + 2 * eh.value.value * eh.time_s[sel]) * scale * 1e12, color="C3", lw=1.5,
                label=f"slope/2 = {eh.value.value * scale:.4g} ± {eh.value.std_err * scale:.2g} {unit}")
        ax.axvspan(t0 * 1e12, t1 * 1e12, color="C3", alpha=0.08)
        ax.set_xlabel("time (ps)")
        ax.set_ylabel(f"Helfand moment ({unit} ps)")
        ax.set_title("Einstein-Helfand")
        ax.legend(fontsize=8)
    return draw


def plot_profile(path: str | os.PathLike, analysis, *, ylabel: str, yscale: float = 1.0, title: str = "") -> None:
    """Slab profile with error bars and the two fitted halves."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    z = analysis.z_m * 1e10
    ax.errorbar(z, analysis.mean_profile * yscale, yerr=2 * analysis.profile_err * yscale, fmt="o", ms=3,
                color="C0", label="slab mean ±2 s.e.")
    for h, c in ((analysis.rise, "C3"), (analysis.fall, "C2")):
        zz = analysis.z_m[h.bins]
        ax.plot(zz * 1e10, (h.intercept + h.slope * zz) * yscale, color=c, lw=1.5,
                label=f"fit: {h.slope * yscale * 1e-10:.4g} /A (nonlinearity {100 * h.nonlinearity:.0f}%)")
    ax.set_xlabel("z (A)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_msd(path: str | os.PathLike, result) -> None:
    """MSD per species (log-log) with the fit window and the local exponent."""
    plt = _plt()
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4))
    for k, (name, fit) in enumerate(result.species.items()):
        t_ps = fit.time_s[1:] * 1e12
        ax.loglog(t_ps, fit.msd_m2[1:] * 1e20, color=f"C{k}", lw=1,
                  label=f"{name}: D = {fit.D.value * 1e9:.4g} ± {fit.D.std_err * 1e9:.2g} 1e-9 m²/s")
        t0, t1 = fit.window_s
        sel = (fit.time_s >= t0) & (fit.time_s <= t1)
        ax.loglog(fit.time_s[sel] * 1e12, (fit.intercept_m2 + 6 * fit.D.value * fit.time_s[sel]) * 1e20,
                  color=f"C{k}", ls="--", lw=2, alpha=0.6)
        bx.semilogx(t_ps, fit.exponent[1:], color=f"C{k}", lw=1, label=name)
        bx.axvspan(t0 * 1e12, t1 * 1e12, color=f"C{k}", alpha=0.08)
    ax.set_xlabel("lag time (ps)")
    ax.set_ylabel("MSD (A²)")
    ax.set_title("mean squared displacement (dashed: fit window)")
    ax.legend(fontsize=8)
    bx.axhline(1, color="k", lw=0.5)
    bx.set_ylim(0, 2.2)
    bx.set_xlabel("lag time (ps)")
    bx.set_ylabel("d log MSD / d log t")
    bx.set_title("local exponent (1 = diffusive)")
    bx.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_line_fit(path: str | os.PathLike, fit, *, xlabel: str, ylabel: str, title: str, xscale: float = 1.0,
                  yscale: float = 1.0) -> None:
    """Points with error bars and the weighted line extrapolated to x = 0."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.errorbar(fit.x * xscale, fit.y * yscale, yerr=fit.y_err * yscale, fmt="o", color="C0")
    xx = np.linspace(0, fit.x.max() * 1.05, 50)
    if np.isfinite(fit.slope.value):
        ax.plot(xx * xscale, (fit.intercept.value + fit.slope.value * xx) * yscale, color="C3", lw=1)
    ax.errorbar([0], [fit.intercept.value * yscale], yerr=[fit.intercept.std_err * yscale], fmt="s", color="C3",
                label=f"intercept {fit.intercept.value * yscale:.4g} ± {fit.intercept.std_err * yscale:.2g}")
    ax.set_xlim(left=-0.02 * fit.x.max() * xscale)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
