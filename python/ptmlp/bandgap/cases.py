"""Case studies: the predicted gap of one AB2O4 compound as its A or B site is replaced stepwise
(x = 0, 1/steps, ..., 1) by each listed element, by the proxy ensemble (mean and spread over the fold
models) and by the explainable random forests; every point says whether it is charge-balanced. An
element already on the other site (or the replaced one itself) is skipped and listed."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from . import plots
from .charge import charge_balanced
from .features import composition_arrays
from .perturb import replace_site, site_amounts, site_formula
from .proxy_model import predict
from .seeds import ab2o4_sites
from .site_features import site_features
from .tables import write_csv


def case_grid(formula: str, sites: list[str], elements: list[str], steps: int) -> tuple[list[dict], list[str]]:
    """Rows (site, element, x, site mixtures, formula, charge_balanced) and the skipped (site, element)."""
    a, b = ab2o4_sites(formula)
    rows, skipped = [], []
    for site in sites:
        for el in elements:
            if el in (a, b):
                skipped.append(f"{site}:{el}")
                continue
            for k in range(steps + 1):
                x = Fraction(k, steps)
                a_site, b_site = replace_site(a, b, site, el, x)
                amounts = site_amounts(a_site, b_site)
                rows.append({"site": site, "element": el, "x": float(x), "formula": site_formula(a_site, b_site),
                             "a_site": a_site, "b_site": b_site, "amounts": amounts,
                             "charge_balanced": bool(charge_balanced(amounts))})
    return rows, skipped


def run_cases(cfg, models, proxy_models, out: Path) -> list[dict]:
    summaries = []
    for case in cfg.cases:
        rows, skipped = case_grid(case.formula, case.sites, case.elements, cfg.perturbation.steps)
        if rows:
            X = site_features([(r["a_site"], r["b_site"]) for r in rows])
            _, _, forest_gap = models.predict(X)
            z, f = composition_arrays([r["amounts"] for r in rows])
            per = np.stack([predict(m, z, f) for m in proxy_models], axis=1)
            for r, fg, p in zip(rows, forest_gap, per):
                r["forest_eV"] = float(fg)
                r["proxy_eV"] = float(p.mean())
                r["proxy_spread_eV"] = float(p.std(ddof=1)) if len(p) > 1 else 0.0
        stem = case.formula
        write_csv(out / f"case_{stem}.csv", ["formula", "site", "element", "x", "charge_balanced", "proxy_eV",
                                             "proxy_spread_eV", "forest_eV"],
                  ((r["formula"], r["site"], r["element"], r["x"], int(r["charge_balanced"]), r["proxy_eV"],
                    r["proxy_spread_eV"], r["forest_eV"]) for r in rows))
        if rows:
            plots.case_study(out / f"case_{stem}.png", stem, rows)
        end = {f"{r['site']}:{r['element']}": {"x1_formula": r["formula"], "proxy_eV": r["proxy_eV"],
                                               "proxy_spread_eV": r["proxy_spread_eV"], "forest_eV": r["forest_eV"]}
               for r in rows if r["x"] == 1.0}
        start = next((r for r in rows if r["x"] == 0.0), None)
        summaries.append({"formula": case.formula, "points": len(rows), "skipped": skipped,
                          "x0": None if start is None else {"proxy_eV": start["proxy_eV"],
                                                            "proxy_spread_eV": start["proxy_spread_eV"],
                                                            "forest_eV": start["forest_eV"]},
                          "x1": end, "charge_balanced_points": int(sum(r["charge_balanced"] for r in rows))})
    return summaries
