"""PNG plots of the transport analyses (matplotlib, Agg backend): autocorrelation and running
integral with the chosen cutoff, spectrum with the cepstral filter, NEMD profiles with fits,
MSD with the fit window, extrapolations with every fit tried. Axes and slopes carry their units:
SI, or reduced LJ units on request (:class:`~ptmlp.transport.display.DisplayUnits`)."""

from __future__ import annotations

import os
from typing import Optional

import numpy as np

from ..figures import pyplot, save_figure
from .cepstral import CepstralResult
from .display import DisplayUnits
from .greenkubo import GreenKuboResult

SI = DisplayUnits()


def plot_green_kubo(path: str | os.PathLike, gk: GreenKuboResult, cep: Optional[CepstralResult], *, label: str,
                    kind: str, units: DisplayUnits = SI, extra=None) -> None:
    """Normalised ACF, running integral (with cutoff and cepstral band) and power spectrum of the
    coefficient of ``kind`` (kappa, viscosity, conductivity); ``extra(ax)`` may add a panel."""
    plt = pyplot()
    n_panels = 3 + (extra is not None)
    fig, axes = plt.subplots(1, n_panels, figsize=(4.6 * n_panels, 3.8))
    ta, ya, fa = units.axis("time"), units.axis(kind), units.axis("frequency")
    scale, unit = ya.scale, ya.unit
    t_ps = gk.lag_time_s * ta.scale
    k_max = min(len(t_ps) - 1, max(20, int(6 * gk.cutoff_time_s / max(gk.lag_time_s[1], 1e-30))))
    sl = slice(0, k_max + 1)
    c0 = gk.acf[0] if gk.acf[0] != 0 else 1.0
    ax = axes[0]
    ax.plot(t_ps[sl], gk.acf[sl] / c0, color="C0", lw=1)
    if np.all(np.isfinite(gk.acf_std_err[sl])):
        ax.fill_between(t_ps[sl], (gk.acf[sl] - 2 * gk.acf_std_err[sl]) / c0, (gk.acf[sl] + 2 * gk.acf_std_err[sl]) / c0,
                        color="C0", alpha=0.25, lw=0, label="±2 s.e.")
    ax.axhline(0, color="k", lw=0.5)
    ax.axvline(gk.cutoff_time_s * ta.scale, color="C3", ls="--", lw=1, label=f"cutoff ({gk.cutoff_method})")
    ax.set_xlabel(f"lag time ({ta.unit})")
    ax.set_ylabel("C(t) / C(0)")
    ax.set_title(f"{label}: autocorrelation")
    ax.legend(fontsize=8)
    ax = axes[1]
    y = gk.integral[sl] * scale
    ax.plot(t_ps[sl], y, color="C0", lw=1.2, label="running integral")
    if np.all(np.isfinite(gk.integral_std_err[sl])):
        e = gk.integral_std_err[sl] * scale
        ax.fill_between(t_ps[sl], y - e, y + e, color="C0", alpha=0.25, lw=0)
    ax.axvline(gk.cutoff_time_s * ta.scale, color="C3", ls="--", lw=1)
    ax.errorbar([gk.cutoff_time_s * ta.scale], [gk.value.value * scale], yerr=[gk.value.std_err * scale], fmt="o",
                color="C3", ms=4, label=f"GK {gk.value.value * scale:.4g} ± {gk.value.std_err * scale:.2g}")
    if cep is not None:
        v, s = cep.value.value * scale, cep.value.std_err * scale
        ax.axhspan(v - s, v + s, color="C2", alpha=0.2, lw=0)
        ax.axhline(v, color="C2", lw=1, label=f"cepstral {v:.4g} ± {s:.2g}")
    ax.set_xlabel(f"cutoff time ({ta.unit})")
    ax.set_ylabel(f"{label} ({unit})")
    ax.set_title("running integral")
    ax.legend(fontsize=8)
    ax = axes[2]
    if cep is not None:
        f = cep.freq_Hz * fa.scale
        ax.semilogy(f, cep.psd_raw * scale, color="0.6", lw=0.5, label="periodogram")
        ax.semilogy(f, cep.psd_filtered * scale, color="C2", lw=1.5, label=f"cepstral filter (P*={cep.n_coefficients})")
        ax.set_xlabel(f"frequency ({fa.unit})")
        ax.set_ylabel(f"spectrum ({unit})")
        ax.set_title(f"power spectrum to F* = {cep.f_cut_Hz * fa.scale:.3g} {fa.unit}")
        ax.legend(fontsize=8)
    else:
        ax.axis("off")
    if extra is not None:
        extra(axes[3])
    fig.tight_layout()
    save_figure(fig, path, dpi=120)


