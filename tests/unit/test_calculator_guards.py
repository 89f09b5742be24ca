"""PtmlpCalculator refuses coincident atoms, non-finite positions and non-finite model output with
one line (issue #19), with the same floor as the pair style (ptmlp.guards.MIN_PAIR_DISTANCE_A)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

import ptmlp.guards as guards
from ptmlp.calculator import PtmlpCalculator
from ptmlp.demo import DEMO_MODEL
from ptmlp.errors import InputError
from ptmlp.guards import MIN_PAIR_DISTANCE_A

from nonfinite_model import write_nonfinite_model

CMAKE = Path(__file__).resolve().parents[2] / "CMakeLists.txt"


def fe16() -> Atoms:
    return bulk("Fe", "bcc", a=2.87, cubic=True).repeat(2)


def one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


def test_coincident_atoms_refused():
    atoms = fe16()
    atoms += Atoms("Fe", positions=[atoms.positions[3]])
    atoms.calc = PtmlpCalculator(DEMO_MODEL)
    with pytest.raises(InputError) as exc:
        atoms.get_potential_energy()
    text = one_line(exc)
    assert re.search(r"atoms (3 and 16|16 and 3) \(ASE indices\) are 0 angstrom apart", text), text
    assert f"closer than the {MIN_PAIR_DISTANCE_A} angstrom floor" in text and "fe_demo.pt" in text


def test_floor_is_a_strict_bound():
    atoms = fe16()
    atoms += Atoms("Fe", positions=[atoms.positions[0] + [1.5 * MIN_PAIR_DISTANCE_A, 0, 0]])
    atoms.calc = PtmlpCalculator(DEMO_MODEL)
    assert np.isfinite(atoms.get_potential_energy())  # absurd but above the floor: the ZBL core answers
    atoms.positions[-1] = atoms.positions[0] + [0.9 * MIN_PAIR_DISTANCE_A, 0, 0]
    with pytest.raises(InputError, match=f"are {0.9 * MIN_PAIR_DISTANCE_A:.4g} angstrom apart"):
        atoms.get_forces()


def test_nonfinite_position_refused():
    atoms = fe16()
    atoms.positions[5, 1] = np.nan
    atoms.calc = PtmlpCalculator(DEMO_MODEL)
    with pytest.raises(InputError) as exc:
        atoms.get_forces()
    assert "atom 5 (ASE index) has a non-finite position" in one_line(exc)


@pytest.mark.parametrize("mode, message", [
    ("sqrt", "returned a non-finite force on atom "),
    ("log", "returned a non-finite energy (nan) with finite forces"),
])
def test_nonfinite_model_output_refused(tmp_path, mode, message):
    model = write_nonfinite_model(tmp_path / "bad.pt", r_bad_A=2.3, mode=mode)
    atoms = bulk("Fe", "sc", a=2.8).repeat(3)
    atoms.calc = PtmlpCalculator(model)
    assert np.isfinite(atoms.get_potential_energy())  # all pairs at 2.8 angstrom
    atoms = atoms.copy()
    atoms.positions[0, 0] += 0.6
    atoms.calc = PtmlpCalculator(model)
    with pytest.raises(InputError) as exc:
        atoms.get_potential_energy()
    text = one_line(exc)
    assert message in text, text
    if mode == "sqrt":
        assert "at 2.2 angstrom" in text


def test_floor_is_the_one_compiled_into_the_plugin():
    """CMakeLists.txt reads the floor from guards.py with this pattern; the line must stay parseable."""
    line = [ln for ln in Path(guards.__file__).read_text().splitlines()
            if ln.startswith("MIN_PAIR_DISTANCE_A = ")]
    assert line == [f"MIN_PAIR_DISTANCE_A = {MIN_PAIR_DISTANCE_A}"]
    assert "python/ptmlp/guards.py" in CMAKE.read_text()
