"""The stages of ``ptmlp bandgap``; each reads what the earlier ones wrote into ``outdir`` and writes
its tables, plots and ``<stage>/summary.json``; ``report.md`` is rewritten after each stage.

correct -> seeds -> perturb -> proxy -> explain (with the case studies) -> curves
"""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..atomic import atomic_open
from ..jsonfile import read_json, write_json
from . import plots
from .config import BandgapConfig
from .leakage import FitLedger
from .tables import parse_site, read_csv, site_text, write_csv

STAGES = ["correct", "seeds", "perturb", "proxy", "explain", "curves"]


def _dir(cfg: BandgapConfig, stage: str) -> Path:
    d = Path(cfg.outdir) / stage
    d.mkdir(parents=True, exist_ok=True)
    return d


def _finish(cfg: BandgapConfig, stage: str, summary: dict, t0: float, ledger: FitLedger | None = None) -> dict:
    summary = {"stage": stage, "wall_s": round(time.perf_counter() - t0, 1)} | summary
    if ledger is not None:
        summary["leakage"] = ledger.summary() | {"checked": ledger.check()}
    write_json(_dir(cfg, stage) / "summary.json", summary)
    from .report import write_report

    write_report(cfg)
    return summary


# ---------------------------------------------------------------- correct
def stage_correct(cfg: BandgapConfig) -> dict:
    from .correction import correction_features, cross_validate, fit_hierarchy
    from .data import join_pbe_expt, one_per_composition, read_gap_csv
    from .elements import filled_cells

    t0 = time.perf_counter()
    out = _dir(cfg, "correct")
    s = cfg.correction
    mp, ex = read_gap_csv(cfg.data.mp_csv), read_gap_csv(cfg.data.expt_csv)
    pbe, expt = one_per_composition(mp), one_per_composition(ex)
    joined = join_pbe_expt(pbe, expt)
    X, names = correction_features(joined.keys, joined.pbe_eV)
    ledger = FitLedger()
    cv, oof = cross_validate(joined.keys, X, joined.pbe_eV, joined.expt_eV, s, cfg.seed, cfg.threads, ledger)
    final = fit_hierarchy(X, joined.expt_eV, s, cfg.seed, cfg.threads)
    keys = list(pbe)
    Xall, _ = correction_features(keys, np.array([pbe[k] for k in keys]))
    p, _, corrected = final.predict(Xall)
    in_expt = set(expt)
    write_csv(out / "corrected_gaps.csv", ["key", "pbe_gap_eV", "corrected_gap_eV", "p_nonzero", "in_expt"],
              ((k, pbe[k], float(c), float(q), int(k in in_expt)) for k, c, q in zip(keys, corrected, p)))
    write_csv(out / "cv_predictions.csv", ["key", "pbe_gap_eV", "expt_gap_eV", "corrected_oof_eV"],
              zip(joined.keys, joined.pbe_eV.tolist(), joined.expt_eV.tolist(), oof.tolist()))
    plots.parity(out / "parity.png", joined.expt_eV, {"raw PBE": joined.pbe_eV, "corrected (held out)": oof},
                 "experimental gap (eV)", "gap (eV)", "PBE -> experiment, out-of-fold")
    summary = {"rows": {"pbe": len(mp), "expt": len(ex)},
               "compositions": {"pbe": len(pbe), "expt": len(expt), "joined": len(joined.keys),
                                "joined_nonzero": int((joined.expt_eV >= s.zero_gap_below_eV).sum())},
               "pbe_rule": "one entry per composition: the lower median of its entries' gaps",
               "cv": cv,
               "final_features": {"classifier": [names[j] for j in final.classifier_features],
                                  "regressor": [names[j] for j in final.regressor_features]},
               "element_values_filled": filled_cells(),
               "applied_to": len(keys), "applied_nonzero": int((corrected > 0).sum())}
    return _finish(cfg, "correct", summary, t0, ledger)


def load_corrected(cfg: BandgapConfig) -> tuple[dict[str, float], dict[str, float]]:
    rows = read_csv(Path(cfg.outdir) / "correct" / "corrected_gaps.csv", "correct")
    return ({r["key"]: float(r["pbe_gap_eV"]) for r in rows}, {r["key"]: float(r["corrected_gap_eV"]) for r in rows})


# ---------------------------------------------------------------- seeds
def stage_seeds(cfg: BandgapConfig) -> dict:
    from .seeds import select_seeds

    t0 = time.perf_counter()
    pbe, corrected = load_corrected(cfg)
    seeds, counts = select_seeds(pbe, corrected)
    write_csv(_dir(cfg, "seeds") / "seeds.csv", ["key", "formula", "A", "B", "pbe_gap_eV", "corrected_gap_eV"],
              ((s.key, s.formula, s.a, s.b, s.pbe_gap_eV, s.gap_eV) for s in seeds))
    gaps = np.array([s.gap_eV for s in seeds])
    return _finish(cfg, "seeds", {"counts": counts, "seeds": len(seeds),
                                  "zero_gap": int((gaps == 0).sum()), "gap_eV_max": float(gaps.max(initial=0))}, t0)


