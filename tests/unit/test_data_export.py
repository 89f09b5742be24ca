"""``ptmlp data export`` formats read back by ``ptmlp data import``: every label, T_e, group and
ionic temperature through extxyz; mixed species (atoms reordered by type) and several
compositions through deepmd/npy (a folder of systems); T_e frames refused by deepmd/npy."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from ase.build import bulk

from ptmlp.data.exporters import export_frames
from ptmlp.data.frame import Frame
from ptmlp.data.importers import guess_format, import_frames
from ptmlp.errors import InputError


def oxide_frame(k: int, repeat: int = 1, te_K: float = math.nan) -> Frame:
    """Rocksalt MgO with Si on one Mg site: species interleaved, so a type-sorted format reorders atoms."""
    atoms = bulk("MgO", "rocksalt", a=4.2, cubic=True).repeat(repeat)
    atoms.numbers[0] = 14
    atoms.rattle(0.05, seed=k)
    n = len(atoms)
    rng = np.random.default_rng(k)
    w = rng.normal(size=(3, 3))
    return Frame(atoms, energy_eV=-5.0 * n + 0.1 * k, forces_eV_per_A=rng.normal(size=(n, 3)), virial_eV=w + w.T,
                 group=f"geometry{k // 2}", te_K=te_K, temperature_K=300.0 + k, provenance={"k": k})


def assert_same(a: Frame, b: Frame, atol: float) -> None:
    order = np.lexsort(np.round(a.atoms.positions, 6).T)
    back = np.lexsort(np.round(b.atoms.positions, 6).T)  # match atoms by position
    assert np.array_equal(a.atoms.numbers[order], b.atoms.numbers[back])
    assert np.allclose(a.atoms.positions[order], b.atoms.positions[back], atol=atol)
    assert np.allclose(a.forces_eV_per_A[order], b.forces_eV_per_A[back], atol=atol)  # eV/A
    assert np.allclose(a.atoms.cell.array, b.atoms.cell.array, atol=atol)
    assert b.energy_eV == pytest.approx(a.energy_eV, abs=1e-9)  # eV
    assert np.allclose(a.virial_eV, b.virial_eV, atol=1e-9)  # eV


def test_extxyz_keeps_labels_te_group_and_temperature(tmp_path):
    frames = [oxide_frame(k, te_K=1000.0 * (k + 1)) for k in range(4)]
    frames[3].virial_eV = None
    assert export_frames(frames, tmp_path / "x.extxyz", "extxyz") == f"4 frames -> {tmp_path / 'x.extxyz'} (extxyz)"
    back = import_frames(tmp_path / "x.extxyz")
    for a, b in zip(frames[:3], back):
        assert_same(a, b, atol=1e-8)  # extxyz writes 8 decimals
        assert (b.te_K, b.group, b.temperature_K) == (a.te_K, a.group, a.temperature_K)
    assert back[3].virial_eV is None
    assert import_frames(tmp_path / "x.extxyz", group="mine")[0].group == "mine"  # --group still wins


def test_deepmd_npy_systems_folder(tmp_path):
    frames = [oxide_frame(k) for k in range(3)] + [oxide_frame(k, repeat=2) for k in range(3, 5)]
    line = export_frames(frames, tmp_path / "npy", "deepmd/npy")
    assert line == f"5 frames -> {tmp_path / 'npy'} (deepmd/npy, 2 system(s))"
    assert guess_format(tmp_path / "npy") == "deepmd/npy"  # a folder of systems, as dpdata writes it
    back = import_frames(tmp_path / "npy")
    assert len(back) == 5 and sorted(Counter(f.provenance["system"] for f in back).values()) == [2, 3]
    for a in frames:
        b = next(f for f in back if len(f.atoms) == len(a.atoms) and abs(f.energy_eV - a.energy_eV) < 1e-9)
        assert_same(a, b, atol=1e-12)
    with pytest.raises(InputError, match="already exists; deepmd/npy is written into a new folder"):
        export_frames(frames, tmp_path / "npy", "deepmd/npy")


def test_deepmd_npy_refuses_te_and_leaves_nothing(tmp_path):
    frames = [oxide_frame(0), oxide_frame(1, te_K=4000.0)]
    with pytest.raises(InputError, match="^frame 1 has T_e = 4000 K and deepmd/npy has no electronic-temperature "
                                         "field: export as extxyz"):
        export_frames(frames, tmp_path / "npy", "deepmd/npy")
    with pytest.raises(InputError, match="--format 'xyz': expected one of extxyz, deepmd/npy"):
        export_frames(frames, tmp_path / "f.xyz", "xyz")
    assert list(tmp_path.iterdir()) == []
