"""Explainable models on per-site features (issue #24, step 5): correlation screening, a random-forest
classifier (zero vs non-zero gap) and regressor (gaps >= ``regress_from_eV``), SHAP values
(``shap.TreeExplainer``).

Correlation screening (on the training rows of each fit only): features are taken in order of
decreasing |Spearman rho| with the gap (name order breaks ties); a feature is dropped when it is constant
or its |Pearson r| with an already kept feature exceeds ``correlation_max``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import ExplainSettings, ForestSettings


def _ranks(x: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return rankdata(x, axis=0)


def screen_features(X: np.ndarray, y: np.ndarray, names: list[str], r_max: float) -> list[int]:
    """Indices kept by the correlation screening (module doc), in the order they were accepted."""
    from .correction import correlation_filter

    R = _ranks(X)
    ry = _ranks(y)
    Rc, ryc = R - R.mean(0), ry - ry.mean()
    denom = np.sqrt((Rc ** 2).sum(0) * (ryc ** 2).sum())
    rho = np.divide(np.abs((Rc * ryc[:, None]).sum(0)), denom, out=np.zeros(X.shape[1]), where=denom > 0)
    order = sorted(range(X.shape[1]), key=lambda j: (-rho[j], names[j]))
    return correlation_filter(X, order, r_max)


@dataclass
class ExplainableModels:
    """The screened feature indices and the two forests (either may be None when its training set has
    a single class or fewer than 2 rows)."""

    features: list[int]
    classifier: object | None
    regressor: object | None

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(P(non-zero), regressor gap, combined gap: 0 where P < 0.5)."""
        Xs = X[:, self.features]
        p = (self.classifier.predict_proba(Xs)[:, 1] if self.classifier is not None else np.ones(len(X)))
        g = self.regressor.predict(Xs) if self.regressor is not None else np.full(len(X), np.nan)
        return p, g, np.where(p >= 0.5, g, 0.0)


def forest(kind: str, s: ForestSettings, seed: int, threads: int, oob: bool = False):
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    cls = RandomForestClassifier if kind == "classifier" else RandomForestRegressor
    return cls(n_estimators=s.trees, min_samples_leaf=s.min_samples_leaf, max_depth=s.max_depth,
               max_features=s.max_features, random_state=seed, n_jobs=threads, oob_score=oob)


def fit_explainable(X: np.ndarray, y: np.ndarray, names: list[str], s: ExplainSettings, seed: int,
                    threads: int, oob: bool = False, features: list[int] | None = None) -> ExplainableModels:
    """Screen (unless ``features`` is given), then fit the classifier on all rows and the regressor on
    the rows with y >= regress_from_eV."""
    feats = features if features is not None else screen_features(X, y, names, s.correlation_max)
    Xs = X[:, feats]
    nz = (y >= s.zero_gap_below_eV).astype(int)
    clf = None
    if 0 < nz.sum() < len(nz):
        clf = forest("classifier", s.forest, seed, threads, oob).fit(Xs, nz)
    big = y >= s.regress_from_eV
    reg = forest("regressor", s.forest, seed, threads, oob).fit(Xs[big], y[big]) if big.sum() >= 2 else None
    return ExplainableModels(feats, clf, reg)


def score_on(models: ExplainableModels, X: np.ndarray, y: np.ndarray, s: ExplainSettings) -> dict[str, float]:
    """ROC AUC (zero vs non-zero), R2 and MAE of the regressor on the rows with y >= regress_from_eV."""
    from sklearn.metrics import r2_score, roc_auc_score

    p, g, _ = models.predict(X)
    nz = y >= s.zero_gap_below_eV
    big = y >= s.regress_from_eV
    auc = float(roc_auc_score(nz, p)) if models.classifier is not None and 0 < nz.sum() < len(nz) else float("nan")
    ok = models.regressor is not None and big.sum() >= 2
    return {"roc_auc": auc,
            "r2": float(r2_score(y[big], g[big])) if ok else float("nan"),
            "mae_eV": float(np.mean(np.abs(g[big] - y[big]))) if ok else float("nan"),
            "n_test": int(len(y)), "n_test_regression": int(big.sum())}


def shap_values(model, X: np.ndarray) -> np.ndarray:
    """[n, F] SHAP values (for a classifier: of the 'non-zero' class)."""
    import shap

    vals = shap.TreeExplainer(model).shap_values(X, check_additivity=False)
    if isinstance(vals, list):
        vals = vals[1]
    vals = np.asarray(vals)
    return vals[..., 1] if vals.ndim == 3 else vals


def importance(model, X: np.ndarray) -> np.ndarray:
    """Mean |SHAP| per feature."""
    return np.abs(shap_values(model, X)).mean(0)
