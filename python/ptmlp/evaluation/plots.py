"""Parity plots and force-error histogram (PNG)."""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from ..figures import pyplot, save_figure


def parity_plots(preds: Sequence[dict], out_dir: str | os.PathLike, title: str = "") -> list[str]:
    plt = pyplot()
    os.makedirs(out_dir, exist_ok=True)
    e_ref = np.array([r["e_ref"] for r in preds])
    e_pred = np.array([r["e_pred"] for r in preds])
    f_ref = np.concatenate([r["f_ref"].ravel() for r in preds])
    f_pred = np.concatenate([r["f_pred"].ravel() for r in preds])
    w = [(r["w_ref"].ravel(), r["w_pred"].ravel()) for r in preds if r["w_ref"] is not None]
    fig, axes = plt.subplots(1, 3 if w else 2, figsize=(13 if w else 9, 4.2))
    panels = [(e_ref, e_pred, "energy (eV/atom)"), (f_ref, f_pred, "force component (eV/Å)")]
    if w:
        panels.append((np.concatenate([a for a, _ in w]), np.concatenate([b for _, b in w]), "virial (eV/atom)"))
    for ax, (ref, pred, label) in zip(axes, panels):
        lo, hi = float(min(ref.min(), pred.min())), float(max(ref.max(), pred.max()))
        ax.plot([lo, hi], [lo, hi], color="0.6", lw=1)
        ax.scatter(ref, pred, s=4, alpha=0.5)
        rmse = np.sqrt(np.mean((pred - ref) ** 2))
        ax.set_xlabel(f"reference {label}")
        ax.set_ylabel(f"model {label}")
        ax.set_title(f"RMSE {rmse:.3g}")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    parity = os.path.join(out_dir, "parity.png")
    save_figure(fig, parity, dpi=110)

    fig, ax = plt.subplots(figsize=(5.5, 4))
    err = np.abs(f_pred - f_ref) * 1e3
    ax.hist(err, bins=60, color="tab:blue", alpha=0.8)
    ax.set_xlabel("|force error| per component (meV/Å)")
    ax.set_ylabel("count")
    ax.set_yscale("log")
    ax.set_title(f"median {np.median(err):.1f}, 99th pct {np.percentile(err, 99):.1f} meV/Å")
    fig.tight_layout()
    hist = os.path.join(out_dir, "force_error_hist.png")
    save_figure(fig, hist, dpi=110)
    return [parity, hist]
