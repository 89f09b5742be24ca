"""Slab normal, vacuum and surface-atom flags from the geometry, on hand-built slabs with known answers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ase.build import bulk, fcc100, fcc111

from ptmlp.errors import InputError
from ptmlp.surfaces.geometry import slab_geometry
from ptmlp.surfaces.model import surface_flags

A_AL = 4.05  # fcc Al lattice constant (A); (100) layers are A_AL / 2 = 2.025 A apart


def al100(layers=5, vacuum=7.5):
    return fcc100("Al", size=(2, 2, layers), a=A_AL, vacuum=vacuum, periodic=True)


def flags(atoms, threshold):
    return surface_flags(torch.tensor(slab_geometry(atoms).depth_A), threshold).numpy()


def test_al100_layers_and_flags():
    slab = al100()
    geom = slab_geometry(slab)
    assert geom.axis == 2 and np.allclose(geom.normal, [0, 0, 1])
    assert geom.thickness_A == pytest.approx(4 * A_AL / 2)
    assert geom.vacuum_A == pytest.approx(15.0 - 0.0, abs=1e-6)
    layer = np.round(slab.positions[:, 2] - slab.positions[:, 2].min(), 3) / (A_AL / 2)
    # 2.0 A: only the two outermost layers (the second layers are 2.025 A deep)
    assert flags(slab, 2.0).tolist() == [1.0 if l in (0, 4) else 0.0 for l in np.round(layer)]
    # 2.1 A: two layers on each side; 0 A: the outermost atoms only; 4.1 A: everything
    assert flags(slab, 2.1).sum() == 16 and flags(slab, 0.0).sum() == 8 and flags(slab, 4.1).sum() == 20


def test_tilted_cell_and_other_axes():
    slab = al100()
    ref = slab_geometry(slab).depth_A
    tilted = slab.copy()
    cell = tilted.cell.array.copy()
    cell[2] += [1.3, -0.7, 0.0]  # c no longer perpendicular to the surface (as in the data's CIFs)
    tilted.set_cell(cell, scale_atoms=False)
    assert np.allclose(slab_geometry(tilted).depth_A, ref)
    # vacuum along a: permute the axes
    rolled = slab.copy()
    rolled.set_cell(slab.cell.array[[2, 0, 1]][:, [2, 0, 1]], scale_atoms=False)
    rolled.positions = slab.positions[:, [2, 0, 1]]
    geom = slab_geometry(rolled)
    assert geom.axis == 0 and np.allclose(geom.depth_A, ref)


def test_slab_across_the_periodic_boundary():
    slab = al100()
    ref = slab_geometry(slab).depth_A
    moved = slab.copy()
    moved.positions[:, 2] += 0.5 * moved.cell[2, 2]  # the slab now straddles z = c
    moved.wrap()
    assert np.allclose(slab_geometry(moved).depth_A, ref, atol=1e-9)


def test_fcc111_three_layer_depths():
    slab = fcc111("Cu", size=(1, 1, 3), a=3.6, vacuum=8.0, periodic=True)
    d = 3.6 / np.sqrt(3)  # (111) interlayer spacing
    assert sorted(slab_geometry(slab).depth_A.round(6)) == pytest.approx(sorted([0.0, d, 0.0]), abs=1e-6)


def test_bulk_cluster_and_flat_cell_are_refused():
    with pytest.raises(InputError, match=r"no vacuum gap of at least 5 A .*a bulk crystal, not a slab"):
        slab_geometry(bulk("Cu", "fcc", a=3.6, cubic=True).repeat(2), name="Cu.cif")
    cluster = bulk("Cu", "fcc", a=3.6, cubic=True)
    cluster.center(vacuum=6.0)
    with pytest.raises(InputError, match=r"vacuum gaps along 3 lattice directions .*not a slab"):
        slab_geometry(cluster)
    flat = al100()
    flat.set_cell([[4, 0, 0], [0, 4, 0], [0, 0, 0]])
    with pytest.raises(InputError, match="no 3-D cell"):
        slab_geometry(flat)