def einstein_helfand_panel(eh, units: DisplayUnits = SI):
    ta, ya = units.axis("time"), units.axis("viscosity")
    scale, unit = ya.scale, ya.unit

    def draw(ax):
        t_ps = eh.time_s * ta.scale
        ax.plot(t_ps, eh.msd * scale * ta.scale, color="C0", lw=1, label="V<(∫P')²>/(2k_BT)")
        t0, t1 = eh.fit_window_s
        sel = (eh.time_s >= t0) & (eh.time_s <= t1)
        ax.plot(t_ps[sel], (eh.intercept + 2 * eh.value.value * eh.time_s[sel]) * scale * ta.scale, color="C3", lw=1.5,
                label=f"slope/2 = {eh.value.value * scale:.4g} ± {eh.value.std_err * scale:.2g} {unit}")
        ax.axvspan(t0 * ta.scale, t1 * ta.scale, color="C3", alpha=0.08)
        ax.set_xlabel(f"time ({ta.unit})")
        ax.set_ylabel(f"Helfand moment ({unit} {ta.unit})")
        ax.set_title("Einstein-Helfand")
        ax.legend(fontsize=8)
    return draw


def plot_profile(path: str | os.PathLike, analysis, *, name: str, kind: str, units: DisplayUnits = SI,
                 title: str = "") -> None:
    """Slab profile of ``name`` (an SI quantity of ``kind``: temperature, velocity) with error bars
    and the two fitted halves; slopes in their unit, with the linearity check of each half."""
    from .profile_fit import CURVATURE_SIGMAS, MAX_NONLINEARITY

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    za, ya, sa = units.axis("length"), units.axis(kind), units.slope_unit(kind, "length")
    z = analysis.z_m * za.scale
    ax.errorbar(z, analysis.mean_profile * ya.scale, yerr=2 * analysis.profile_err * ya.scale, fmt="o", ms=3,
                color="C0", label="slab mean ±2 s.e.")
    for h, c in ((analysis.rise, "C3"), (analysis.fall, "C2")):
        zz = analysis.z_m[h.bins]
        flag = ""
        if h.nonlinearity > MAX_NONLINEARITY:
            flag = " NON-LINEAR" if h.curvature_sigmas > CURVATURE_SIGMAS else " too noisy to check"
        ax.plot(zz * za.scale, (h.intercept + h.slope * zz) * ya.scale, color=c, lw=1.5,
                label=f"fit: {h.slope * sa.scale:.4g} {sa.unit} (nonlinearity {100 * h.nonlinearity:.0f}%, "
                      f"curvature {h.curvature_sigmas:.1f}σ{flag})")
    ax.set_xlabel(f"z ({za.unit})")
    ax.set_ylabel(f"{name} ({ya.unit})")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path, dpi=120)


