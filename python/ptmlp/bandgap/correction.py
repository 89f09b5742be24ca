"""PBE -> experiment band-gap correction: a hierarchical LightGBM model.

1. classifier: is the experimental gap non-zero? 2. regressor: the gap, trained on non-zero gaps only.
Corrected gap = 0 where P(non-zero) < 0.5, else the regressor's value (clipped at 0).
Features: the PBE gap plus the Magpie-style composition features (:mod:`features`).

Feature selection (done on the training rows of each fit only, separately for the two models):
(1) drop features constant on the training rows; (2) going down the feature list (PBE gap first), drop a
feature whose |Pearson r| with an already kept one exceeds ``correlation_max``; (3) fit the model on the
remaining features and keep the ``top_features`` of largest total split gain (the PBE gap always kept).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import BoostingSettings, CorrectionSettings
from .features import featurise, magpie_feature_names
from .formula import parse_formula
from .leakage import FitLedger
from .stats import mean_std


def correction_features(keys: list[str], pbe_gaps_eV: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """[N, F] features (PBE gap first) of compositions given by key."""
    X = featurise([parse_formula(k) for k in keys])
    return np.column_stack([np.asarray(pbe_gaps_eV, float), X]), ["pbe_gap_eV"] + magpie_feature_names()


def _lgbm(kind: str, s: BoostingSettings, seed: int, threads: int, monotone: list[int] | None = None):
    """LightGBM model; ``monotone``: per-column constraints (+1 = non-decreasing), None for none."""
    import lightgbm as lgb

    cls = lgb.LGBMClassifier if kind == "classifier" else lgb.LGBMRegressor
    extra = {"monotone_constraints": monotone} if monotone else {}
    return cls(n_estimators=s.trees, learning_rate=s.learning_rate, num_leaves=s.leaves,
               min_child_samples=s.min_child_samples, subsample=s.row_fraction, subsample_freq=1,
               colsample_bytree=s.feature_fraction, random_state=seed, n_jobs=threads, verbose=-1,
               deterministic=True, force_row_wise=True, **extra)


def _monotone(columns: list[int], s: CorrectionSettings) -> list[int] | None:
    """+1 for the PBE gap (column 0) when ``monotone_in_pbe_gap``."""
    return [1 if j == 0 else 0 for j in columns] if s.monotone_in_pbe_gap else None


def correlation_filter(X: np.ndarray, order: list[int], r_max: float) -> list[int]:
    """Indices kept going down ``order``: one is dropped when |Pearson r| with a kept one > r_max."""
    kept: list[int] = []
    Z = X - X.mean(0)
    norms = np.sqrt((Z ** 2).sum(0))
    for j in order:
        if norms[j] == 0:
            continue
        if kept:
            r = (Z[:, kept] * Z[:, [j]]).sum(0) / (norms[kept] * norms[j])
            if np.any(np.abs(r) > r_max):
                continue
        kept.append(j)
    return kept


def select_features(X: np.ndarray, y: np.ndarray, kind: str, s: CorrectionSettings, seed: int,
                    threads: int) -> list[int]:
    """Column indices chosen by the three-step procedure of the module doc (column 0 = PBE gap)."""
    kept = correlation_filter(X, list(range(X.shape[1])), s.correlation_max)
    model = _lgbm(kind, s.boosting, seed, threads, _monotone(kept, s)).fit(X[:, kept], y)
    gain = model.booster_.feature_importance(importance_type="gain")
    ranked = [kept[i] for i in np.argsort(-gain, kind="stable")]
    top = [j for j in ranked if j != 0][: max(s.top_features - 1, 0)]
    return [0] + sorted(top)


@dataclass
class HierarchicalModel:
    classifier: object
    regressor: object
    classifier_features: list[int]
    regressor_features: list[int]

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(P(non-zero), regressor gap (eV), corrected gap (eV))."""
        p = self.classifier.predict_proba(X[:, self.classifier_features])[:, 1]
        g = np.clip(self.regressor.predict(X[:, self.regressor_features]), 0.0, None)
        return p, g, np.where(p >= 0.5, g, 0.0)


def fit_hierarchy(X: np.ndarray, expt_eV: np.ndarray, s: CorrectionSettings, seed: int,
                  threads: int) -> HierarchicalModel:
    nonzero = expt_eV >= s.zero_gap_below_eV
    cf = select_features(X, nonzero.astype(int), "classifier", s, seed, threads)
    clf = _lgbm("classifier", s.boosting, seed, threads, _monotone(cf, s)).fit(X[:, cf], nonzero.astype(int))
    Xr, yr = X[nonzero], expt_eV[nonzero]
    rf = select_features(Xr, yr, "regressor", s, seed, threads)
    reg = _lgbm("regressor", s.boosting, seed, threads, _monotone(rf, s)).fit(Xr[:, rf], yr)
    return HierarchicalModel(clf, reg, cf, rf)


def fold_metrics(expt: np.ndarray, pbe: np.ndarray, p: np.ndarray, g: np.ndarray, corrected: np.ndarray,
                 zero_below: float) -> dict[str, float]:
    """Scores of one held-out fold (see :func:`cross_validate`)."""
    from sklearn.metrics import mean_absolute_error, r2_score, roc_auc_score

    nz = expt >= zero_below
    return {"roc_auc": float(roc_auc_score(nz, p)) if 0 < nz.sum() < len(nz) else float("nan"),
            "classifier_accuracy": float(np.mean((p >= 0.5) == nz)),
            "regressor_r2": float(r2_score(expt[nz], g[nz])),
            "regressor_mae_eV": float(mean_absolute_error(expt[nz], g[nz])),
            "corrected_mae_eV": float(mean_absolute_error(expt, corrected)),
            "pbe_mae_eV": float(mean_absolute_error(expt, pbe)),
            "corrected_mae_nonzero_eV": float(mean_absolute_error(expt[nz], corrected[nz])),
            "pbe_mae_nonzero_eV": float(mean_absolute_error(expt[nz], pbe[nz])),
            "n_test": int(len(expt)), "n_test_nonzero": int(nz.sum())}


def cross_validate(keys: list[str], X: np.ndarray, pbe: np.ndarray, expt: np.ndarray, s: CorrectionSettings,
                   seed: int, threads: int, ledger: FitLedger) -> tuple[dict, np.ndarray]:
    """Stratified K-fold (zero / non-zero) over the joined compositions; every fit -- feature selection
    included -- sees only the training folds. Returns (per-fold scores and their mean +- std, the
    out-of-fold corrected gaps)."""
    from sklearn.model_selection import StratifiedKFold

    nz = (expt >= s.zero_gap_below_eV).astype(int)
    oof = np.zeros(len(keys))
    folds = []
    splitter = StratifiedKFold(n_splits=s.folds, shuffle=True, random_state=seed)
    for k, (tr, te) in enumerate(splitter.split(X, nz)):
        ledger.record(f"correction/fold{k}", [keys[i] for i in tr], [keys[i] for i in te])
        model = fit_hierarchy(X[tr], expt[tr], s, seed, threads)
        p, g, corr = model.predict(X[te])
        oof[te] = corr
        folds.append(fold_metrics(expt[te], pbe[te], p, g, corr, s.zero_gap_below_eV))
    summary = {name: mean_std([f[name] for f in folds]) for name in folds[0] if not name.startswith("n_")}
    return {"folds": folds, "mean_std": summary}, oof
