"""Formula parsing and reduction, the gap CSV reader and its one-line errors (issue #24)."""

from fractions import Fraction
from pathlib import Path

import pytest

from ptmlp.bandgap.data import join_pbe_expt, one_per_composition, read_gap_csv
from ptmlp.bandgap.formula import composition_key, formula_key, integer_amounts, parse_formula
from ptmlp.errors import InputError

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "bandgap"


def test_parse_plain_brackets_fractions():
    assert parse_formula("ZnBi2O4") == {"Zn": 1, "Bi": 2, "O": 4}
    assert parse_formula("Ag(AuS)2") == {"Ag": 1, "Au": 2, "S": 2}
    assert parse_formula("[Co(NH3)6]Cl3") == {"Co": 1, "N": 6, "H": 18, "Cl": 3}
    assert parse_formula("Ag0.5Ge1Pb1.75S4") == {"Ag": Fraction(1, 2), "Ge": 1, "Pb": Fraction(7, 4), "S": 4}
    assert parse_formula("OHO") == {"O": 2, "H": 1}
    assert parse_formula("(Mg0.9Fe0.1)2SiO4") == {"Mg": Fraction(9, 5), "Fe": Fraction(1, 5), "Si": 1, "O": 4}


def test_reduction_and_keys():
    assert formula_key("Zn2Bi4O8") == formula_key("ZnBi2O4") == "Bi2O4Zn"
    assert formula_key("Zn0.9Mn0.1Bi2O4") == "Bi20MnO40Zn9"
    assert formula_key("(Mg0.9Fe0.1)2SiO4") == formula_key("Mg1.8Fe0.2SiO4") == "FeMg9O20Si5"
    assert formula_key("Cr3Ni1") == "Cr3Ni"
    assert integer_amounts({"Ag": Fraction(1, 2), "Pb": Fraction(7, 4), "S": 4}) == {"Ag": 2, "Pb": 7, "S": 16}
    assert composition_key({"Zn": 3, "O": 3}) == "OZn"


@pytest.mark.parametrize("text, words", [
    ("Xx2O3", "unknown element 'Xx'"), ("Zn((O", "unbalanced"), ("Zn-O", "cannot read"), ("", "empty formula"),
    ("2ZnO", "does not follow"), ("ZnO0", "not positive"), ("Zn()O", "empty brackets"), ("Zn(O]", "unbalanced"),
])
def test_malformed_formulas_name_the_entry(text, words):
    with pytest.raises(InputError) as err:
        parse_formula(text)
    msg = str(err.value)
    assert words in msg and "\n" not in msg
    if text:
        assert repr(text) in msg


def _csv(tmp_path, text, name="g.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize("text, words", [
    ("", "empty file"), ("formula,target\n", "no rows"), ("formula,gap\nZnO,3.4\n", "missing column"),
    ("formula,target\nZnO,3.4\nZn2Qq,1\n", ":3: formula 'Zn2Qq': unknown element 'Qq'"),
    ("formula,target\nZnO,abc\n", "gap 'abc' of 'ZnO' is not a number"),
    ("formula,target\nZnO,-1\n", "not a finite number >= 0"),
])
def test_csv_errors_are_one_line(tmp_path, text, words):
    with pytest.raises(InputError) as err:
        read_gap_csv(_csv(tmp_path, text))
    assert words in str(err.value) and "\n" not in str(err.value)


def test_one_entry_per_composition_and_join(tmp_path):
    pbe = read_gap_csv(_csv(tmp_path, "formula,target\nZn1O1,1.0\nZn2O2,0.5\nZnO,3.0\nBi2O3,2.0\nMgO,5\n", "p.csv"))
    ex = read_gap_csv(_csv(tmp_path, "formula,target\nZnO,3.4\nBi4O6,2.8\nFe,0\n", "e.csv"))
    one = one_per_composition(pbe)
    assert one == {"Bi2O3": 2.0, "MgO": 5.0, "OZn": 1.0}  # lower median of 0.5, 1.0, 3.0
    joined = join_pbe_expt(one, one_per_composition(ex))
    assert joined.keys == ["Bi2O3", "OZn"]
    assert joined.pbe_eV.tolist() == [2.0, 1.0] and joined.expt_eV.tolist() == [2.8, 3.4]


@pytest.mark.skipif(not DATA.is_dir(), reason=f"shared band-gap data not found at {DATA}")
def test_parser_agrees_with_pymatgen_on_the_experimental_set():
    import csv

    from pymatgen.core import Composition

    rows = list(csv.DictReader(open(DATA / "expt_gap.csv")))[::10]
    for r in rows:
        mine = parse_formula(r["formula"])
        total = sum(mine.values())
        ref = Composition(r["formula"]).fractional_composition
        assert {el: float(n / total) for el, n in mine.items()} == pytest.approx(
            {str(el): float(n) for el, n in ref.items()}, abs=1e-12), r["formula"]
