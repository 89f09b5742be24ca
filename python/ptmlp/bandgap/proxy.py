"""Proxy labels (issue #24, step 4): the attention model trained on corrected gaps, its K-fold
cross-validated MAE on the seed compounds against two baselines, and ensemble labels with a spread.

Folds are drawn over the seeds. Fold k's models -- attention model, random forest, linear PBE fit -- train
on the pool (oxides of the corrected PBE set) minus the seeds of fold k and are scored on those seeds.
The K attention models form the ensemble that labels the perturbed set: label = mean, spread = standard
deviation over the K models. The learning curves use fold k's model alone for fold k, so the labels they
train on never saw that fold's held-out compounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import ProxySettings
from .features import composition_arrays, featurise
from .formula import parse_formula
from .leakage import FitLedger
from .proxy_model import AttentionGapModel, predict, train_model
from .stats import mean_std


@dataclass
class ProxyResult:
    folds: dict[str, int]  # seed key -> fold
    models: list[AttentionGapModel]
    cv: dict
    per_fold_labels: np.ndarray  # [n_perturbed, K]
    held_out: list[tuple]  # (key, fold, corrected gap, attention, random forest, PBE linear) per seed


def seed_folds(seed_keys: list[str], k: int, seed: int) -> dict[str, int]:
    """Seed key -> fold (a seeded permutation of the sorted keys, dealt round-robin)."""
    keys = sorted(seed_keys)
    order = np.random.default_rng(seed).permutation(len(keys))
    return {keys[i]: int(j % k) for j, i in enumerate(order)}


def training_pool(corrected: dict[str, float], seed_keys: set[str], s: ProxySettings, seed: int) -> list[str]:
    """Oxides of the corrected set with at most ``pool_max_elements`` elements (all seeds always in);
    a seeded random subset of ``pool_max_size`` non-seed ones when set. Sorted keys."""
    pool = []
    for key in sorted(corrected):
        amounts = parse_formula(key)
        if "O" in amounts and 1 < len(amounts) <= s.pool_max_elements and key not in seed_keys:
            pool.append(key)
    if s.pool_max_size is not None and len(pool) > s.pool_max_size:
        pick = np.random.default_rng(seed).choice(len(pool), size=s.pool_max_size, replace=False)
        pool = [pool[i] for i in sorted(pick)]
    return sorted(pool + [k for k in seed_keys if k in corrected])


def run_proxy(corrected: dict[str, float], pbe: dict[str, float], seed_keys: list[str],
              perturbed_amounts: list[dict], s: ProxySettings, seed: int, threads: int,
              ledger: FitLedger) -> ProxyResult:
    """Cross-validation, baselines and per-fold labels of the perturbed compositions."""
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import LinearRegression

    folds = seed_folds(seed_keys, s.folds, seed)
    pool = training_pool(corrected, set(seed_keys), s, seed)
    amounts = [parse_formula(k) for k in pool]
    z, f = composition_arrays(amounts)
    X = featurise(amounts)
    y = np.array([corrected[k] for k in pool])
    x_pbe = np.array([pbe[k] for k in pool])
    fold_of = np.array([folds.get(k, -1) for k in pool])
    pz, pf = composition_arrays(perturbed_amounts) if perturbed_amounts else (np.zeros((0, 1), int), np.zeros((0, 1)))
    models, rows, labels, held_out = [], [], [], []
    for k in range(s.folds):
        test = fold_of == k
        train = ~test
        held = [pool[i] for i in np.where(test)[0]]
        ledger.record(f"proxy/fold{k}", [pool[i] for i in np.where(train)[0]], held)
        model = train_model(z[train], f[train], y[train], s, seed + k, threads)
        pred = predict(model, z[test], f[test])
        rf = RandomForestRegressor(n_estimators=s.rf_trees, min_samples_leaf=2, max_features=0.33,
                                   random_state=seed + k, n_jobs=threads).fit(X[train], y[train])
        pred_rf = rf.predict(X[test])
        lin = LinearRegression().fit(x_pbe[train, None], y[train])
        pred_lin = np.clip(lin.predict(x_pbe[test, None]), 0.0, None)
        rows.append(_scores(y[test], {"attention": pred, "random_forest": pred_rf, "pbe_linear": pred_lin})
                    | {"n_train": int(train.sum()), "n_test": int(test.sum()),
                       "pbe_linear_slope": float(lin.coef_[0]), "pbe_linear_intercept_eV": float(lin.intercept_)})
        models.append(model)
        held_out += [(key, k, float(t), float(a), float(r), float(q))
                     for key, t, a, r, q in zip(held, y[test], pred, pred_rf, pred_lin)]
        labels.append(predict(model, pz, pf) if len(pz) else np.zeros(0))
    cv = {"folds": rows, "mean_std": {name: mean_std([r[name] for r in rows]) for name in rows[0]
                                      if name.endswith(("_mae_eV", "_r2"))},
          "pool_size": len(pool), "seeds": len(seed_keys)}
    return ProxyResult(folds, models, cv, np.stack(labels, axis=1) if labels else np.zeros((0, 0)), held_out)


def _scores(y: np.ndarray, preds: dict[str, np.ndarray]) -> dict[str, float]:
    from sklearn.metrics import r2_score

    out = {}
    for name, p in preds.items():
        out[f"{name}_mae_eV"] = float(np.mean(np.abs(p - y)))
        out[f"{name}_r2"] = float(r2_score(y, p)) if len(y) > 1 else float("nan")
    return out


def ensemble_labels(per_fold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean, standard deviation over the fold models) of [n, K] labels."""
    if per_fold.size == 0:
        return np.zeros(0), np.zeros(0)
    return per_fold.mean(1), per_fold.std(1, ddof=1)
