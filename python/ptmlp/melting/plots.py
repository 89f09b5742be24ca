"""PNG plots of a ``ptmlp melt`` run: solid fraction, T and P against time, profiles along z,
and the melting curve with its Simon-Glatzel fit."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

from .outputs import coexistence_runs


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _colours(temps):
    plt = _plt()
    t = np.asarray(sorted(set(temps)), float)
    cmap = plt.get_cmap("plasma")
    span = (t.max() - t.min()) or 1.0
    return {float(v): cmap(0.85 * (v - t.min()) / span) for v in t}


def plot_pressure(result: dict, root: Path, out_dir: Path, discard_ps: float = 0.0) -> list[Path]:
    """Solid fraction vs time, T and P vs time, and the z profiles of one pressure."""
    plt = _plt()
    runs = list(coexistence_runs(result, root))
    if not runs:
        return []
    tag = f"P{result['pressure_target_GPa']:g}GPa"
    if len({float(r["T_K"]) for r in runs}) > 1:
        colours = _colours([r["T_K"] for r in runs])
        colour_of = lambda r: colours[float(r["T_K"])]  # noqa: E731
        legend_note = "colour: run temperature"
    else:  # NPH: every run starts at the same T; tell the seeds apart
        colour_of = lambda r: plt.get_cmap("tab10")(runs.index(r) % 10)  # noqa: E731
        legend_note = "colour: run"
    title = (f"P = {result['pressure_GPa']:.3g} GPa: T_m = {result['T_melt_K']:.1f} +- "
             f"{result['T_melt_err_K']:.1f} K ({result['method']})")
    paths = []

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for r in runs:
        ls = "-" if r["seed"] == runs[0]["seed"] else "--"
        label = f"{r['T_K']:g} K seed {r['seed']}: {r['verdict']}" if r["ensemble"] == "npt" else \
            f"start {r['T_K']:g} K seed {r['seed']}"
        ax.plot(r["t_ps"], r["solid_fraction"], ls, color=colour_of(r), label=label, lw=1.2)
    if discard_ps > 0:
        ax.axvspan(0.0, discard_ps, color="0.9", zorder=0, label="left out of the analysis")
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.axhline(1.0, color="0.6", lw=0.8)
    ax.set_xlabel("time in coexistence run (ps)")
    ax.set_ylabel("solid fraction (calibrated)")
    ax.set_title(f"{title} ({legend_note})", fontsize=10)
    ax.legend(fontsize=7, ncol=2, loc="best")
    fig.tight_layout()
    paths.append(_save(fig, out_dir / f"solid_fraction_{tag}.png"))

    fig, (a1, a2) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    for r in runs:
        c = colour_of(r)
        for ax_, y in ((a1, r["series"]["T_K"]), (a2, r["P_GPa"])):
            ax_.plot(r["t_ps"], y, color=c, lw=0.5, alpha=0.3)
            ax_.plot(r["t_ps"], _running_mean(r["t_ps"], y, 2.0), color=c, lw=1.6)
    a1.axhline(result["T_melt_K"], color="k", ls=":", label=f"T_m = {result['T_melt_K']:.1f} K")
    a1.axhspan(result["T_melt_K"] - result["T_melt_err_K"], result["T_melt_K"] + result["T_melt_err_K"],
               color="0.85", zorder=0)
    a1.set_ylabel("T (K)")
    a1.legend(fontsize=8)
    a2.axhline(result["pressure_target_GPa"], color="k", ls=":", label="target P")
    a2.set_ylabel("P (GPa)")
    a2.set_xlabel("time in coexistence run (ps)")
    a2.legend(fontsize=8)
    a1.set_title(f"{title} ({legend_note}; thick: 2 ps running mean)", fontsize=9)
    fig.tight_layout()
    paths.append(_save(fig, out_dir / f"thermo_{tag}.png"))

    best = min(runs, key=lambda r: abs(r["T_K"] - result["T_melt_K"]))
    prof = best["profile"]
    if len(prof.get("step", [])):
        fig, (a1, a2) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
        windows = _profile_windows_ps(best, prof["step"])
        for k, lab in ((0, "first"), (-1, "last")):
            t0, t1 = windows[k]
            label = f"{lab} profile: mean over {t0:.1f}-{t1:.1f} ps"
            a1.plot(prof["z_frac"][k], prof["density_per_A3"][k], drawstyle="steps-mid", label=label)
            a2.plot(prof["z_frac"][k], prof["solid_label"][k], drawstyle="steps-mid", label=label)
        a1.set_ylabel("number density (1/A^3)")
        a2.set_ylabel("fraction labelled solid")
        a2.set_xlabel("z / Lz (interface normal)")
        a1.legend(fontsize=8)
        a1.set_title(f"profiles along z, run {best['name']}", fontsize=9)
        fig.tight_layout()
        paths.append(_save(fig, out_dir / f"profile_{tag}.png"))
    return paths


def plot_curve(results: list[dict], fit, out_path: Path, reference: Optional[dict] = None) -> Path:
    """T_m(P) with error bars and, when given, the Simon-Glatzel fit and its band."""
    plt = _plt()
    ok = [r for r in results if "T_melt_K" in r]
    p = np.array([r["pressure_GPa"] for r in ok])
    t = np.array([r["T_melt_K"] for r in ok])
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.errorbar(p, t, xerr=[r.get("pressure_err_GPa", 0) for r in ok], yerr=[r["T_melt_err_K"] for r in ok],
                fmt="o", color="C0", capsize=3, label="coexistence (this work)")
    if fit is not None:
        grid = np.linspace(p.min(), p.max(), 200)
        half, curve = fit.band(grid)
        ax.plot(grid, curve, color="C1", label=f"Simon-Glatzel: a={fit.a_GPa:.3g} GPa, c={fit.c:.3g}")
        ax.fill_between(grid, curve - half, curve + half, color="C1", alpha=0.25,
                        label=f"{100 * fit.confidence:.0f}% band")
    if reference:
        ax.plot(reference["pressure_GPa"], reference["T_melt_K"], "k--", lw=1, label=reference.get("label", "reference"))
    ax.set_xlabel("pressure (GPa)")
    ax.set_ylabel("T_m (K)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, out_path)


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


def _save(fig, path: Path) -> Path:
    plt = _plt()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