def plot_msd(path: str | os.PathLike, result, units: DisplayUnits = SI) -> None:
    """MSD per species (log-log) with the fit window and the local exponent."""
    plt = pyplot()
    ta, aa, da = units.axis("time"), units.axis("area"), units.axis("diffusion")
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4))
    for k, (name, fit) in enumerate(result.species.items()):
        t_ps = fit.time_s[1:] * ta.scale
        ax.loglog(t_ps, fit.msd_m2[1:] * aa.scale, color=f"C{k}", lw=1,
                  label=f"{name}: D = {fit.D.value * da.scale:.4g} ± {fit.D.std_err * da.scale:.2g} {da.unit}")
        t0, t1 = fit.window_s
        sel = (fit.time_s >= t0) & (fit.time_s <= t1)
        ax.loglog(fit.time_s[sel] * ta.scale, (fit.intercept_m2 + 6 * fit.D.value * fit.time_s[sel]) * aa.scale,
                  color=f"C{k}", ls="--", lw=2, alpha=0.6)
        bx.semilogx(t_ps, fit.exponent[1:], color=f"C{k}", lw=1, label=name)
        bx.axvspan(t0 * ta.scale, t1 * ta.scale, color=f"C{k}", alpha=0.08)
    ax.set_xlabel(f"lag time ({ta.unit})")
    ax.set_ylabel(f"MSD ({aa.unit})")
    ax.set_title("mean squared displacement (dashed: fit window)")
    ax.legend(fontsize=8)
    bx.axhline(1, color="k", lw=0.5)
    bx.set_ylim(0, 2.2)
    bx.set_xlabel(f"lag time ({ta.unit})")
    bx.set_ylabel("d log MSD / d log t")
    bx.set_title("local exponent (1 = diffusive)")
    bx.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path, dpi=120)


def plot_extrapolation(path: str | os.PathLike, ext, *, x_kind: str, y_kind: str, xlabel: str, ylabel: str,
                       units: DisplayUnits = SI, x_of=None) -> None:
    """The measured points and every fit tried (chosen: solid, others dashed), each extrapolated to
    x = 0 with its error bar; the legend says which fit was chosen and which lie outside the data.
    ``x_of`` maps the raw abscissa (rates in 1/s, lengths in A) to the SI quantity of ``x_kind``."""
    plt = pyplot()
    xa, ya = units.axis(x_kind), units.axis(y_kind)
    x_of = x_of or (lambda x: x)
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    xs = x_of(ext.x_raw) * xa.scale
    ax.errorbar(xs, [v.value * ya.scale for v in ext.values], yerr=[v.std_err * ya.scale for v in ext.values],
                fmt="o", color="k", label="measured ±1σ", zorder=3)
    lo, hi = ext.x_raw.min(), ext.x_raw.max()
    grid = np.concatenate([np.geomspace(lo * 1e-4, lo, 100), np.linspace(lo, hi, 100)]) if x_kind == "rate" else \
        1.0 / np.concatenate([np.linspace(1e-6 / hi, 1.0 / hi, 100), np.linspace(1.0 / hi, 1.0 / lo, 100)])
    for k, t in enumerate(ext.tried):
        chosen = t is ext.chosen
        a, b = t.fit.intercept.value, t.fit.slope.value
        color = f"C{k}"
        ax.plot(x_of(grid) * xa.scale, t.form.curve(a, b, grid) * ya.scale, color=color, lw=1.6 if chosen else 1,
                ls="-" if chosen else "--")
        mark = (" (chosen)" if chosen else "") + (" outside the data" if t.outside else "") + \
            ("" if t.acceptable else " rejected (p < 0.05)")
        ax.errorbar([-0.015 * k * xs.max()], [t.value.value * ya.scale], yerr=[t.value.std_err * ya.scale], fmt="s",
                    color=color,
                    ms=5, capsize=3, label=f"{t.form.name}: {t.value.value * ya.scale:.4g} ± "
                                           f"{t.value.std_err * ya.scale:.2g}{mark}")
    ax.set_xlim(left=-0.015 * (len(ext.tried) + 1) * xs.max())
    ax.set_xlabel(f"{xlabel} ({xa.unit})")
    ax.set_ylabel(f"{ylabel} ({ya.unit})")
    est = ext.estimate
    ax.set_title(f"{ext.chosen.form.name}: {est.value * ya.scale:.4g} ± {est.stat_err * ya.scale:.2g} (stat) "
                 f"± {(est.sys_err or 0.0) * ya.scale:.2g} (sys) {ya.unit}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path, dpi=120)
