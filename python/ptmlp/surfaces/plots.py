"""Plots of every result (PNG): parity 2-D histograms, learning curves, ablation bars, depth scan,
transfer-learning curves, calibration curve, element-embedding correlations, Wulff shapes."""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from ..figures import pyplot, save_figure

LABELS = {"surface_energy_eV_per_A2": "surface energy (eV/Å²)", "work_function_eV": "work function (eV)"}



def _finish(fig, path: str | os.PathLike) -> str:
    fig.tight_layout()
    return str(save_figure(fig, path, dpi=110))


def parity(ref: np.ndarray, pred: np.ndarray, targets: Sequence[str], path, title: str = "") -> str:
    """One 2-D histogram (log counts) of predicted vs reference per target."""
    from matplotlib.colors import LogNorm

    plt = pyplot()
    fig, axes = plt.subplots(1, len(targets), figsize=(4.8 * len(targets), 4.2), squeeze=False)
    for k, (ax, t) in enumerate(zip(axes[0], targets)):
        ok = np.isfinite(ref[:, k]) & np.isfinite(pred[:, k])
        r, p = ref[ok, k], pred[ok, k]
        if len(r) == 0:
            ax.set_title(f"{t}: no reference values")
            continue
        lo, hi = float(min(r.min(), p.min())), float(max(r.max(), p.max()))
        pad = 0.03 * (hi - lo + 1e-12)
        h = ax.hist2d(r, p, bins=50, range=[[lo - pad, hi + pad]] * 2, norm=LogNorm(), cmap="viridis", cmin=1)
        fig.colorbar(h[3], ax=ax, label="slabs")
        ax.plot([lo, hi], [lo, hi], color="0.4", lw=1)
        mae = np.mean(np.abs(p - r))
        r2 = 1 - np.sum((p - r) ** 2) / max(np.sum((r - r.mean()) ** 2), 1e-300)
        ax.set_xlabel(f"DFT {LABELS.get(t, t)}")
        ax.set_ylabel(f"predicted {LABELS.get(t, t)}")
        ax.set_title(f"MAE {mae:.3g}, R² {r2:.3f} (n={len(r)})")
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


def learning_curves(histories: Sequence[Sequence[dict]], targets: Sequence[str], path, title: str = "") -> str:
    """Training and validation loss (standardised MSE) per target over epochs, one line per member;
    GradNorm task weights on a second panel."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for m, hist in enumerate(histories):
        ep = [r["epoch"] for r in hist]
        for k, t in enumerate(targets):
            col = f"C{k}"
            axes[0].plot(ep, [r["train_loss"][t] for r in hist], color=col, lw=1, alpha=0.5,
                         label=f"{t} train" if m == 0 else None)
            axes[0].plot(ep, [r["validation_loss"][t] for r in hist], color=col, lw=1.5, ls="--",
                         label=f"{t} validation" if m == 0 else None)
            axes[1].plot(ep, [r["task_weights"][t] for r in hist], color=col, label=t if m == 0 else None)
    axes[0].set_yscale("log")
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("MSE of standardised targets")
    axes[0].legend(fontsize=7)
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("task weight")
    axes[1].legend(fontsize=7)
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


def variant_bars(table: dict[str, dict[str, dict]], targets: Sequence[str], path, title: str = "") -> str:
    """Test MAE and R^2 (mean +- std over seeds/folds) of each model variant."""
    plt = pyplot()
    fig, axes = plt.subplots(2, len(targets), figsize=(5 * len(targets), 6.5), squeeze=False)
    names = list(table)
    for k, t in enumerate(targets):
        for row, metric in enumerate(("mae", "r2")):
            ax = axes[row][k]
            means, stds, labels = [], [], []
            for n in names:
                cell = table[n].get(t, {}).get(metric)
                if cell and cell["mean"] is not None:
                    means.append(cell["mean"])
                    stds.append(cell["std"] or 0.0)
                    labels.append(n)
            ax.bar(range(len(means)), means, yerr=stds, capsize=3, color=[f"C{i}" for i in range(len(means))])
            ax.set_xticks(range(len(means)))
            ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=7)
            ax.set_ylabel(f"test {'MAE' if metric == 'mae' else 'R²'}")
            ax.set_title(LABELS.get(t, t), fontsize=9)
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


def scan(x: Sequence[float], table: Sequence[dict[str, dict]], targets: Sequence[str], xlabel: str, path,
         title: str = "") -> str:
    """Test MAE (mean +- std) against a scanned hyper-parameter, one panel per target."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(targets), figsize=(4.8 * len(targets), 3.8), squeeze=False)
    for k, t in enumerate(targets):
        m = [row[t]["mae"]["mean"] for row in table]
        s = [row[t]["mae"]["std"] or 0.0 for row in table]
        axes[0][k].errorbar(x, m, yerr=s, marker="o", capsize=3)
        axes[0][k].set_xlabel(xlabel)
        axes[0][k].set_ylabel(f"test MAE, {LABELS.get(t, t)}")
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