def load_seeds(cfg: BandgapConfig):
    from .seeds import Seed

    rows = read_csv(Path(cfg.outdir) / "seeds" / "seeds.csv", "seeds")
    return [Seed(r["key"], r["formula"], r["A"], r["B"], float(r["pbe_gap_eV"]), float(r["corrected_gap_eV"]))
            for r in rows]


# ---------------------------------------------------------------- perturb
def stage_perturb(cfg: BandgapConfig) -> dict:
    from .perturb import generate

    t0 = time.perf_counter()
    seeds = load_seeds(cfg)
    pert, counts = generate(seeds, cfg.perturbation.candidates, cfg.perturbation.steps)
    write_csv(_dir(cfg, "perturb") / "perturbed.csv",
              ["key", "formula", "a_site", "b_site", "seed", "site", "element", "x", "origins"],
              ((p.key, p.formula, site_text(p.a_site), site_text(p.b_site), p.seed, p.site, p.element,
                str(p.x), ";".join(p.origins)) for p in pert))
    return _finish(cfg, "perturb", {"counts": counts, "candidates": cfg.perturbation.candidates,
                                    "steps": cfg.perturbation.steps}, t0)


def load_perturbed(cfg: BandgapConfig):
    from .perturb import Perturbed

    rows = read_csv(Path(cfg.outdir) / "perturb" / "perturbed.csv", "perturb")
    return [Perturbed(r["key"], r["formula"], parse_site(r["a_site"]), parse_site(r["b_site"]), r["seed"],
                      r["site"], r["element"], Fraction(r["x"]), r["origins"].split(";")) for r in rows]


# ---------------------------------------------------------------- proxy
def stage_proxy(cfg: BandgapConfig) -> dict:
    import torch

    from .proxy import ensemble_labels, run_proxy

    t0 = time.perf_counter()
    out = _dir(cfg, "proxy")
    pbe, corrected = load_corrected(cfg)
    seeds = load_seeds(cfg)
    pert = load_perturbed(cfg)
    ledger = FitLedger()
    res = run_proxy(corrected, pbe, [s.key for s in seeds], [p.amounts() for p in pert], cfg.proxy, cfg.seed,
                    cfg.threads, ledger)
    for k, model in enumerate(res.models):
        with atomic_open(out / "models" / f"fold{k}.pt", "wb") as fh:
            torch.save(model.state_dict(), fh)
    write_json(out / "folds.json", res.folds)
    write_proxy_cv(out, res.held_out)
    mean, spread = ensemble_labels(res.per_fold_labels)
    K = cfg.proxy.folds
    write_csv(out / "labels.csv", ["key", "label_eV", "spread_eV"] + [f"fold{k}_eV" for k in range(K)],
              ([p.key, float(m), float(s)] + [float(v) for v in res.per_fold_labels[i]]
               for i, (p, m, s) in enumerate(zip(pert, mean, spread))))
    summary = {"cv": res.cv, "labelled": len(pert),
               "label_eV": _describe(mean), "spread_eV": _describe(spread),
               "fraction_labelled_zero": float(np.mean(mean < cfg.explain.zero_gap_below_eV)) if len(mean) else None}
    return _finish(cfg, "proxy", summary, t0, ledger)


def write_proxy_cv(out: Path, held_out: list[tuple]) -> None:
    """The held-out seed predictions of the three models (table and parity plot)."""
    write_csv(out / "cv_predictions.csv", ["key", "fold", "corrected_gap_eV", "attention_eV", "random_forest_eV",
                                           "pbe_linear_eV"], held_out)
    cols = np.array([h[2:] for h in held_out], float).reshape(len(held_out), 4)
    plots.parity(out / "parity.png", cols[:, 0], {"attention (ours)": cols[:, 1], "random forest": cols[:, 2],
                                                  "PBE, linear": cols[:, 3]},
                 "corrected gap (eV)", "predicted gap (eV)", "Seeds, held out (proxy folds)")


def _describe(v: np.ndarray) -> dict:
    if len(v) == 0:
        return {}
    return {"mean": float(v.mean()), "std": float(v.std()), "median": float(np.median(v)),
            "p95": float(np.percentile(v, 95))}


def load_proxy_models(cfg: BandgapConfig):
    import torch

    from ..errors import InputError
    from .proxy_model import AttentionGapModel

    models = []
    for k in range(cfg.proxy.folds):
        path = Path(cfg.outdir) / "proxy" / "models" / f"fold{k}.pt"
        if not path.is_file():
            raise InputError(f"{path} is missing: run `ptmlp bandgap proxy` first")
        m = AttentionGapModel(cfg.proxy.model)
        m.load_state_dict(torch.load(path, weights_only=True))
        models.append(m.eval())
    return models


