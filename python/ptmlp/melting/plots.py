"""PNG plots of a ``ptmlp melt`` run: solid fraction, T and P against time, profiles along z,
and the melting curve with its Simon-Glatzel fit.

- accepted runs are drawn solid, rejected ones thin and dashed, each in the legend with its
  verdict; extensions are marked where they start;
- numbers with their errors in sensible notation (:func:`ptmlp.uncertainty.format_with_error`);
- the density profile is averaged over one lattice period of the solid along z (:func:`period_average`):
  LAMMPS bins it finely (40 bins per unit cell of the initial crystal), and averaging over the
  solid's own period removes the layering exactly in the solid and smooths the liquid. Binning by
  the initial unit cell instead aliases the layers into fake peaks once the box height no longer
  holds a whole number of the solid's periods (measured on LJ: solid 0.0274 instead of 0.0246 A^-3);
- ``units: lj`` draws reduced units (T* = k T / epsilon, P* = P sigma^3 / epsilon, rho* = rho sigma^3).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

from ..figures import pyplot, save_figure
from ..uncertainty import format_with_error
from .outputs import coexistence_runs
from .units import UnitView


def _colours(temps):
    plt = pyplot()
    t = np.asarray(sorted(set(temps)), float)
    cmap = plt.get_cmap("plasma")
    span = (t.max() - t.min()) or 1.0
    return {float(v): cmap(0.85 * (v - t.min()) / span) for v in t}


def period_average(z_frac, values, width_frac: float) -> np.ndarray:
    """Moving average of a periodic step profile (bins centred at ``z_frac`` in [0, 1)) over a window of
    ``width_frac`` (exact for a window that is not a whole number of bins: the step function is integrated)."""
    z = np.asarray(z_frac, float)
    y = np.asarray(values, float)
    n = len(z)
    if n < 2 or not width_frac > 0:
        return y
    h = 1.0 / n
    edges = np.arange(n + 1) * h
    cum = np.concatenate([[0.0], np.cumsum(y) * h])

    def integral(x):  # integral of the periodic step function from 0 to x
        x = np.asarray(x, float)
        whole = np.floor(x)
        frac = x - whole
        return whole * cum[-1] + np.interp(frac, edges, cum)

    w = min(width_frac, 1.0)
    centres = (np.arange(n) + 0.5) * h
    return (integral(centres + 0.5 * w) - integral(centres - 0.5 * w)) / w


def plot_pressure(result: dict, root: Path, out_dir: Path, discard_ps: float = 0.0,
                  units: Optional[UnitView] = None) -> list[Path]:
    """Solid fraction vs time, T and P vs time, and the z profiles of one pressure."""
    plt = pyplot()
    u = units or UnitView()
    runs = list(coexistence_runs(result, root))
    if not runs:
        return []
    tag = f"P{result['pressure_target_GPa']:g}GPa"
    if len({float(r["T_K"]) for r in runs}) > 1 and runs[0]["ensemble"] == "npt":
        colours = _colours([r["T_K"] for r in runs])
        colour_of = lambda r: colours[float(r["T_K"])]  # noqa: E731
    else:  # NPH: tell the runs apart
        colour_of = lambda r: plt.get_cmap("tab10")(runs.index(r) % 10)  # noqa: E731
    t_m = format_with_error(u.T(result["T_melt_K"]), u.dT(result["T_melt_err_K"]), u.T_unit)
    p = format_with_error(u.P(result["pressure_GPa"]), u.dP(result.get("pressure_err_GPa")), u.P_unit)
    title = f"{u.P_name} = {p}: {u.T_name}_m = {t_m} ({result['method']})"
    paths = []

    def style(r):
        return dict(color=colour_of(r), lw=1.4, ls="-") if r["accepted"] else \
            dict(color=colour_of(r), lw=0.9, ls="--", alpha=0.7)

    def label(r):
        head = f"{u.T(r['T_K']):g} {u.T_unit}" if r["ensemble"] == "npt" else f"start {u.T(r['T_K']):g} {u.T_unit}"
        tail = r["verdict"]
        return f"{head}, seed {r['seed']}: {tail}"

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for r in runs:
        ax.plot(r["t_ps"], r["solid_fraction"], label=label(r), **style(r))
        for t0 in r.get("extension_starts_ps", []):
            ax.axvline(t0, color=colour_of(r), lw=0.6, ls=":")
    if discard_ps > 0:
        ax.axvspan(0.0, discard_ps, color="0.9", zorder=0, label="left out of the analysis")
    if any(r.get("extension_starts_ps") for r in runs):
        ax.plot([], [], color="0.4", lw=0.6, ls=":", label="start of an extension")
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.axhline(1.0, color="0.6", lw=0.8)
    ax.set_xlabel("time in coexistence run (ps)")
    ax.set_ylabel("solid fraction (calibrated, 0 = liquid, 1 = solid)")
    ax.set_title(f"{title}\nsolid: accepted runs, dashed: rejected", fontsize=9)
    ax.legend(fontsize=7, ncol=2, loc="best")
    fig.tight_layout()
    paths.append(save_figure(fig, out_dir / f"solid_fraction_{tag}.png", dpi=110))

    fig, (a1, a2) = plt.subplots(2, 1, figsize=(7.5, 6.5), sharex=True)
    for r in runs:
        st = style(r)
        for ax_, y in ((a1, u.T(r["series"]["T_K"])), (a2, u.P(r["P_GPa"]))):
            ax_.plot(r["t_ps"], y, color=st["color"], lw=0.5, alpha=0.25)
            ax_.plot(r["t_ps"], _running_mean(r["t_ps"], y, 2.0), **st, label=label(r) if ax_ is a1 else None)
    tm, te = u.T(result["T_melt_K"]), u.dT(result["T_melt_err_K"])
    a1.axhline(tm, color="k", ls=":", label=f"{u.T_name}_m = {t_m}")
    a1.axhspan(tm - te, tm + te, color="0.85", zorder=0, label=f"{u.T_name}_m +- total error")
    a1.set_ylabel(f"{u.T_name} ({u.T_unit})")
    a1.legend(fontsize=7, ncol=2, loc="best")
    a2.axhline(u.P(result["pressure_target_GPa"]), color="k", ls=":", label="target pressure")
    a2.plot([], [], color="0.5", lw=0.5, alpha=0.5, label="instantaneous")
    a2.plot([], [], color="0.5", lw=1.4, label="2 ps running mean")
    a2.set_ylabel(f"{u.P_name} ({u.P_unit})")
    a2.set_xlabel("time in coexistence run (ps)")
    a2.legend(fontsize=7, loc="best")
    a1.set_title(f"{title}\nsolid: accepted runs, dashed: rejected", fontsize=9)
    fig.tight_layout()
    paths.append(save_figure(fig, out_dir / f"thermo_{tag}.png", dpi=110))

    chosen = [r for r in runs if r["accepted"]] or runs
    best = min(chosen, key=lambda r: abs(r["T_K"] - result["T_melt_K"]))
    prof = best["profile"]
    if len(prof.get("step", [])):
        fig, (a1, a2) = plt.subplots(2, 1, figsize=(7.5, 6.5), sharex=True)
        windows = _profile_windows_ps(best, prof["step"])
        for k, lab in ((0, "first"), (-1, "last")):
            t0, t1 = windows[k]
            width = _period_frac(best, t0, t1)
            txt = f"{lab} profile: mean over {t0:.1f}-{t1:.1f} ps"
            dens = period_average(prof["z_frac"][k], prof["density_per_A3"][k], width)
            lab_ = period_average(prof["z_frac"][k], prof["solid_label"][k], width)
            a1.plot(prof["z_frac"][k], u.rho(dens), label=txt)
            a2.plot(prof["z_frac"][k], lab_, label=txt)
        a1.set_ylabel(f"number density ({u.rho_unit})")
        a2.set_ylabel("fraction labelled solid (1)")
        a2.set_xlabel("z / Lz (interface normal; 1)")
        a1.legend(fontsize=8)
        a2.set_ylim(-0.05, 1.05)
        a1.set_title(f"profiles along z averaged over one lattice period of the solid, run {best['name']} "
                     f"({'accepted' if best['accepted'] else 'rejected'})", fontsize=8)
        fig.tight_layout()
        paths.append(save_figure(fig, out_dir / f"profile_{tag}.png", dpi=110))
    return paths


def _period_frac(run: dict, t0: float, t1: float) -> float:
    """One lattice period of the solid along z as a fraction of the mean box height over [t0, t1]."""
    period = run.get("z_period_A")
    if not period:
        return 0.0
    t = run["t_ps"]
    lz = run["series"]["Lz_A"]
    sel = (t >= t0) & (t <= t1)
    return float(period / (lz[sel].mean() if sel.any() else lz.mean()))


def plot_curve(results: list[dict], fit, out_path: Path, reference: Optional[dict] = None,
               units: Optional[UnitView] = None) -> Path:
    """T_m(P) with error bars and, when given, the Simon-Glatzel fit and its band."""
    plt = pyplot()
    u = units or UnitView()
    ok = [r for r in results if "T_melt_K" in r]
    p = np.array([r["pressure_GPa"] for r in ok])
    t = np.array([r["T_melt_K"] for r in ok])
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.errorbar(u.P(p), u.T(t), xerr=[u.dP(r.get("pressure_err_GPa") or 0.0) for r in ok],
                yerr=[u.dT(r["T_melt_err_K"]) for r in ok], fmt="o", color="C0", capsize=3,
                label="coexistence (this work), total 1-sigma error")
    if fit is not None:
        grid = np.linspace(p.min(), p.max(), 200)
        half, curve = fit.band(grid)
        ax.plot(u.P(grid), u.T(curve), color="C1", label=f"Simon-Glatzel: a = {fit.a_GPa:.3g} GPa, c = {fit.c:.3g}")
        ax.fill_between(u.P(grid), u.T(curve - half), u.T(curve + half), color="C1", alpha=0.25,
                        label=f"{100 * fit.confidence:.0f}% band")
    if reference:
        ax.plot(u.P(np.asarray(reference["pressure_GPa"])), u.T(np.asarray(reference["T_melt_K"])), "k--", lw=1,
                label=reference.get("label", "reference"))
    ax.set_xlabel(f"pressure {u.P_name} ({u.P_unit})")
    ax.set_ylabel(f"melting temperature {u.T_name}_m ({u.T_unit})")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return save_figure(fig, out_path, dpi=110)


def _profile_windows_ps(run: dict, steps) -> list[tuple[float, float]]:
    """Time window (ps from the coexistence start) each time-averaged profile covers."""
    series_steps = run["series"]["step"]
    times = run["t_ps"]
    ends = np.interp(np.asarray(steps, float), series_steps, times)
    starts = np.concatenate([[0.0], ends[:-1]])
    return list(zip(starts, ends))


def _running_mean(t, y, window_ps: float):
    t = np.asarray(t, float)
    y = np.asarray(y, float)
    if len(t) < 3:
        return y
    n = max(1, int(round(window_ps / max(np.median(np.diff(t)), 1e-12))))
    kernel = np.ones(n) / n
    pad = np.pad(y, (n // 2, n - 1 - n // 2), mode="edge")
    return np.convolve(pad, kernel, mode="valid")
