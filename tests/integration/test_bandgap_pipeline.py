"""The whole ``ptmlp bandgap`` pipeline on a subset of the shared band-gap data with a tiny model (the
short default-suite version of the full run): every stage's tables, plots and summaries, counts that add
up, and no held-out composition in any training set (issue #24)."""

import csv
import random
from pathlib import Path

import numpy as np
import pytest
import yaml

from ptmlp.bandgap.config import BandgapConfig
from ptmlp.bandgap.formula import formula_key, integer_amounts, parse_formula
from ptmlp.bandgap.workflow import STAGES, run_stages
from ptmlp.config import load_config
from ptmlp.jsonfile import read_json

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "bandgap"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"shared band-gap data not found at {DATA}")

SMOKE = {"correction": {"folds": 2, "top_features": 10, "boosting": {"trees": 30}},
         "perturbation": {"candidates": ["Mg", "Fe", "Zn", "Al", "Ni", "Cd", "Ti"], "steps": 2},
         "proxy": {"folds": 2, "epochs": 2, "pool_max_size": 200, "rf_trees": 10,
                   "model": {"d_model": 16, "heads": 2, "layers": 1, "feedforward": 32}},
         "explain": {"max_perturbed": 300, "shap_samples": 40, "forest": {"trees": 15}},
         "curves": {"sizes": [100, 200], "bootstraps": 2}}


def _ab2o4(formula: str) -> bool:
    a = integer_amounts(parse_formula(formula))
    return len(a) == 3 and a.get("O") == 4 and sorted(v for e, v in a.items() if e != "O") == [1, 2]


def _subset(tmp: Path) -> Path:
    """60 AB2O4 rows, 700 rows whose composition has an experimental gap, 300 other oxides."""
    rows = list(csv.DictReader(open(DATA / "mp_gap.csv")))
    expt = {formula_key(r["formula"]) for r in csv.DictReader(open(DATA / "expt_gap.csv"))}
    rng = random.Random(0)
    pick = [r for r in rows if _ab2o4(r["formula"])]
    rng.shuffle(pick)
    joined = [r for r in rows if formula_key(r["formula"]) in expt]
    rng.shuffle(joined)
    oxides = [r for r in rows if "O" in parse_formula(r["formula"])]
    rng.shuffle(oxides)
    path = tmp / "mp_subset.csv"
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, ["formula", "target"])
        w.writeheader()
        w.writerows(pick[:60] + joined[:700] + oxides[:300])
    return path


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bandgap")
    cfg_path = tmp / "bandgap.yaml"
    cfg_path.write_text(yaml.safe_dump({"data": {"mp_csv": str(_subset(tmp)), "expt_csv": str(DATA / "expt_gap.csv")},
                                        "outdir": "out"} | SMOKE))
    cfg = load_config(BandgapConfig, cfg_path)
    summaries = run_stages(cfg, STAGES)
    return cfg, Path(cfg.outdir), summaries


def _rows(path):
    return list(csv.DictReader(open(path)))


def test_every_stage_writes_its_tables_plots_and_report(run):
    cfg, out, summaries = run
    assert list(summaries) == STAGES
    for stage in STAGES:
        assert read_json(out / stage / "summary.json")["stage"] == stage
    pngs = [out / "correct" / "parity.png", out / "proxy" / "parity.png", out / "curves" / "learning_curves.png",
            out / "explain" / "shap_summary_regressor.png", out / "explain" / "shap_summary_classifier.png",
            out / "explain" / "case_ZnBi2O4.png", out / "explain" / "case_Mg2SiO4.png"]
    pngs += list((out / "explain").glob("shap_dependence_*.png"))
    assert len(pngs) == 10
    for p in pngs:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", p
    report = (out / "report.md").read_text()
    for title in ("PBE -> experiment correction", "Seed set", "Cationic perturbation", "Proxy model",
                  "Explainable models", "Learning curves", "Case ZnBi2O4", "+-"):
        assert title in report