def load_labels(cfg: BandgapConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = read_csv(Path(cfg.outdir) / "proxy" / "labels.csv", "proxy")
    K = cfg.proxy.folds
    mean = np.array([float(r["label_eV"]) for r in rows])
    spread = np.array([float(r["spread_eV"]) for r in rows])
    per_fold = np.array([[float(r[f"fold{k}_eV"]) for k in range(K)] for r in rows]).reshape(len(rows), K)
    return mean, spread, per_fold


# ---------------------------------------------------------------- explain (+ case studies)
def stage_explain(cfg: BandgapConfig) -> dict:
    from .cases import run_cases
    from .explain import fit_explainable, shap_values
    from .site_features import site_feature_names, site_features

    t0 = time.perf_counter()
    out = _dir(cfg, "explain")
    es = cfg.explain
    seeds, pert = load_seeds(cfg), load_perturbed(cfg)
    mean, spread, _ = load_labels(cfg)
    rng = np.random.default_rng(cfg.seed)
    pick = np.arange(len(pert))
    if len(pert) > es.max_perturbed:
        pick = np.sort(rng.choice(len(pert), size=es.max_perturbed, replace=False))
    names = site_feature_names()
    Xs = site_features([({s.a: Fraction(1)}, {s.b: Fraction(1)}) for s in seeds])
    Xp = site_features([(pert[i].a_site, pert[i].b_site) for i in pick])
    X = np.vstack([Xs, Xp])
    y = np.concatenate([[s.gap_eV for s in seeds], mean[pick]])
    models = fit_explainable(X, y, names, es, cfg.seed, cfg.threads, oob=True)
    fnames = [names[j] for j in models.features]
    n_shap = min(es.shap_samples, len(y))
    order = np.concatenate([np.arange(len(Xs)), len(Xs) + rng.permutation(len(Xp))])[:n_shap]
    summary = {"training": {"seeds": len(seeds), "perturbed": int(len(pick)), "total": int(len(y))},
               "screened_features": fnames, "n_features_before_screening": len(names)}
    ranking = {}
    for kind, model in (("regressor", models.regressor), ("classifier", models.classifier)):
        if model is None:
            continue
        rows = order if kind == "classifier" else order[y[order] >= es.regress_from_eV]
        Xe = X[rows][:, models.features]
        vals = shap_values(model, Xe)
        imp = np.abs(vals).mean(0)
        ranked = [(fnames[j], float(imp[j])) for j in np.argsort(-imp, kind="stable")]
        ranking[kind] = ranked
        plots.shap_summary(out / f"shap_summary_{kind}.png", vals, Xe, fnames,
                           f"SHAP, {kind} ({len(rows)} compositions)")
        if kind == "regressor":
            for name, _ in ranked[:3]:
                plots.shap_dependence(out / f"shap_dependence_{name}.png", name, vals, Xe, fnames)
        summary[f"{kind}_oob"] = float(model.oob_score_)
    summary["shap_ranking"] = ranking
    summary["oob_note"] = "out-of-bag scores on the training rows: accuracy (classifier), R2 (regressor)"
    summary["cases"] = run_cases(cfg, models, load_proxy_models(cfg), out)
    return _finish(cfg, "explain", summary, t0)


# ---------------------------------------------------------------- curves
def stage_curves(cfg: BandgapConfig) -> dict:
    from .curves import learning_curves
    from .site_features import site_feature_names, site_features

    t0 = time.perf_counter()
    out = _dir(cfg, "curves")
    seeds, pert = load_seeds(cfg), load_perturbed(cfg)
    _, _, per_fold = load_labels(cfg)
    folds_path = Path(cfg.outdir) / "proxy" / "folds.json"
    if not folds_path.is_file():
        from ..errors import InputError

        raise InputError(f"{folds_path} is missing: run `ptmlp bandgap proxy` first")
    folds = {k: int(v) for k, v in read_json(folds_path).items()}
    names = site_feature_names()
    seed_X = site_features([({s.a: Fraction(1)}, {s.b: Fraction(1)}) for s in seeds])
    def pert_X(indices: list[int]) -> np.ndarray:  # only the compositions a fold uses
        return site_features([(pert[i].a_site, pert[i].b_site) for i in indices])

    ledger = FitLedger()
    res = learning_curves([s.key for s in seeds], seed_X, np.array([s.gap_eV for s in seeds]), folds,
                          [p.key for p in pert], pert_X, [p.origins for p in pert], per_fold, names, cfg.curves,
                          cfg.explain, cfg.proxy.folds, cfg.seed, cfg.threads, ledger)
    plots.learning_curves(out / "learning_curves.png", res["table"])
    return _finish(cfg, "curves", res, t0, ledger)


RUNNERS = {"correct": stage_correct, "seeds": stage_seeds, "perturb": stage_perturb, "proxy": stage_proxy,
           "explain": stage_explain, "curves": stage_curves}


def run_stages(cfg: BandgapConfig, stages: list[str]) -> dict:
    """Run ``stages`` in order; returns {stage: summary}."""
    return {stage: RUNNERS[stage](cfg) for stage in stages}
