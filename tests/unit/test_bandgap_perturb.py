"""Charge-balance filter cases (against pymatgen's own answer) and the perturbation generator's counts
on a two-compound toy set (issue #24)."""

import random
from fractions import Fraction

import pytest

from ptmlp.bandgap.charge import charge_balanced, oxide_states
from ptmlp.bandgap.formula import integer_amounts, parse_formula
from ptmlp.bandgap.perturb import generate
from ptmlp.bandgap.seeds import Seed, ab2o4_sites, select_seeds
from ptmlp.errors import InputError


@pytest.mark.parametrize("formula, balanced", [
    ("ZnAl2O4", True), ("MgAl2O4", True), ("ZnBi2O4", True),
    ("LiMn2O4", True),             # Mn3+/Mn4+ mixed valence
    ("CaTi2O4", True),             # Ti3+ is an ICSD state
    ("KAl2O4", False),             # 1 + 2*3 = 7
    ("Zn0.5Li0.5Al2O4", False),    # Zn1 Li1 Al4 O8: 2 + 1 + 12 = 15 != 16
    ("Zn0.9Li0.1Al2O4", False),
    ("Mg(Al0.5Fe0.5)2O4", True),   # Fe3+
    ("MgAlZnO4", False),           # 2 + 3 + 2 = 7
    ("Mg1.4Fe0.6SiO4", True),      # olivine with Fe2+
])
def test_charge_balance_cases(formula, balanced):
    assert charge_balanced(parse_formula(formula)) is balanced


@pytest.mark.parametrize("formula", ["LiMn2O4", "KAl2O4", "Zn0.5Li0.5Al2O4", "Mg1.4Fe0.6SiO4", "MgAlZnO4",
                                     "CaTi2O4", "Ag2ZnO4", "CuFe2O4", "NaSbO3"])
def test_same_answer_as_pymatgen(formula):
    from pymatgen.core import Composition

    ints = integer_amounts(parse_formula(formula))
    override = {el: list(oxide_states(el)) for el in ints}
    expected = bool(Composition(ints).oxi_state_guesses(oxi_states_override=override))
    assert charge_balanced(parse_formula(formula)) is expected


def _seed(formula: str, gap: float = 1.0) -> Seed:
    from ptmlp.bandgap.formula import formula_key

    a, b = ab2o4_sites(formula)
    return Seed(formula_key(formula), formula, a, b, gap, gap)


def test_generator_counts_on_two_compounds():
    seeds = [_seed("ZnAl2O4"), _seed("MgAl2O4")]
    pert, counts = generate(seeds, ["Mg", "Zn", "Fe", "Li"], steps=2)
    # per seed: 2 sites x 4 candidates x 2 steps = 16 proposed; 4 put an element on both sites
    assert counts == {"seeds": 2, "candidates": 4, "proposed": 32, "same_element_skipped": 8,
                      "not_charge_balanced": 12, "charge_balanced": 12, "duplicates": 2, "equal_to_a_seed": 2,
                      "kept": 8}
    assert [p.formula for p in pert] == [
        "(Mg0.5Zn0.5)Al2O4", "(Mg0.5Fe0.5)Al2O4", "FeAl2O4", "Mg(Al0.5Fe0.5)2O4", "MgFe2O4",
        "(Zn0.5Fe0.5)Al2O4", "Zn(Al0.5Fe0.5)2O4", "ZnFe2O4"]
    by = {p.formula: p for p in pert}
    assert by["(Mg0.5Zn0.5)Al2O4"].origins == ["Al2MgO4", "Al2O4Zn"]
    assert by["FeAl2O4"].origins == ["Al2MgO4", "Al2O4Zn"] and by["MgFe2O4"].origins == ["Al2MgO4"]
    assert by["Mg(Al0.5Fe0.5)2O4"].x == Fraction(1, 2) and by["Mg(Al0.5Fe0.5)2O4"].site == "B"
    for p in pert:  # never the same element on both sites
        assert not set(p.a_site) & set(p.b_site)


def test_generator_is_deterministic_and_order_free():
    seeds = [_seed(f) for f in ("ZnAl2O4", "MgAl2O4", "ZnBi2O4", "MgCr2O4", "NiFe2O4")]
    cands = ["Mg", "Zn", "Fe", "Li", "Cd", "Ti", "Co"]
    a, ca = generate(seeds, cands, steps=10)
    shuffled = seeds[:]
    random.Random(1).shuffle(shuffled)
    b, cb = generate(shuffled, cands, steps=10)
    assert ca == cb and [p.key for p in a] == [p.key for p in b] and len({p.key for p in a}) == len(a)
    assert ca["proposed"] == 5 * 2 * 7 * 10


def test_seed_selection_counts():
    pbe = {k: 1.0 for k in ["Al2MgO4", "Bi2O4Zn", "Cl2O4Pb", "Al2LiO4", "O4Si", "MgO", "Fe2O4Si", "Al2O4Zn2"]}
    seeds, counts = select_seeds(pbe, pbe)
    assert counts == {"compositions": 8, "oxides": 8, "ternary_oxides": 6, "ab2o4_stoichiometry": 5,
                      "both_cations": 4, "charge_balanced": 3}
    assert [s.formula for s in seeds] == ["MgAl2O4", "ZnBi2O4", "SiFe2O4"]


@pytest.mark.parametrize("formula, words", [("ZnBi2S4", "is not an oxide"), ("ZnO", "AB2O4 stoichiometry"),
                                            ("Pb(ClO2)2", "is not a cation"), ("Zn(Bi2O4", "unbalanced"),
                                            ("QzBi2O4", "unknown element")])
def test_ab2o4_sites_errors(formula, words):
    with pytest.raises(InputError) as err:
        ab2o4_sites(formula)
    assert words in str(err.value) and repr(formula) in str(err.value)
