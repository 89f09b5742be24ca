"""Networking value phi: periodic percolation on synthetic grids, T_c formula."""

from __future__ import annotations

import numpy as np
import pytest

from ptmlp.elf.networking import networking_value, tc_estimate_K, winding_rank


def test_winding_rank_of_lines_planes_and_blobs():
    n = 12
    m = np.zeros((n, n, n), bool)
    m[3, 3, :] = True
    assert winding_rank(m) == 1
    m[3, :, 3] = True
    assert winding_rank(m) == 2
    m[:, 3, 3] = True
    assert winding_rank(m) == 3
    blob = np.zeros((n, n, n), bool)
    blob[2:8, 2:8, 2:8] = True
    assert winding_rank(blob) == 0
    diagonal = np.zeros((n, n, n), bool)  # a staircase that closes only along a1 + a2
    for i in range(n):
        diagonal[i, i, 5] = diagonal[i, (i + 1) % n, 5] = True
    assert winding_rank(diagonal) == 1
    assert winding_rank(np.ones((n, n, n), bool)) == 3
    assert winding_rank(np.zeros((n, n, n), bool)) == 0


def test_two_interpenetrating_networks_each_three_dimensional():
    n = 10
    m = np.zeros((n, n, n), bool)
    m[2, 2, :] = m[2, :, 2] = m[:, 2, 2] = True
    m[7, 7, :] = m[7, :, 7] = m[:, 7, 7] = True
    assert winding_rank(m) == 3


def test_phi_of_analytic_field():
    # f = (cos x + cos y + cos z + 3) / 6: maxima 1 at the origin, saddles of value 2/3 on the
    # bonds of the simple-cubic network -> phi = 2/3 exactly (grid contains the saddle points).
    n = 24
    g = np.arange(n) * 2 * np.pi / n
    x, y, z = np.meshgrid(g, g, g, indexing="ij")
    f = (np.cos(x) + np.cos(y) + np.cos(z) + 3) / 6
    phi, err = networking_value(f, tol=1e-4)
    assert phi == pytest.approx(2 / 3, abs=2e-4)
    assert err < 0.05
    # strong bonds along z only: chains percolate (1-D) up to the z saddle 4/4.4, the 3-D network
    # needs the weaker x/y saddles 2.4/4.4
    f2 = (np.cos(x) + np.cos(y) + 0.2 * np.cos(z) + 2.2) / 4.4
    phi3, _ = networking_value(f2, tol=1e-4)
    phi1, _ = networking_value(f2, tol=1e-4, dimensions=1)
    assert phi3 == pytest.approx(2.4 / 4.4, abs=2e-4)
    assert phi1 == pytest.approx(4.0 / 4.4, abs=2e-4)


def test_tc_estimate():
    assert tc_estimate_K(0.5) == (750 * 0.5 - 85, 0.0)
    tc, err = tc_estimate_K(0.4, 0.01)
    assert tc == pytest.approx(215.0)
    assert err == pytest.approx(7.5)
    assert tc_estimate_K(0.1)[0] == 0.0  # below 85/750: no superconductivity predicted
