"""``report.md``: the measured tables of every finished stage (mean +- std over folds), rewritten after
each stage from the stages' ``summary.json`` files."""

from __future__ import annotations

from pathlib import Path

from ..atomic import atomic_write_text
from ..jsonfile import read_json
from .stats import fmt


def _load(outdir: Path, stage: str) -> dict | None:
    path = outdir / stage / "summary.json"
    return read_json(path) if path.is_file() else None


def _correct(s: dict) -> list[str]:
    m = s["cv"]["mean_std"]
    c = s["compositions"]
    return [f"## PBE -> experiment correction ({s['cv']['folds'].__len__()}-fold, held-out compositions; "
            f"{s['wall_s']} s)",
            f"{c['joined']} compositions with both gaps ({c['joined_nonzero']} non-zero); "
            f"applied to {s['applied_to']} PBE compositions.", "",
            "| quantity | value |", "|---|---|",
            f"| classifier ROC AUC | {fmt(m['roc_auc'])} |",
            f"| classifier accuracy | {fmt(m['classifier_accuracy'])} |",
            f"| regressor R2 (non-zero gaps) | {fmt(m['regressor_r2'])} |",
            f"| regressor MAE (non-zero gaps, eV) | {fmt(m['regressor_mae_eV'])} |",
            f"| MAE vs experiment, corrected (eV) | {fmt(m['corrected_mae_eV'])} |",
            f"| MAE vs experiment, raw PBE (eV) | {fmt(m['pbe_mae_eV'])} |",
            f"| MAE vs experiment, non-zero gaps, corrected (eV) | {fmt(m['corrected_mae_nonzero_eV'])} |",
            f"| MAE vs experiment, non-zero gaps, raw PBE (eV) | {fmt(m['pbe_mae_nonzero_eV'])} |", ""]


def _counts(title: str, s: dict) -> list[str]:
    c = s["counts"]
    return [f"## {title} ({s['wall_s']} s)", "", "| " + " | ".join(c) + " |", "|" + "---|" * len(c),
            "| " + " | ".join(str(v) for v in c.values()) + " |", ""]


def _proxy(s: dict) -> list[str]:
    m = s["cv"]["mean_std"]
    lines = [f"## Proxy model, {len(s['cv']['folds'])}-fold CV on the seeds ({s['cv']['seeds']} seeds, pool "
             f"{s['cv']['pool_size']}; {s['wall_s']} s)", "", "| model | MAE (eV) | R2 |", "|---|---|---|"]
    for name, label in (("attention", "attention model (ours)"), ("random_forest", "random forest, Magpie features"),
                        ("pbe_linear", "PBE gap, linear correction")):
        lines.append(f"| {label} | {fmt(m[f'{name}_mae_eV'])} | {fmt(m[f'{name}_r2'])} |")
    sp = s.get("spread_eV") or {}
    if sp:
        lines += ["", f"{s['labelled']} perturbed compositions labelled; ensemble spread mean {sp['mean']:.3f} eV, "
                      f"median {sp['median']:.3f} eV, 95th percentile {sp['p95']:.3f} eV."]
    return lines + [""]


def _explain(s: dict) -> list[str]:
    t = s["training"]
    lines = [f"## Explainable models on the enlarged set ({s['wall_s']} s)",
             f"{t['seeds']} seeds + {t['perturbed']} perturbed; {len(s['screened_features'])} of "
             f"{s['n_features_before_screening']} features after screening.", "",
             f"Out-of-bag: classifier accuracy {s.get('classifier_oob', float('nan')):.3f}, "
             f"regressor R2 {s.get('regressor_oob', float('nan')):.3f}.", ""]
    for kind, ranked in s.get("shap_ranking", {}).items():
        lines.append(f"Top SHAP features ({kind}): " + ", ".join(f"{n} ({v:.3f})" for n, v in ranked[:6]))
    lines.append("")
    for case in s.get("cases", []):
        lines += [f"### Case {case['formula']} (x0: proxy {case['x0']['proxy_eV']:.2f} +- "
                  f"{case['x0']['proxy_spread_eV']:.2f} eV, forest {case['x0']['forest_eV']:.2f} eV)"
                  if case.get("x0") else f"### Case {case['formula']}",
                  "", "| site:element | x = 1 | proxy (eV) | forest (eV) |", "|---|---|---|---|"]
        for k, v in case["x1"].items():
            lines.append(f"| {k} | {v['x1_formula']} | {v['proxy_eV']:.2f} +- {v['proxy_spread_eV']:.2f} | "
                         f"{v['forest_eV']:.2f} |")
        lines.append("")
    return lines


def _curves(s: dict) -> list[str]:
    lines = [f"## Learning curves on held-out real compounds ({s['wall_s']} s; mean +- std over folds)", "",
             f"| perturbed added | ROC AUC | R2 (>= 0.5 eV) | MAE (eV) | SHAP Spearman ({s['bootstraps']} bootstraps) "
             f"| SHAP top-{s['top_k']} overlap |", "|---|---|---|---|---|---|"]
    for r in s["table"]:
        lines.append(f"| {r['perturbed']} | {fmt(r['roc_auc'])} | {fmt(r['r2'])} | {fmt(r['mae_eV'])} | "
                     f"{fmt(r['shap_spearman'])} | {fmt(r['shap_top_k_overlap'])} |")
    return lines + [""]


def write_report(cfg) -> Path:
    outdir = Path(cfg.outdir)
    lines = ["# Band-gap learning by cationic perturbation: measured results", ""]
    parts = [("correct", _correct), ("seeds", lambda s: _counts("Seed set (AB2O4 oxides)", s)),
             ("perturb", lambda s: _counts("Cationic perturbation", s)), ("proxy", _proxy), ("explain", _explain),
             ("curves", _curves)]
    for stage, fn in parts:
        s = _load(outdir, stage)
        if s is not None:
            lines += fn(s)
    return atomic_write_text(outdir / "report.md", "\n".join(lines) + "\n")
