"""The point of the method, measured (issue #24, step 6): explainable models trained on the seed set
alone vs on the seed set plus perturbed sets of growing size, scored on held-out REAL compounds, and the
stability of their SHAP feature ranking across bootstrap resamples.

For fold k of the proxy's seed folds: real training set = the seeds outside fold k; held-out = the seeds
of fold k; perturbed pool = the compositions with at least one origin seed outside fold k, labelled by
fold k's attention model (which never saw fold k); a seeded permutation of that pool, taking its first n
for each size n (so the sets are nested). Every number is the mean +- std over the K folds.

SHAP ranking stability at one size: B bootstrap resamples of that training set (feature set fixed by
the screening on the full training set of that size), a regressor on each, mean |SHAP| on the held-out
compounds with gaps >= regress_from_eV; stability = the mean pairwise Spearman rho between the B
importance vectors, and the mean pairwise overlap (|intersection| / k) of their top-k features.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from .config import CurveSettings, ExplainSettings
from .explain import fit_explainable, forest, importance, score_on, screen_features
from .leakage import FitLedger
from .stats import mean_std


def ranking_stability(importances: list[np.ndarray], top_k: int) -> dict[str, float]:
    """Mean pairwise Spearman rho and top-k overlap of importance vectors."""
    from scipy.stats import spearmanr

    rhos, overlaps = [], []
    k = min(top_k, len(importances[0]))
    for a, b in combinations(importances, 2):
        rho = spearmanr(a, b).statistic if len(a) > 1 else 1.0
        rhos.append(float(rho) if np.isfinite(rho) else 1.0)
        ta, tb = set(np.argsort(-a, kind="stable")[:k]), set(np.argsort(-b, kind="stable")[:k])
        overlaps.append(len(ta & tb) / k)
    return {"spearman": float(np.mean(rhos)), "top_k_overlap": float(np.mean(overlaps))}


def learning_curves(seed_keys: list[str], seed_X: np.ndarray, seed_y: np.ndarray, folds: dict[str, int],
                    pert_keys: list[str], pert_X, pert_origins: list[list[str]],
                    per_fold_labels: np.ndarray, names: list[str], s: CurveSettings, es: ExplainSettings,
                    n_folds: int, seed: int, threads: int, ledger: FitLedger) -> dict:
    """Per-fold, per-size scores and stability, and their mean +- std over folds (see module doc).
    ``pert_X``: the perturbed compositions' features, or a function of their indices returning them.
    With ``threads`` > 1 the folds run in that many worker processes (one thread each); the numbers are
    the same as in one process."""
    seed_fold = np.array([folds[k] for k in seed_keys])
    jobs = []
    for k in range(n_folds):
        tr, te = np.where(seed_fold != k)[0], np.where(seed_fold == k)[0]
        held = {seed_keys[i] for i in te}
        pool = [i for i, orig in enumerate(pert_origins)
                if any(folds[o] != k for o in orig) and pert_keys[i] not in held]
        pool = [pool[i] for i in np.random.default_rng(seed + 1000 + k).permutation(len(pool))]
        sizes = [0] + [n for n in s.sizes if n <= len(pool)]
        pick = pool[:sizes[-1]]
        for n in sizes:
            ledger.record(f"curves/fold{k}/n{n}", [seed_keys[i] for i in tr] + [pert_keys[i] for i in pick[:n]], held)
        X_pick = pert_X(pick) if callable(pert_X) else pert_X[pick]
        jobs.append((k, sizes, seed_X[tr], seed_y[tr], seed_X[te], seed_y[te], X_pick,
                     per_fold_labels[pick, k], names, s, es, seed))
    if threads > 1 and n_folds > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(threads, n_folds)) as ex:
            per_fold = list(ex.map(_fold_rows, jobs))
    else:
        per_fold = [_fold_rows(job) for job in jobs]
    rows = [r for fold_rows in per_fold for r in fold_rows]
    table = []
    for n in sorted({r["perturbed"] for r in rows}):
        at = [r for r in rows if r["perturbed"] == n]
        table.append({"perturbed": n, "folds": len(at)}
                     | {m: mean_std([r[m] for r in at]) for m in ("roc_auc", "r2", "mae_eV", "shap_spearman",
                                                                  "shap_top_k_overlap")})
    return {"rows": rows, "table": table, "top_k": s.top_k, "bootstraps": s.bootstraps}


def _fold_rows(job) -> list[dict]:
    """Scores and SHAP stability of one fold at every size (one thread)."""
    k, sizes, X_tr, y_tr, X_te, y_te, X_pert, y_pert, names, s, es, seed = job
    rows = []
    for n in sizes:
        X = np.vstack([X_tr, X_pert[:n]])
        y = np.concatenate([y_tr, y_pert[:n]])
        models = fit_explainable(X, y, names, es, seed + k, 1)
        row = {"fold": k, "perturbed": n, "train": int(len(y))} | score_on(models, X_te, y_te, es)
        row |= _stability(X, y, X_te, y_te, models.features, s, es, seed + 7919 * (k + 1) + n, 1)
        rows.append(row)
    return rows


def _stability(X, y, X_te, y_te, feats, s: CurveSettings, es: ExplainSettings, seed: int, threads: int) -> dict:
    big = y >= es.regress_from_eV
    big_te = y_te >= es.regress_from_eV
    if big.sum() < 2 or big_te.sum() < 1:
        return {"shap_spearman": float("nan"), "shap_top_k_overlap": float("nan")}
    rng = np.random.default_rng(seed)
    Xb_all, yb_all = X[big][:, feats], y[big]
    imps = []
    for b in range(s.bootstraps):
        idx = rng.integers(0, len(yb_all), len(yb_all))
        reg = forest("regressor", es.forest, seed + b, threads).fit(Xb_all[idx], yb_all[idx])
        imps.append(importance(reg, X_te[big_te][:, feats]))
    st = ranking_stability(imps, s.top_k)
    return {"shap_spearman": st["spearman"], "shap_top_k_overlap": st["top_k_overlap"]}


__all__ = ["learning_curves", "ranking_stability", "screen_features"]