def transfer_curves(fractions: Sequence[float], curves: dict[str, list[dict]], target: str, path,
                    title: str = "") -> str:
    """Test MAE (mean +- std over seeds) against the training fraction, one line per start."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 4))
    for name, rows in curves.items():
        ax.errorbar(fractions, [r["mean"] for r in rows], yerr=[r["std"] or 0.0 for r in rows], marker="o",
                    capsize=3, label=name)
    ax.set_xlabel("training fraction")
    ax.set_ylabel(f"test MAE, {LABELS.get(target, target)}")
    ax.legend()
    if title:
        ax.set_title(title, fontsize=9)
    return _finish(fig, path)


def calibration(curves: dict[str, dict], path, title: str = "") -> str:
    """Observed vs expected coverage of the ensemble's Gaussian intervals."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.6, 4.4))
    ax.plot([0, 1], [0, 1], color="0.5", lw=1)
    for name, c in curves.items():
        if c["n"]:
            ax.plot(c["expected"], c["observed"], marker="o", ms=3,
                    label=f"{name} (area {c['miscalibration_area']:.3f})")
    ax.set_xlabel("expected fraction inside interval")
    ax.set_ylabel("observed fraction")
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return _finish(fig, path)


def correlation_matrix(matrix: np.ndarray, labels: Sequence[str], path, title: str = "") -> str:
    plt = pyplot()
    n = len(labels)
    fig, ax = plt.subplots(figsize=(2 + 0.28 * n, 1.5 + 0.28 * n))
    im = ax.imshow(matrix, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xticklabels(labels, rotation=90, fontsize=7)
    ax.set_yticklabels(labels, fontsize=7)
    fig.colorbar(im, ax=ax, label="Pearson r")
    if title:
        ax.set_title(title, fontsize=9)
    return _finish(fig, path)


def wulff_shapes(shapes: Sequence[tuple[str, object]], path) -> str:
    """Side by side Wulff shapes (pymatgen ``WulffShape`` objects), e.g. DFT and predicted; a Miller
    family has the same colour in every panel."""
    plt = pyplot()
    families = sorted({tuple(m) for _, shape in shapes for m in shape.miller_list})
    colors = {m: f"C{k % 10}" for k, m in enumerate(families)}
    fig = plt.figure(figsize=(4.2 * len(shapes), 4.4))
    for k, (label, shape) in enumerate(shapes):
        ax = fig.add_subplot(1, len(shapes), k + 1, projection="3d")
        _draw_wulff(ax, shape, colors)
        ax.set_title(label, fontsize=9)
    return _finish(fig, path)


def _draw_wulff(ax, shape, colors: dict) -> None:
    """The facets of a pymatgen ``WulffShape`` (its triangles), coloured by Miller family."""
    from matplotlib.patches import Patch
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection

    shown = []
    for facet in shape.facets:
        if not facet.points:
            continue
        family = tuple(shape.miller_list[facet.m_ind_orig])
        if family not in shown:
            shown.append(family)
        ax.add_collection3d(Poly3DCollection([np.asarray(t) for t in facet.points], facecolor=colors[family],
                                             edgecolor=colors[family], linewidths=0.0, alpha=0.95))
    r = float(np.max(np.abs(shape.wulff_pt_list))) if len(shape.wulff_pt_list) else 1.0
    for setter in (ax.set_xlim, ax.set_ylim, ax.set_zlim):
        setter(-r, r)
    ax.set_axis_off()
    ax.legend(handles=[Patch(color=colors[m], label="(" + " ".join(map(str, m)) + ")") for m in sorted(shown)],
              fontsize=6, loc="upper left")