def test_correction_scores_and_the_whole_pbe_set(run):
    cfg, out, summaries = run
    s = summaries["correct"]
    m = s["cv"]["mean_std"]
    assert m["roc_auc"]["n"] == 2 and m["roc_auc"]["mean"] > 0.8
    assert m["corrected_mae_nonzero_eV"]["mean"] < m["pbe_mae_nonzero_eV"]["mean"]
    rows = _rows(out / "correct" / "corrected_gaps.csv")
    assert len(rows) == s["compositions"]["pbe"] == s["applied_to"]
    assert all(float(r["corrected_gap_eV"]) >= 0 for r in rows)
    assert s["final_features"]["classifier"][0] == "pbe_gap_eV"


def test_seed_and_perturbation_counts_add_up(run):
    cfg, out, summaries = run
    seeds = _rows(out / "seeds" / "seeds.csv")
    c = summaries["seeds"]["counts"]
    assert c["charge_balanced"] == len(seeds) > 30
    assert all(_ab2o4(r["key"]) and r["A"] != r["B"] for r in seeds)
    p = summaries["perturb"]["counts"]
    assert p["proposed"] == len(seeds) * 2 * 7 * 2
    assert p["proposed"] == p["same_element_skipped"] + p["not_charge_balanced"] + p["charge_balanced"]
    assert p["charge_balanced"] - p["duplicates"] - p["equal_to_a_seed"] == p["kept"]
    pert = _rows(out / "perturb" / "perturbed.csv")
    assert len(pert) == p["kept"] and len({r["key"] for r in pert}) == len(pert)
    assert not {r["key"] for r in pert} & {r["key"] for r in seeds}
    labels = _rows(out / "proxy" / "labels.csv")
    assert [r["key"] for r in labels] == [r["key"] for r in pert]
    assert all(float(r["spread_eV"]) >= 0 for r in labels)


def test_no_held_out_composition_in_any_training_set(run):
    """Independent of the workflow's own ledger: rebuild every training set of the curves from the files
    and compare with the held-out seeds of each fold; the ledgers of all stages were checked too."""
    cfg, out, summaries = run
    for stage in ("correct", "proxy", "curves"):
        assert summaries[stage]["leakage"]["fits_checked"] > 0
    folds = read_json(out / "proxy" / "folds.json")
    seeds = _rows(out / "seeds" / "seeds.csv")
    pert = _rows(out / "perturb" / "perturbed.csv")
    for k in range(cfg.proxy.folds):
        held = {r["key"] for r in seeds if folds[r["key"]] == k}
        assert held
        usable = {r["key"] for r in pert if any(folds[o] != k for o in r["origins"].split(";"))}
        assert not usable & held
        fits = summaries["curves"]["leakage"]["fits"]
        assert {n for n in fits if n.startswith(f"curves/fold{k}/")}
        assert fits[f"curves/fold{k}/n0"]["held_out"] == len(held)
    proxy_fits = summaries["proxy"]["leakage"]["fits"]
    assert sum(f["held_out"] for f in proxy_fits.values()) == len(seeds)
    cv = _rows(out / "proxy" / "cv_predictions.csv")
    assert sorted(r["key"] for r in cv) == sorted(r["key"] for r in seeds)
    assert all(folds[r["key"]] == int(r["fold"]) for r in cv)


def test_learning_curve_table_has_spreads(run):
    cfg, out, summaries = run
    table = summaries["curves"]["table"]
    assert [r["perturbed"] for r in table][0] == 0
    for r in table:
        assert r["folds"] == 2
        for key in ("roc_auc", "r2", "shap_spearman"):
            assert set(r[key]) == {"mean", "std", "n"}


def test_case_studies(run):
    cfg, out, summaries = run
    cases = {c["formula"]: c for c in summaries["explain"]["cases"]}
    zb = _rows(out / "explain" / "case_ZnBi2O4.csv")
    # 3d metals and Cd on each site, x = 0, 0.5, 1; Zn is skipped on both (it is A: on B it would sit on both)
    assert len(zb) == (10 + 10) * 3 and cases["ZnBi2O4"]["skipped"] == ["A:Zn", "B:Zn"]
    mf = _rows(out / "explain" / "case_Mg2SiO4.csv")
    assert [r["formula"] for r in mf] == ["SiMg2O4", "Si(Mg0.5Fe0.5)2O4", "SiFe2O4"]
    assert all(np.isfinite(float(r["proxy_eV"])) for r in zb + mf)
