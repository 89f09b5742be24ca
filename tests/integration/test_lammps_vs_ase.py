"""The same model through `lmp` (1 and 2 MPI ranks) and through the ASE calculator (issue #3).

Tolerances: total energy 1e-8 eV/atom, forces 1e-6 eV/angstrom, pressure tensor 1e-3 bar.
"""

from __future__ import annotations

import numpy as np
import pytest
from ase.neighborlist import neighbor_list

from conftest import R_CUT_A, TYPE_NAMES, oxide_slab
from lammps_compare import ase_results, assert_agree, lammps_results


@pytest.fixture(scope="module")
def structure():
    atoms = oxide_slab(seed=3)
    assert len(atoms) >= 200
    assert sorted(set(atoms.get_chemical_symbols())) == sorted(TYPE_NAMES)
    i = neighbor_list("i", atoms, R_CUT_A)
    counts = np.bincount(i, minlength=len(atoms))
    assert (counts == 0).sum() == 3, "the three vacuum atoms must have no neighbour within r_cut"
    return atoms


@pytest.fixture(scope="module")
def reference(structure, model_file):
    return ase_results(structure, model_file)


def test_structure_has_realistic_scales(reference):
    assert np.abs(reference["forces"]).max() > 0.5  # eV/A: the comparison is not of near-zero numbers


def test_one_rank_matches_ase(tmp_path, structure, model_file, reference, plugin_built):
    lmp = lammps_results(tmp_path, structure, f"ptmlp {model_file}", nprocs=1)
    assert "Loaded 1 plugins" in lmp["log"]  # found through the lammps.plugins entry point
    assert_agree(lmp, reference, len(structure))


def test_two_ranks_match_ase(tmp_path, structure, model_file, reference, plugin_built):
    lmp = lammps_results(tmp_path, structure, f"ptmlp {model_file}", nprocs=2)
    assert "1 by 1 by 2 MPI processor grid" in lmp["log"] or "2 MPI" in lmp["log"]
    assert_agree(lmp, reference, len(structure))


def test_rank_with_zero_atoms(tmp_path, model_file, plugin_built):
    """Slab in the lower third of a tall cell, split 1x1x2: the upper rank owns no atom."""
    atoms = oxide_slab(seed=5, vacuum_A=30.0, isolated=False)
    ref = ase_results(atoms, model_file)
    lmp = lammps_results(tmp_path, atoms, f"ptmlp {model_file}", nprocs=2, processors="processors 1 1 2")
    assert "1 by 1 by 2 MPI processor grid" in lmp["log"]
    assert_agree(lmp, ref, len(atoms))
