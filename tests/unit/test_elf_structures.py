"""Structure builders for ELF data."""

from __future__ import annotations

import numpy as np
import pytest
from ase.geometry import get_distances

from ptmlp.elf.structures import (h2_molecular_crystal, random_crystal, random_molecular_hydrogen,
                                  simple_cubic_hydrogen)
from ptmlp.errors import InputError


def nearest(atoms):
    _, d = get_distances(atoms.positions, cell=atoms.cell, pbc=True)
    np.fill_diagonal(d, np.inf)
    return d.min(axis=1)


def test_random_molecular_hydrogen():
    atoms = random_molecular_hydrogen(32, 2.0, np.random.default_rng(0))
    assert len(atoms) == 32 and atoms.get_volume() == pytest.approx(64.0)
    np.testing.assert_allclose(nearest(atoms), 0.74, atol=1e-9)  # every atom's nearest is its partner
    with pytest.raises(InputError, match="even"):
        random_molecular_hydrogen(5, 2.0, np.random.default_rng(0))


@pytest.mark.parametrize("lattice", ["cubic", "hexagonal"])
def test_random_crystal(lattice):
    atoms = random_crystal(np.random.default_rng(1), lattice, 8, 2.2, min_distance_A=0.7)
    assert len(atoms) == 8 and atoms.get_volume() == pytest.approx(8 * 2.2)
    assert nearest(atoms).min() >= 0.7 - 1e-9
    angles = atoms.cell.angles()
    assert angles[2] == pytest.approx(90.0 if lattice == "cubic" else 120.0)


def test_hand_built():
    h2 = h2_molecular_crystal(3.0)
    assert nearest(h2).max() == pytest.approx(0.74)
    sc = simple_cubic_hydrogen(1.3)
    assert len(sc) == 1 and sc.get_volume() == pytest.approx(1.3 ** 3)
