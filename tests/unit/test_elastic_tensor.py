"""Voigt algebra, symmetry projection and standard-frame constants (pure maths, no potentials).

References: Bond transformation of the stiffness (Auld, Acoustic Fields and Waves in Solids,
1973, ch. 3); forms of C_ij per crystal system (Nye, Physical Properties of Crystals, 1985;
Mouhat & Coudert, PRB 90, 224104 (2014)).
"""

from __future__ import annotations

import numpy as np
import pytest
from ase.build import bulk
from scipy.spatial.transform import Rotation

from ptmlp.elastic.symmetry import (analyse_symmetry, independent_constants, resolve_request, symmetrize,
                                    to_standard_frame)
from ptmlp.elastic.voigt import rotate_voigt, tensor_to_voigt, voigt_to_tensor
from ptmlp.errors import InputError

# Mendelev et al. (2003) Fe: C11, C12, C44 (GPa); any cubic set serves these algebra checks
CUBIC = np.array([[243.3, 145.0, 145.0, 0, 0, 0], [145.0, 243.3, 145.0, 0, 0, 0], [145.0, 145.0, 243.3, 0, 0, 0],
                  [0, 0, 0, 116.0, 0, 0], [0, 0, 0, 0, 116.0, 0], [0, 0, 0, 0, 0, 116.0]])


def hexagonal(c11, c12, c13, c33, c44):
    c = np.zeros((6, 6))
    c[0, 0] = c[1, 1] = c11
    c[2, 2] = c33
    c[0, 1] = c[1, 0] = c12
    c[0, 2] = c[2, 0] = c[1, 2] = c[2, 1] = c13
    c[3, 3] = c[4, 4] = c44
    c[5, 5] = 0.5 * (c11 - c12)
    return c


def test_rotation_matches_full_tensor():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(6, 6))
    c = a @ a.T
    r = Rotation.random(random_state=2).as_matrix()
    full = np.einsum("ia,jb,kc,ld,abcd->ijkl", r, r, r, r, voigt_to_tensor(c))
    np.testing.assert_allclose(rotate_voigt(c, r), tensor_to_voigt(full), atol=1e-10)


def test_rotated_cubic_crystal_recovers_standard_constants():
    """bcc Fe rotated at random: projection and standard frame give back C11, C12, C44 exactly."""
    r = Rotation.random(random_state=3).as_matrix()
    atoms = bulk("Fe", "bcc", a=2.8553, cubic=True)
    atoms.set_cell(atoms.cell.array @ r.T, scale_atoms=True)
    c_lab = rotate_voigt(CUBIC, r)
    info = analyse_symmetry(atoms)
    assert info.crystal_system == "cubic" and info.space_group_number == 229
    noisy = c_lab + np.random.default_rng(4).normal(scale=1e-9, size=(6, 6))
    c_sym, _ = symmetrize(noisy, None, info.rotations_cartesian)
    ind = independent_constants(to_standard_frame(c_sym, info), None, info, "cubic")
    assert ind["C11"][0] == pytest.approx(243.3, abs=1e-6)
    assert ind["C12"][0] == pytest.approx(145.0, abs=1e-6)
    assert ind["C44"][0] == pytest.approx(116.0, abs=1e-6)


def test_hexagonal_projection_enforces_c66():
    """hcp: the projection keeps the 5 hexagonal constants and sets C66 = (C11 - C12)/2."""
    atoms = bulk("Co", "hcp", a=2.507, covera=1.623)
    info = analyse_symmetry(atoms)
    assert info.crystal_system == "hexagonal"
    c = hexagonal(307.0, 165.0, 103.0, 358.0, 75.5)
    broken = c.copy()
    broken[5, 5] += 10.0  # a measured C66 inconsistent with C11, C12
    c_sym, _ = symmetrize(broken, None, info.rotations_cartesian)
    ind = independent_constants(to_standard_frame(c_sym, info), None, info, "hexagonal")
    assert set(ind) == {"C11", "C12", "C13", "C33", "C44"}
    std = to_standard_frame(c_sym, info)
    assert std[5, 5] == pytest.approx(0.5 * (std[0, 0] - std[0, 1]), abs=1e-9)
    assert ind["C33"][0] == pytest.approx(358.0, abs=1e-9) and ind["C44"][0] == pytest.approx(75.5, abs=1e-9)


def test_symmetrize_propagates_errors():
    """Cubic C11 is the mean of C11, C22, C33: its error is sigma/sqrt(3) for equal independent errors."""
    info = analyse_symmetry(bulk("Fe", "bcc", a=2.8553, cubic=True))
    err = np.full((6, 6), 0.3)
    _, e = symmetrize(CUBIC, err, info.rotations_cartesian)
    assert e[0, 0] == pytest.approx(0.3 / np.sqrt(3), rel=1e-9)
    # C12 averages six measured elements (C12, C13, C23 and their transposes)
    assert e[0, 1] == pytest.approx(0.3 / np.sqrt(6), rel=1e-9)


def test_symmetry_requests():
    info = analyse_symmetry(bulk("Co", "hcp", a=2.507, covera=1.623))
    assert resolve_request(info, "auto") == "hexagonal"
    assert resolve_request(info, "none") == "none"
    with pytest.raises(InputError, match="symmetry 'cubic' was requested but the structure is hexagonal"):
        resolve_request(info, "cubic")
    with pytest.raises(InputError, match="unknown symmetry 'cubicc'"):
        resolve_request(info, "cubicc")
