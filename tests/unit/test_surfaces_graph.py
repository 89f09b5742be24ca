"""Crystal graphs: neighbour counts and distances, ties, periodic images in the plane, none across the
vacuum; reading the data's P1 CIFs without ASE's symmetry expansion gives the same atoms."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms
from ase.build import bcc100, fcc100
from ase.io import write

from ptmlp.errors import InputError
from ptmlp.surfaces.graph import build_graph
from ptmlp.surfaces.structures import read_structure

A_AL = 4.05


def test_fcc_interior_has_twelve_nearest_neighbours():
    slab = fcc100("Al", size=(2, 2, 7), a=A_AL, vacuum=7.5, periodic=True)
    g = build_graph(slab)
    counts = np.bincount(g.centre, minlength=len(slab))
    assert counts.min() >= 12
    middle = np.nonzero(np.isclose(g.depth_A, 3 * A_AL / 2))[0]
    for i in middle:
        d = g.distance_A[g.centre == i]
        assert len(d) == 12 and np.allclose(d, A_AL / np.sqrt(2))


def test_bcc_tie_keeps_the_whole_second_shell():
    a = 2.87
    slab = bcc100("Fe", size=(2, 2, 9), a=a, vacuum=7.5, periodic=True)
    g = build_graph(slab)
    deep = int(np.argmax(g.depth_A))
    d = np.sort(g.distance_A[g.centre == deep])
    # 8 at a sqrt(3)/2 and all 6 at a (the 12th neighbour ties with the 13th and 14th)
    assert len(d) == 14 and np.allclose(d[:8], a * np.sqrt(3) / 2) and np.allclose(d[8:], a)


def test_periodic_images_in_plane_and_none_across_the_vacuum():
    a = 2.86
    layer = Atoms("Cu", positions=[[0, 0, 5]], cell=[a, a, 5.5], pbc=True)  # one atom; vacuum 5.5 A
    g = build_graph(layer)
    assert set(g.neighbour.tolist()) == {0}  # every neighbour is an image of the atom itself
    # square lattice shells: 4 at a, 4 at a sqrt(2), 4 at 2a; the image across the vacuum (5.5 A < 2a)
    # would be the 9th nearest if the normal were periodic
    assert np.allclose(np.sort(g.distance_A), np.repeat([a, a * np.sqrt(2), 2 * a], 4), atol=1e-5)


def test_graph_is_the_same_for_permuted_atoms():
    slab = fcc100("Al", size=(3, 2, 5), a=A_AL, vacuum=7.0, periodic=True)
    slab.positions += np.random.default_rng(0).normal(scale=0.05, size=slab.positions.shape)
    perm = np.random.default_rng(1).permutation(len(slab))
    g, gp = build_graph(slab), build_graph(slab[perm])
    inv = np.argsort(perm)
    edges = sorted(zip(g.centre.tolist(), g.neighbour.tolist(), np.round(g.distance_A, 4).tolist()))
    moved = sorted(zip(perm[gp.centre].tolist(), perm[gp.neighbour].tolist(), np.round(gp.distance_A, 4).tolist()))
    assert edges == moved and np.allclose(gp.depth_A, g.depth_A[perm]) and len(inv) == len(perm)


def test_overlapping_atoms_are_refused():
    slab = fcc100("Al", size=(2, 2, 3), a=A_AL, vacuum=7.0, periodic=True)
    slab += Atoms("Al", positions=[slab.positions[0] + [0.01, 0, 0]])
    with pytest.raises(InputError, match="overlap"):
        build_graph(slab, name="bad.cif")


def test_p1_cif_reader_matches_ase(tmp_path):
    from ase.io import read

    slab = fcc100("Al", size=(2, 2, 4), a=A_AL, vacuum=7.0, periodic=True)
    slab.positions += np.random.default_rng(2).normal(scale=0.05, size=slab.positions.shape)
    path = tmp_path / "slab.cif"
    write(path, slab)
    fast, ref = read_structure(path), read(path)
    assert (fast.numbers == ref.numbers).all() and np.allclose(fast.positions, ref.positions, atol=1e-6)
    assert fast.pbc.all()


def test_unreadable_and_unknown_element_files(tmp_path):
    (tmp_path / "junk.cif").write_text("not a cif\n")
    with pytest.raises(InputError, match="junk.cif"):
        read_structure(tmp_path / "junk.cif")
    with pytest.raises(InputError, match="no such structure file"):
        read_structure(tmp_path / "missing.cif")
    with pytest.raises(InputError, match="unknown element"):
        read_structure(Atoms("X", positions=[[0, 0, 0]], cell=[3, 3, 20]))
