"""ELF grid descriptor: periodic neighbour search vs brute force, invariances, smoothness, batching."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from scipy.spatial.transform import Rotation

from ptmlp.elf.basis import CosineCutoff, GaussianBasis
from ptmlp.elf.descriptor import ElfDescriptor
from ptmlp.elf.features import point_features
from ptmlp.elf.neighbours import PeriodicNeighbours
from ptmlp.errors import InputError

TRICLINIC = np.array([[3.0, 0.0, 0.0], [1.2, 2.8, 0.0], [0.5, 0.7, 2.6]])  # thinner than 2 r_cut


@pytest.fixture(scope="module")
def snapshot():
    rng = np.random.default_rng(0)
    pos = rng.random((5, 3)) @ TRICLINIC
    pts = rng.random((200, 3)) @ TRICLINIC * 1.5 - 1.0  # points partly outside the cell
    return pos, pts


def brute_force_distances(pos, cell, point, r_cut):
    out = []
    for s in itertools.product(range(-4, 5), repeat=3):
        r = np.linalg.norm(pos + np.array(s) @ cell - point, axis=1)
        out += list(r[r < r_cut])
    return sorted(out)


@pytest.mark.parametrize("bin_width_A,batch_points", [(0.7, 37), (1.0, 65536), (5.0, 1)])
def test_neighbours_match_brute_force(snapshot, bin_width_A, batch_points):
    pos, pts = snapshot
    nb = PeriodicNeighbours(pos, TRICLINIC, 3.0, bin_width_A)
    got = [None] * len(pts)
    for sel, vec, centre in nb.batches(pts, batch_points):
        assert (torch.diff(centre) >= 0).all()  # grouped by point, as PowerSpectrum expects
        r = torch.linalg.norm(vec, dim=1).numpy()
        for k, i in enumerate(sel):
            got[i] = sorted(r[centre.numpy() == k])
    assert all(g is not None for g in got)
    for i in range(0, len(pts), 7):
        ref = brute_force_distances(pos, TRICLINIC, pts[i], 3.0)
        assert len(ref) == len(got[i])
        np.testing.assert_allclose(got[i], ref, atol=1e-10)  # A


def features(pos, cell, pts, **kw):
    return point_features(ElfDescriptor(), pos, cell, pts, dtype=torch.float64, out_dtype=np.float64, **kw)


def test_feature_count_matches_paper_defaults():
    d = ElfDescriptor()  # r_cut 3 A, 10 Gaussians, l_max 2
    assert d.n_features == 3 * 10 * 11 // 2


def test_invariances(snapshot):
    pos, pts = snapshot
    f = features(pos, TRICLINIC, pts)
    assert np.abs(f).max() > 0.1
    rot = Rotation.random(random_state=1).as_matrix()
    np.testing.assert_allclose(features(pos @ rot.T, TRICLINIC @ rot.T, pts @ rot.T), f, atol=1e-10)
    shift = np.array([0.3, -1.7, 2.2])
    np.testing.assert_allclose(features(pos + shift, TRICLINIC, pts + shift), f, atol=1e-10)
    supercell = np.vstack([pos + np.array(s) @ TRICLINIC for s in itertools.product(range(2), repeat=3)])
    np.testing.assert_allclose(features(supercell, 2 * TRICLINIC, pts), f, atol=1e-10)
    recell = TRICLINIC.copy()
    recell[0] += TRICLINIC[1]  # same lattice, other basis
    np.testing.assert_allclose(features(pos, recell, pts), f, atol=1e-10)
    perm = np.random.default_rng(2).permutation(len(pos))
    np.testing.assert_allclose(features(pos[perm], TRICLINIC, pts), f, atol=1e-10)


def test_batching_and_float32_float16(snapshot):
    pos, pts = snapshot
    f = features(pos, TRICLINIC, pts)
    np.testing.assert_allclose(features(pos, TRICLINIC, pts, batch_points=3), f, atol=1e-12)
    f32 = point_features(ElfDescriptor(), pos, TRICLINIC, pts)
    assert np.abs(f32 - f).max() < 1e-5 * np.abs(f).max()
    f16 = point_features(ElfDescriptor(), pos, TRICLINIC, pts, out_dtype=np.float16)
    assert f16.dtype == np.float16
    assert np.abs(f16 - f).max() < 2e-3 * np.abs(f).max()  # half precision: 11-bit mantissa


def test_continuous_when_atom_crosses_cutoff():
    cell = np.eye(3) * 10.0
    point = np.array([[5.0, 5.0, 5.0]])
    base = np.array([[5.0, 5.9, 5.0]])
    for r in (3.0 - 1e-6, 3.0 + 1e-6):
        far = np.vstack([base, [[5.0 + r, 5.0, 5.0]]])
        f = features(far, cell, point)
        f_ref = features(base, cell, point)
        np.testing.assert_allclose(f, f_ref, atol=1e-9)


def test_atom_on_grid_point_is_isotropic_limit():
    cell = np.eye(3) * 8.0
    point = np.array([[4.0, 4.0, 4.0]])
    others = np.array([[4.0, 5.1, 4.2], [2.9, 4.0, 4.5]])
    on = features(np.vstack([point, others]), cell, point)
    assert np.isfinite(on).all()
    # the on-point atom adds only to l = 0: average of the l > 0 features over tiny offsets in all directions
    dirs = np.vstack([np.eye(3), -np.eye(3)]) * 2e-6  # just above the 1e-6 A on-point threshold
    near = np.mean([features(np.vstack([point + d, others]), cell, point) for d in dirs], axis=0)
    np.testing.assert_allclose(on[:, :55], near[:, :55], atol=1e-6)


def test_basis_functions():
    r = torch.tensor([0.0, 1.5, 3.0, 3.5], dtype=torch.float64)
    w = CosineCutoff(3.0)(r)
    np.testing.assert_allclose(w.numpy(), [1.0, 0.5, 0.0, 0.0], atol=1e-15)
    g = GaussianBasis(3.0, 10)(r)
    assert g.shape == (4, 10)
    np.testing.assert_allclose(g[0, 0].item(), 1.0)  # first centre at r = 0
    np.testing.assert_allclose(g[2, 9].item(), 1.0)  # last centre at r_cut
    np.testing.assert_allclose(g[0, 1].item(), np.exp(-0.5), rtol=1e-12)  # width = centre spacing


def test_bad_cell_is_refused():
    with pytest.raises(InputError, match="non-coplanar"):
        PeriodicNeighbours(np.zeros((1, 3)), np.diag([3.0, 3.0, 0.0]), 3.0)
