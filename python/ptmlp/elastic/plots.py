"""PNG plots for elastic results: C_ij vs P or T, and V_P/V_S vs pressure against PREM."""

from __future__ import annotations

import numpy as np

from ..figures import pyplot, save_figure
from .prem import prem_pressure_GPa, prem_table



def plot_cij(path, summaries: list[dict], x_key: str, x_label: str, title: str = "") -> None:
    """Independent constants (with error bars) vs ``x_key`` (``pressure_GPa`` or ``temperature_K``)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    names = list(summaries[0]["independent_constants_GPa"])
    x = np.array([s[x_key] for s in summaries])
    order = np.argsort(x)
    for name in names:
        y = np.array([s["independent_constants_GPa"][name] for s in summaries])[order]
        e = np.array([s["independent_constants_err_GPa"][name] for s in summaries], float)[order]
        ax.errorbar(x[order], y, yerr=np.nan_to_num(e), marker="o", capsize=3, label=name)
    ax.set_xlabel(x_label)
    ax.set_ylabel("C_ij (GPa)")
    ax.legend(fontsize=8, ncol=2)
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)


def plot_velocities_prem(path, summaries: list[dict], title: str = "") -> None:
    """Model V_P, V_S, density vs pressure (error bars) over the PREM profile (0-364 GPa)."""
    plt = pyplot()
    rows = prem_table(np.arange(0.0, 6371.0 + 1e-9, 5.0))
    p_prem = np.array([r["pressure_GPa"] for r in rows])
    fig, (ax, axr) = plt.subplots(1, 2, figsize=(10, 4.5))
    ax.plot(p_prem, [r["vp_km_per_s"] for r in rows], color="0.4", lw=1.2, label="PREM V_P")
    ax.plot(p_prem, [r["vs_km_per_s"] for r in rows], color="0.4", lw=1.2, ls="--", label="PREM V_S")
    axr.plot(p_prem, [r["density_g_per_cm3"] for r in rows], color="0.4", lw=1.2, label="PREM ρ")
    p = np.array([s["pressure_GPa"] for s in summaries])
    for key, style, color, lab in (("vp", "o", "tab:red", "model V_P"), ("vs", "s", "tab:blue", "model V_S")):
        v = [s["velocities"][f"{key}_km_per_s"] for s in summaries]
        e = [s["velocities"][f"{key}_err_km_per_s"] for s in summaries]
        ax.errorbar(p, v, yerr=np.nan_to_num(np.array(e, float)), fmt=style, color=color, capsize=3, label=lab)
    for a in (ax, axr):
        for depth, name in ((2891.0, "CMB"), (5149.5, "ICB")):
            p_b = prem_pressure_GPa(depth)
            a.axvline(p_b, color="0.7", lw=0.8, ls=":")
            a.text(p_b, 0.02, f" {name}", transform=a.get_xaxis_transform(), fontsize=7, color="0.4")
    axr.plot(p, [s["density_g_per_cm3"] for s in summaries], "o", color="tab:red", label="model ρ")
    ax.set_xlabel("pressure (GPa)")
    ax.set_ylabel("velocity (km/s)")
    axr.set_xlabel("pressure (GPa)")
    axr.set_ylabel("density (g/cm³)")
    for a in (ax, axr):
        a.legend(fontsize=8, loc="best")
        a.grid(alpha=0.3)
        a.set_xlim(0, max(370.0, float(p.max()) * 1.05))
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)
