"""The plots of every result (PNG)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..figures import pyplot, save_figure



def _save(fig, path: Path) -> Path:
    return save_figure(fig, path, dpi=120, bbox_inches="tight")


def parity(path: Path, truth: np.ndarray, series: dict[str, np.ndarray], xlabel: str, ylabel: str,
           title: str) -> Path:
    """Predicted vs true for several predictors (legend: name and MAE)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 5))
    hi = max(float(np.max(truth)), *(float(np.max(v)) for v in series.values())) * 1.05 + 0.1
    ax.plot([0, hi], [0, hi], color="0.5", lw=1)
    for name, pred in series.items():
        ax.scatter(truth, pred, s=7, alpha=0.5, label=f"{name} (MAE {np.mean(np.abs(pred - truth)):.3f} eV)")
    ax.set(xlim=(0, hi), ylim=(0, hi), xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(fontsize=8, loc="upper left")
    return _save(fig, path)


def learning_curves(path: Path, table: list[dict]) -> Path:
    """ROC AUC, R2 and SHAP ranking stability vs the number of perturbed compositions (mean +- std over folds)."""
    plt = pyplot()
    n = [int(r["perturbed"]) for r in table]
    x = np.arange(len(n), dtype=float)  # equally spaced sizes (they grow roughly geometrically)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.0), layout="constrained")
    panels = [("roc_auc", "ROC AUC (zero vs non-zero)"), ("r2", "R$^2$ (gaps $\\geq$ 0.5 eV)"),
              ("shap_spearman", "SHAP ranking stability")]
    for ax, (key, label) in zip(axes, panels):
        m = np.array([np.nan if r[key]["mean"] is None else r[key]["mean"] for r in table], float)
        s = np.array([np.nan if r[key]["std"] is None else r[key]["std"] for r in table], float)
        ax.errorbar(x, m, yerr=s, marker="o", capsize=3, label="Spearman rho" if key == "shap_spearman" else None)
        if key == "shap_spearman":
            m2 = np.array([np.nan if r["shap_top_k_overlap"]["mean"] is None else r["shap_top_k_overlap"]["mean"]
                           for r in table], float)
            s2 = np.array([np.nan if r["shap_top_k_overlap"]["std"] is None else r["shap_top_k_overlap"]["std"]
                           for r in table], float)
            ax.errorbar(x, m2, yerr=s2, marker="s", capsize=3, label="top-k overlap")
            ax.legend(fontsize=8)
        ax.set_xticks(x, [str(v) for v in n], fontsize=8)
        ax.set(xlabel="perturbed compositions added (0 = seeds only)", ylabel=label)
        ax.grid(alpha=0.3)
    fig.suptitle("Held-out real AB$_2$O$_4$ compounds; mean $\\pm$ std over folds")
    return _save(fig, path)


def case_study(path: Path, title: str, rows: list[dict]) -> Path:
    """Predicted gap vs x for each replacing element; one panel per site. Solid: proxy ensemble mean
    (band: its spread); dashed: explainable random forests; hollow markers: not charge-balanced."""
    plt = pyplot()
    sites = sorted({r["site"] for r in rows})
    fig, axes = plt.subplots(1, len(sites), figsize=(6.2 * len(sites), 4.4), squeeze=False)
    colors = plt.get_cmap("tab20")
    for ax, site in zip(axes[0], sites):
        elements = list(dict.fromkeys(r["element"] for r in rows if r["site"] == site))
        for i, el in enumerate(elements):
            rs = [r for r in rows if r["site"] == site and r["element"] == el]
            x = np.array([r["x"] for r in rs])
            m = np.array([r["proxy_eV"] for r in rs])
            s = np.array([r["proxy_spread_eV"] for r in rs])
            rf = np.array([r["forest_eV"] for r in rs])
            ok = np.array([r["charge_balanced"] for r in rs])
            c = colors(i % 20)
            ax.plot(x, m, color=c, lw=1.5, label=el)
            ax.fill_between(x, m - s, m + s, color=c, alpha=0.06, lw=0)
            ax.plot(x, rf, color=c, lw=1, ls="--")
            ax.scatter(x[ok], m[ok], color=c, s=14)
            ax.scatter(x[~ok], m[~ok], facecolors="none", edgecolors=c, s=14)
        ax.set(xlabel=f"x (fraction of the {site} site replaced)", ylabel="predicted gap (eV)",
               title=f"{title}: {site} site")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
    fig.text(0.5, -0.02, "solid: proxy ensemble mean (band: spread over the fold models); dashed: explainable "
             "random forests; hollow markers: not charge-balanced", ha="center", fontsize=8)
    return _save(fig, path)


def shap_summary(path: Path, values: np.ndarray, X: np.ndarray, names: list[str], title: str) -> Path:
    import shap

    plt = pyplot()
    shap.summary_plot(values, X, feature_names=names, show=False, max_display=15)
    fig = plt.gcf()
    fig.suptitle(title, fontsize=10)
    return _save(fig, path)


def shap_dependence(path: Path, feature: str, values: np.ndarray, X: np.ndarray, names: list[str]) -> Path:
    import shap

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    shap.dependence_plot(feature, values, X, feature_names=names, show=False, ax=ax)
    return _save(fig, path)
