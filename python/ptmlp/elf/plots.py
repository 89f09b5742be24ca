"""PNG figures of ELF predictions: parity, 2-D slices, residual spectrum, phi and T_c per snapshot."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from ..figures import pyplot, save_figure



def parity_plot(pred: np.ndarray, ref: np.ndarray, path: str, title: str, metrics: Optional[dict] = None) -> str:
    """2-D histogram of predicted vs reference ELF (log colour scale) with the y = x line."""
    plt = pyplot()
    from matplotlib.colors import LogNorm

    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    h = ax.hist2d(np.ravel(ref), np.ravel(pred), bins=120, range=[[0, 1], [0, 1]], norm=LogNorm(), cmap="viridis")
    fig.colorbar(h[3], ax=ax, label="grid points")
    ax.plot([0, 1], [0, 1], "r-", lw=0.8)
    ax.set_xlabel("reference ELF (GPAW)")
    ax.set_ylabel("predicted ELF")
    if metrics:
        ax.text(0.03, 0.97, f"MAE {metrics['mae']:.4f}\nRMSE {metrics['rmse']:.4f}\n$R^2$ {metrics['r2']:.4f}",
                transform=ax.transAxes, va="top", fontsize=8, color="w",
                bbox=dict(facecolor="k", alpha=0.4, lw=0))
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)
    return path


def slice_plot(pred: np.ndarray, ref: Optional[np.ndarray], path: str, title: str, axis: int = 2,
               index: Optional[int] = None) -> str:
    """A lattice-plane slice of predicted ELF (and reference and difference when given), grid coordinates."""
    plt = pyplot()
    index = pred.shape[axis] // 2 if index is None else index
    panels = [("predicted", np.take(pred, index, axis=axis), "magma", (0, 1))]
    if ref is not None:
        ref_s = np.take(ref, index, axis=axis)
        panels = [("reference", ref_s, "magma", (0, 1))] + panels
        panels.append(("predicted - reference", panels[1][1] - ref_s, "coolwarm", (-0.3, 0.3)))
    fig, axes = plt.subplots(1, len(panels), figsize=(3.3 * len(panels), 3.2))
    axes = np.atleast_1d(axes)
    for ax, (name, data, cmap, lim) in zip(axes, panels):
        im = ax.imshow(data.T, origin="lower", cmap=cmap, vmin=lim[0], vmax=lim[1])
        ax.set_title(name, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(im, ax=ax, fraction=0.046)
    fig.suptitle(f"{title} (slice {index} along axis {axis})", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)
    return path


def phi_plot(x: Sequence[float], phi_pred: Sequence[float], phi_err: Sequence[float], path: str, xlabel: str,
             phi_ref: Optional[Sequence[float]] = None) -> str:
    """Networking value phi (left axis) and T_c = 750 phi - 85 K (right axis) per snapshot."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    ax.errorbar(x, phi_pred, yerr=phi_err, fmt="o-", ms=3, label="predicted", color="C0")
    if phi_ref is not None:
        ax.plot(x, phi_ref, "s--", ms=3, label="reference", color="C3")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"networking value $\varphi$")
    lo, hi = ax.get_ylim()
    ax2 = ax.twinx()
    ax2.set_ylim(750 * lo - 85, 750 * hi - 85)
    ax2.set_ylabel(r"$T_c \approx 750\varphi - 85$ (K)")
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    save_figure(fig, path, dpi=130)
    return path


def phi_parity_plot(phi_ref: Sequence[float], phi_pred: Sequence[float], path: str, title: str) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(3.8, 3.6))
    ax.plot(phi_ref, phi_pred, "o", ms=4)
    lo = min(min(phi_ref), min(phi_pred)) - 0.02
    hi = max(max(phi_ref), max(phi_pred)) + 0.02
    ax.plot([lo, hi], [lo, hi], "r-", lw=0.8)
    ax.set_xlabel(r"$\varphi$ from reference ELF")
    ax.set_ylabel(r"$\varphi$ from predicted ELF")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)
    return path


def spectrum_plot(k: np.ndarray, power: np.ndarray, path: str, title: str, k_bond: Optional[float] = None,
                  k_cut: Optional[float] = None) -> str:
    """Shell-averaged power of the logit residual vs |k|."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.8, 3.4))
    ax.semilogy(k, power, "o-", ms=3)
    if k_bond:
        ax.axvline(k_bond, color="grey", ls=":", label=r"$2\pi/0.74$ Å (H$_2$ bond)")
    if k_cut:
        ax.axvline(k_cut, color="C3", ls="--", label=f"low-k cut {k_cut:.2f} Å$^{{-1}}$")
    if k_bond or k_cut:
        ax.legend(fontsize=8)
    ax.set_xlabel(r"$|k|$ (Å$^{-1}$)")
    ax.set_ylabel("residual power (logit$^2$)")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)
    return path
