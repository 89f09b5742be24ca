"""ELF datasets (HDF5, atomic appends) and cube / ELFCAR files."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest
from ase import Atoms

from ptmlp.elf.grid import ElfGrid, grid_points_A, grid_shape_for_spacing
from ptmlp.elf.io import read_cube_elf, read_elf_file, read_elfcar, write_cube_elf, write_elfcar
from ptmlp.elf.store import ElfDataset, ElfDatasetError
from ptmlp.errors import InputError

CELL = np.array([[3.1, 0.0, 0.0], [-0.8, 2.9, 0.0], [0.4, 0.3, 3.3]])


def make_grid(seed=0, shape=(6, 5, 7), group="g"):
    rng = np.random.default_rng(seed)
    atoms = Atoms("H3", positions=rng.random((3, 3)) @ CELL, cell=CELL, pbc=True)
    return ElfGrid(atoms, rng.random(shape).astype(np.float32), group, 1200.0, 101.5, {"seed": seed})


def test_dataset_roundtrip(tmp_path):
    ds = ElfDataset.create(tmp_path / "d.h5")
    assert ds.append([make_grid(0), make_grid(1, (4, 4, 4), "other")]) == 2
    ds.append([make_grid(2)])
    back = ElfDataset(tmp_path / "d.h5").read()
    assert [g.group for g in back] == ["g", "other", "g"]
    for k, g in enumerate(back):
        ref = make_grid(k, g.shape, g.group)
        np.testing.assert_array_equal(g.elf, ref.elf)
        np.testing.assert_allclose(g.atoms.positions, ref.atoms.positions)
        np.testing.assert_allclose(g.atoms.cell.array, CELL)
        assert g.temperature_K == 1200.0 and g.pressure_GPa == 101.5 and g.provenance == {"seed": k}
    assert ElfDataset(tmp_path / "d.h5").index()["group"] == ["g", "other", "g"]


def test_float16_storage(tmp_path):
    ds = ElfDataset.create(tmp_path / "h.h5", elf_dtype="float16")
    g = make_grid(0)
    ds.append([g])
    assert np.abs(ds.read()[0].elf - g.elf).max() < 1e-3  # ELF in [0, 1]: half precision step <= 2^-11


def test_uncommitted_tail_is_invisible(tmp_path):
    """Data written past the committed sizes without a commit row (a writer killed mid-append) is ignored."""
    path = tmp_path / "d.h5"
    ElfDataset.create(path).append([make_grid(0)])
    with h5py.File(path, "a") as f:
        f["elf"].resize(f["elf"].shape[0] + 100, axis=0)
        f["n_atoms"].resize(2, axis=0)
        f["n_atoms"][1] = 99
    ds = ElfDataset(path)
    assert len(ds) == 1
    np.testing.assert_array_equal(ds.read()[0].elf, make_grid(0).elf)


def test_dataset_errors(tmp_path):
    with pytest.raises(ElfDatasetError, match="no such file"):
        ElfDataset(tmp_path / "missing.h5")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f.attrs["format"] = "ptmlp-dataset"
    with pytest.raises(ElfDatasetError, match="not a ptmlp ELF dataset"):
        ElfDataset(tmp_path / "other.h5")
    ElfDataset.create(tmp_path / "d.h5")
    with pytest.raises(InputError, match="already exists"):
        ElfDataset.create(tmp_path / "d.h5")
    with pytest.raises(InputError, match="out of range"):
        ElfDataset(tmp_path / "d.h5").read([3])


def test_cube_roundtrip_and_origin(tmp_path):
    g = make_grid(0)
    write_cube_elf(tmp_path / "a.cube", g)
    back = read_elf_file(tmp_path / "a.cube")
    np.testing.assert_allclose(back.elf, g.elf, atol=1e-5)
    np.testing.assert_allclose(back.atoms.positions, g.atoms.positions, atol=1e-5)  # A (bohr on disk)
    np.testing.assert_allclose(back.atoms.cell.array, CELL, atol=1e-5)
    # a file whose grid starts at origin o: atoms are shifted by -o so that elf[0,0,0] sits at r = 0
    text = (tmp_path / "a.cube").read_text().splitlines()
    parts = text[2].split()
    text[2] = f"{parts[0]} 1.0 2.0 3.0"
    (tmp_path / "b.cube").write_text("\n".join(text) + "\n")
    shifted = read_cube_elf(tmp_path / "b.cube")
    bohr = 0.52917721067
    np.testing.assert_allclose(shifted.atoms.positions, g.atoms.positions - np.array([1.0, 2.0, 3.0]) * bohr,
                               atol=1e-5)


def test_elfcar_roundtrip(tmp_path):
    g = make_grid(3, (5, 6, 7))
    write_elfcar(tmp_path / "ELFCAR", g)
    back = read_elfcar(tmp_path / "ELFCAR")
    assert back.shape == (5, 6, 7)
    np.testing.assert_allclose(back.elf, g.elf, atol=1e-9)  # values are the ELF, not ELF x volume
    np.testing.assert_allclose(back.atoms.positions, g.atoms.positions, atol=1e-8)
    # x runs fastest in the file: the second value is elf[1, 0, 0]
    values = (tmp_path / "ELFCAR").read_text().split("\n 5 6 7\n")[1].split()
    assert float(values[1]) == pytest.approx(float(g.elf[1, 0, 0]), abs=1e-9)


def test_elfcar_errors(tmp_path):
    g = make_grid(0, (2, 2, 2))
    write_elfcar(tmp_path / "ELFCAR", g)
    text = (tmp_path / "ELFCAR").read_text()
    (tmp_path / "ELFCAR_short").write_text(text.rsplit("\n", 2)[0] + "\n")
    with pytest.raises(InputError, match="expected 8 values"):
        read_elfcar(tmp_path / "ELFCAR_short")
    with pytest.raises(InputError, match="no such file"):
        read_elfcar(tmp_path / "nothing")


def test_grid_helpers():
    shape = grid_shape_for_spacing(CELL, 0.1)
    assert all(n % 2 == 0 for n in shape)
    assert all(np.linalg.norm(CELL[i]) / shape[i] <= 0.1 for i in range(3))
    pts = grid_points_A(CELL, (2, 3, 4))
    np.testing.assert_allclose(pts[1], CELL[2] / 4)  # C order: k fastest
    np.testing.assert_allclose(pts[4], CELL[1] / 3)
    with pytest.raises(InputError):
        ElfGrid(Atoms("H", cell=CELL, pbc=True), np.zeros((2, 2)))
