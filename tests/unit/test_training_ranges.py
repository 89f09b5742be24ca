"""Training ranges recorded in model metadata: exact values on perfect crystals."""

from __future__ import annotations

import math

import pytest
from ase import Atoms
from ase.build import bulk
from ase.calculators.singlepoint import SinglePointCalculator

from ptmlp.data.frame import Frame
from ptmlp.graph import atoms_to_graph
from ptmlp.training.ranges import training_ranges
from ptmlp.units import EV_PER_A3_TO_GPA


def frame(atoms: Atoms, stress=None) -> Frame:
    atoms.calc = SinglePointCalculator(atoms, energy=0.0, forces=[[0.0, 0.0, 0.0]] * len(atoms),
                                       **({} if stress is None else {"stress": stress}))
    return Frame.from_atoms(atoms)


def test_bcc_shells_and_pressure():
    a = 2.87  # A
    frames = [frame(bulk("Fe", "bcc", a=a, cubic=True).repeat(2), stress=[-1e-3] * 3 + [0.0] * 3),
              frame(bulk("Fe", "bcc", a=a, cubic=True).repeat(2), stress=[-2e-3] * 3 + [0.0] * 3)]
    # r_cut between the first (a sqrt(3)/2 = 2.485 A, 8 atoms) and second (a, 6 atoms) shells
    ranges = training_ranges(frames, [atoms_to_graph(f.atoms, ["Fe"], 2.7) for f in frames])
    assert ranges["min_pair_distance_A"] == pytest.approx(a * math.sqrt(3) / 2, abs=1e-12)
    assert ranges["neighbours_per_atom_range"] == [8, 8]
    assert ranges["pressure_range_GPa"] == pytest.approx([1e-3 * EV_PER_A3_TO_GPA, 2e-3 * EV_PER_A3_TO_GPA])
    wider = training_ranges(frames, [atoms_to_graph(f.atoms, ["Fe"], 3.0) for f in frames])
    assert wider["neighbours_per_atom_range"] == [14, 14]


def test_no_virial_and_isolated_atom():
    lone = Atoms("Fe", positions=[[0.0, 0.0, 0.0]], cell=[10.0, 10.0, 10.0], pbc=True)
    dimer = Atoms("Fe2", positions=[[0.0, 0.0, 0.0], [2.2, 0.0, 0.0]], cell=[10.0, 10.0, 10.0], pbc=True)
    frames = [frame(lone), frame(dimer)]
    ranges = training_ranges(frames, [atoms_to_graph(f.atoms, ["Fe"], 3.0) for f in frames])
    assert ranges == {"pressure_range_GPa": None, "min_pair_distance_A": pytest.approx(2.2),
                      "neighbours_per_atom_range": [0, 1]}
    only_lone = training_ranges(frames[:1], [atoms_to_graph(lone, ["Fe"], 3.0)])
    assert only_lone["min_pair_distance_A"] is None and only_lone["neighbours_per_atom_range"] == [0, 0]
