"""The seed set: the AB2O4 oxides of the (corrected) PBE set, A != B, both cations."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from .charge import charge_balanced
from .elements import is_cation_element
from .formula import integer_amounts, is_oxide, parse_formula


@dataclass(frozen=True)
class Seed:
    """A real AB2O4 compound: ``formula`` written A B2 O4, its composition ``key``, the two cations,
    its PBE and corrected gaps (eV)."""

    key: str
    formula: str
    a: str
    b: str
    pbe_gap_eV: float
    gap_eV: float


def ab2o4_sites(formula: str) -> tuple[str, str]:
    """(A, B) of an AB2O4 oxide formula (any multiple: Zn2Bi4O8 too). One-line InputError naming the
    formula when it is not an oxide, not of AB2O4 stoichiometry, or A/B is not a cation."""
    amounts = parse_formula(formula)
    if not is_oxide(amounts):
        raise InputError(f"{formula!r} is not an oxide (an AB2O4 oxide is needed)")
    ints = integer_amounts(amounts)
    cations = {el: n for el, n in ints.items() if el != "O"}
    if len(cations) != 2 or ints["O"] != 4 or sorted(cations.values()) != [1, 2]:
        raise InputError(f"{formula!r} is not of AB2O4 stoichiometry (two cations, 1 A and 2 B per 4 O)")
    a = next(el for el, n in cations.items() if n == 1)
    b = next(el for el, n in cations.items() if n == 2)
    for site, el in (("A", a), ("B", b)):
        if not is_cation_element(el):
            raise InputError(f"{formula!r}: {site} = {el} is not a cation (a metal or metalloid with a positive "
                             "oxidation state)")
    return a, b


def select_seeds(pbe_gaps: dict[str, float], corrected: dict[str, float]) -> tuple[list[Seed], dict[str, int]]:
    """Seeds among the compositions of ``pbe_gaps`` (key -> PBE gap) with their corrected gaps, and the
    count after every filter: compositions -> oxides -> 3 elements -> AB2O4 stoichiometry -> both cations
    -> charge-balanced (O2-, cations in their ICSD states). Sorted by key."""
    counts = {"compositions": len(pbe_gaps), "oxides": 0, "ternary_oxides": 0, "ab2o4_stoichiometry": 0,
              "both_cations": 0, "charge_balanced": 0}
    seeds = []
    for key in sorted(pbe_gaps):
        amounts = parse_formula(key)
        if not is_oxide(amounts):
            continue
        counts["oxides"] += 1
        if len(amounts) != 3:
            continue
        counts["ternary_oxides"] += 1
        ints = integer_amounts(amounts)
        cations = sorted((n, el) for el, n in ints.items() if el != "O")
        if ints["O"] != 4 or [n for n, _ in cations] != [1, 2]:
            continue
        counts["ab2o4_stoichiometry"] += 1
        a, b = cations[0][1], cations[1][1]
        if not (is_cation_element(a) and is_cation_element(b)):
            continue
        counts["both_cations"] += 1
        if not charge_balanced(ints):
            continue
        counts["charge_balanced"] += 1
        seeds.append(Seed(key, f"{a}{b}2O4", a, b, float(pbe_gaps[key]), float(corrected[key])))
    return seeds, counts
