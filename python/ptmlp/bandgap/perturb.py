"""Cationic perturbation of AB2O4 seeds.

For each seed (in key order), each site (A, then B), each candidate cation X (in list order) and each
x = 1/steps, 2/steps, ..., 1 (ascending): replace the fraction x of the site by X, i.e. A(1-x)X(x) B2 O4
or A (B(1-x)X(x))2 O4. Filters, each counted: X must differ from both A and B (never the same element on
both sites; replacing A by A changes nothing); the composition must be charge-balanced
(:func:`charge.charge_balanced`); the first occurrence of a composition is kept (the later ones only add
their seed to its ``origins``); a composition equal to a real seed compound is dropped (the real label
wins). Nothing random: the same seeds and candidates give the same list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from .charge import charge_balanced
from .formula import composition_key, format_amounts
from .seeds import Seed


@dataclass
class Perturbed:
    """A hypothetical composition: its key, the site formula (``(Zn0.9Mn0.1)Bi2O4``), the two site
    mixtures (element -> fraction of the site), how it was made, and every seed that makes it."""

    key: str
    formula: str
    a_site: dict[str, Fraction]
    b_site: dict[str, Fraction]
    seed: str
    site: str
    element: str
    x: Fraction
    origins: list[str] = field(default_factory=list)

    def amounts(self) -> dict[str, Fraction]:
        return site_amounts(self.a_site, self.b_site)


def site_amounts(a_site: dict[str, Fraction], b_site: dict[str, Fraction]) -> dict[str, Fraction]:
    """Element -> amount of A-site mixture x1 + B-site mixture x2 + O4."""
    out: dict[str, Fraction] = {}
    for el, s in a_site.items():
        out[el] = out.get(el, Fraction(0)) + Fraction(s)
    for el, s in b_site.items():
        out[el] = out.get(el, Fraction(0)) + 2 * Fraction(s)
    out["O"] = out.get("O", Fraction(0)) + 4
    return out


def site_formula(a_site: dict[str, Fraction], b_site: dict[str, Fraction]) -> str:
    """``(Zn0.9Mn0.1)Bi2O4``, ``Zn(Bi0.5Fe0.5)2O4``, ``MnBi2O4``."""
    def part(site: dict[str, Fraction], mult: str) -> str:
        items = [(el, s) for el, s in site.items() if s]
        if len(items) == 1:
            return f"{items[0][0]}{mult}"
        return "(" + format_amounts(dict(items), [el for el, _ in items]) + f"){mult}"
    return part(a_site, "") + part(b_site, "2") + "O4"


def replace_site(seed_a: str, seed_b: str, site: str, element: str, x: Fraction):
    """(A-site mixture, B-site mixture) after replacing the fraction x of ``site`` by ``element``."""
    rest = 1 - x
    new = {el: s for el, s in ((seed_a if site == "A" else seed_b, rest), (element, x)) if s}
    if site == "A":
        return new, {seed_b: Fraction(1)}
    return {seed_a: Fraction(1)}, new


def generate(seeds: list[Seed], candidates: list[str], steps: int = 10) -> tuple[list[Perturbed], dict[str, int]]:
    """The perturbed set and the counts after every filter (see module doc)."""
    counts = {"seeds": len(seeds), "candidates": len(candidates), "proposed": 0, "same_element_skipped": 0,
              "not_charge_balanced": 0, "charge_balanced": 0, "duplicates": 0, "equal_to_a_seed": 0, "kept": 0}
    seed_keys = {s.key for s in seeds}
    by_key: dict[str, Perturbed] = {}
    for seed in sorted(seeds, key=lambda s: s.key):
        for site in ("A", "B"):
            for el in candidates:
                for k in range(1, steps + 1):
                    counts["proposed"] += 1
                    if el in (seed.a, seed.b):
                        counts["same_element_skipped"] += 1
                        continue
                    x = Fraction(k, steps)
                    a_site, b_site = replace_site(seed.a, seed.b, site, el, x)
                    amounts = site_amounts(a_site, b_site)
                    if not charge_balanced(amounts):
                        counts["not_charge_balanced"] += 1
                        continue
                    counts["charge_balanced"] += 1
                    key = composition_key(amounts)
                    if key in by_key:
                        counts["duplicates"] += 1
                        if seed.key not in by_key[key].origins:
                            by_key[key].origins.append(seed.key)
                        continue
                    by_key[key] = Perturbed(key, site_formula(a_site, b_site), a_site, b_site, seed.key, site,
                                            el, x, [seed.key])
    out = []
    for p in by_key.values():
        if p.key in seed_keys:
            counts["equal_to_a_seed"] += 1
            continue
        out.append(p)
    counts["kept"] = len(out)
    return out, counts
