"""PNG plots: band structure + DOS, and the model-vs-reference overlay."""

from __future__ import annotations

from typing import Optional

import numpy as np

from ..figures import pyplot, save_figure
from .properties import BandStructure



def _draw_bands(ax, band: BandStructure, label: Optional[str] = None, **style):
    lines = []
    for d, f in zip(band.distances, band.frequencies_THz):
        lines += ax.plot(d, f, **style)
    if label and lines:
        lines[0].set_label(label)
    ticks, labels = band.tick_positions()
    ax.set_xticks(ticks)
    ax.set_xticklabels(labels)
    for t in ticks:
        ax.axvline(t, color="0.8", lw=0.6, zorder=0)
    ax.axhline(0.0, color="0.5", lw=0.6, ls=":")
    ax.set_xlim(ticks[0], ticks[-1])
    ax.set_ylabel("frequency (THz)")
    return lines


def plot_bands_dos(path, band: BandStructure, dos: Optional[dict] = None, title: str = "",
                   band_ref: Optional[BandStructure] = None, dos_ref: Optional[dict] = None,
                   labels=("model", "reference")) -> None:
    """Band structure (left) and DOS (right); with ``band_ref`` both are overlaid (reference dashed)."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.5), sharey=True, gridspec_kw={"width_ratios": [3, 1]})
    ax, axd = axes
    if band_ref is not None:
        _draw_bands(ax, band_ref, color="k", lw=1.2, ls="--", label=labels[1])
    _draw_bands(ax, band, color="tab:red", lw=1.2, label=labels[0])
    if band_ref is not None:
        ax.legend(loc="lower right", fontsize=8)
    if dos is not None:
        axd.plot(dos["dos_states_per_THz"], dos["frequency_THz"], color="tab:red", lw=1.2, label=labels[0])
    if dos_ref is not None:
        axd.plot(dos_ref["dos_states_per_THz"], dos_ref["frequency_THz"], color="k", lw=1.2, ls="--", label=labels[1])
    axd.set_xlabel("DOS (states/THz/cell)")
    axd.set_xlim(left=0)
    fmin = min(0.0, float(np.min(band.all_frequencies())))
    fmax = float(np.max(band.all_frequencies()))
    if band_ref is not None:
        fmax = max(fmax, float(np.max(band_ref.all_frequencies())))
    ax.set_ylim(fmin - 0.05 * fmax, 1.08 * fmax)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)


def plot_qha(path, qha: dict, title: str = "") -> None:
    """Four panels vs temperature: volume, thermal expansion, C_p (both routes), isothermal bulk modulus;
    shaded: the spread of the fit (``*_err_*``)."""
    plt = pyplot()
    fig, axs = plt.subplots(2, 2, figsize=(8, 6), sharex=True)
    t = np.asarray(qha["temperature_K"])
    panels = [("volume_A3_per_atom", "volume_err_A3_per_atom", "V (Å³/atom)"),
              ("volumetric_thermal_expansion_per_K", "volumetric_thermal_expansion_err_per_K",
               "α_V = (∂S/∂V)_T / K_T (1/K)"),
              ("cp_J_per_K_mol_atoms", "cp_err_J_per_K_mol_atoms", "C_p (J/K/mol)"),
              ("bulk_modulus_GPa", "bulk_modulus_err_GPa", "K_T (GPa)")]
    for ax, (key, err_key, label) in zip(axs.ravel(), panels):
        y, e = np.asarray(qha[key], float), np.asarray(qha[err_key], float)
        ax.plot(t, y, color="tab:blue", label="C_v + α²VK_T T" if key.startswith("cp") else None)
        ax.fill_between(t, y - e, y + e, color="tab:blue", alpha=0.25, lw=0)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axs[1, 0].plot(t, qha["cp_numerical_J_per_K_mol_atoms"], color="0.4", lw=0.8, ls="--", label="-T d²G/dT²")
    axs[1, 0].legend(fontsize=8, loc="lower right")
    for ax in axs[1]:
        ax.set_xlabel("T (K)")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)
