"""`ptmlp data import|info|split`, `ptmlp label --mpi` under mpirun, `ptmlp export --float32`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.io import write

from ptmlp.data.store import Dataset
from ptmlp.lammps_env import lammps_environment, venv_bin

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "gpaw_al2"


def ptmlp(*args, cwd, mpi_np=0, check=True):
    cmd = [venv_bin("ptmlp"), *args]
    if mpi_np:
        cmd = [venv_bin("mpirun"), "-np", str(mpi_np)] + cmd
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=lammps_environment())
    if check:
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc


def test_import_info_split(tmp_path):
    out = ptmlp("data", "import", str(FIXTURES / "al2.extxyz"), "-o", "d.h5", cwd=tmp_path).stdout
    assert "3 frames read, 3 new" in out
    # the same structures at the same T_e are duplicates (deepmd files carry no T_e: give it)
    out = ptmlp("data", "import", str(FIXTURES / "deepmd_npy"), "--te-K", "5000", "-o", "d.h5", cwd=tmp_path).stdout
    assert "3 frames read, 0 new" in out
    info = json.loads(ptmlp("data", "info", "d.h5", "--json", cwd=tmp_path).stdout)
    assert info["n_frames"] == 3 and info["species_atom_counts"] == {"Al": 6} and info["te_K_values"] == [5000.0]
    ptmlp("data", "split", "d.h5", "-o", "s.json", "--no-groups", "--fractions", "0.34", "0.33", "0.33",
          cwd=tmp_path)
    split = json.loads((tmp_path / "s.json").read_text())
    assert sorted(split["train"] + split["validation"] + split["test"]) == [0, 1, 2]
    bad = ptmlp("data", "import", "nothing.xyz", "-o", "d.h5", cwd=tmp_path, check=False)
    assert bad.returncode == 2 and bad.stderr.strip() == "ptmlp data: error: nothing.xyz: no such file or folder"


def test_failed_import_leaves_nothing(tmp_path):
    """A source that cannot be read (missing, or not labelled) writes nothing: no dataset, no
    lock or temporary file; an existing dataset keeps its bytes."""
    write(tmp_path / "unlabelled.extxyz", bulk("Al", "fcc", a=4.05, cubic=True))
    cases = [(["nothing.xyz"], "nothing.xyz: no such file or folder"),
             ([str(FIXTURES / "al2.extxyz"), "unlabelled.extxyz"],
              "unlabelled.extxyz: frame 0 has no energy/forces labels (not a labelled file)")]
    for sources, message in cases:
        bad = ptmlp("data", "import", *sources, "-o", "new.h5", cwd=tmp_path, check=False)
        assert bad.returncode == 2 and bad.stderr.strip() == f"ptmlp data: error: {message}"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["unlabelled.extxyz"]
    ptmlp("data", "import", str(FIXTURES / "al2.extxyz"), "-o", "d.h5", cwd=tmp_path)
    before = (tmp_path / "d.h5").read_bytes()
    for sources, message in cases:
        bad = ptmlp("data", "import", *sources, "-o", "d.h5", cwd=tmp_path, check=False)
        assert bad.returncode == 2 and bad.stderr.strip() == f"ptmlp data: error: {message}"
        assert (tmp_path / "d.h5").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.h5", "unlabelled.extxyz"]


def test_import_several_sources_counts_each(tmp_path):
    out = ptmlp("data", "import", str(FIXTURES / "al2.extxyz"), str(FIXTURES / "al2.traj"), "-o", "d.h5",
                cwd=tmp_path).stdout.splitlines()
    assert out[0].endswith("al2.extxyz: 3 frames read, 3 new") and out[1].endswith("al2.traj: 3 frames read, 0 new")
    assert out[2] == "d.h5: 3 frames (3 added)"


def test_label_with_mpi_ranks(tmp_path):
    cells = []
    for k in range(12):
        a = bulk("Fe", "bcc", a=2.75, cubic=True).repeat(2)
        a.rattle(0.05, seed=k)
        cells.append(a)
    write(tmp_path / "fe.extxyz", cells)
    proc = ptmlp("label", "fe.extxyz", "-o", "fe.h5", "--labeler", "lammps", "--pair-style", "eam/fs",
                 "--pair-coeff", "* * {potentials}/Fe_mm.eam.fs Fe", "--mpi", cwd=tmp_path, mpi_np=3)
    assert "labelled 12" in proc.stdout
    frames = Dataset(tmp_path / "fe.h5").read()
    assert len(frames) == 12 and frames[0].provenance["pair_style"] == "eam/fs"
    assert np.abs(frames[3].forces_eV_per_A).max() > 0.1  # eV/A: real labels


def test_export_float32_from_checkpoint(tmp_path):
    ptmlp("data", "import", str(FIXTURES / "al2.extxyz"), "-o", "d.h5", cwd=tmp_path)
    (tmp_path / "t.yaml").write_text(
        "dataset: d.h5\noutput_dir: run\nsplit_by_group: false\nsplit_fractions: [0.34, 0.33, 0.33]\n"
        "model: {r_cut: 4.0, n_radial: 4, n_channels: 4, l_max: 2, hidden_widths: [8]}\n"
        "training: {epochs: 2, batch_frames: 1}\n")
    ptmlp("train", "t.yaml", cwd=tmp_path)
    out = ptmlp("export", "run/member_0/checkpoint.pt", "-o", "m32.pt", "--float32", cwd=tmp_path).stdout
    assert "float32" in out
    info = ptmlp("info", "m32.pt", cwd=tmp_path).stdout
    assert "dtype           float32" in info
    assert "not recorded" not in info and "per atom within r_cut" in info  # training ranges of the split


def test_label_with_ase_calculator(tmp_path):
    cells = [bulk("Al", "fcc", a=4.05, cubic=True) for _ in range(3)]
    for k, a in enumerate(cells):
        a.rattle(0.05, seed=k)
    write(tmp_path / "al.extxyz", cells)
    proc = ptmlp("label", "al.extxyz", "-o", "al.h5", "--labeler", "ase", "--calculator", "ase.calculators.emt:EMT",
                 cwd=tmp_path)
    assert "labelled 3" in proc.stdout
    frames = Dataset(tmp_path / "al.h5").read()
    assert frames[0].provenance["ase_calculator"] == "ase.calculators.emt:EMT"
    assert frames[0].virial_eV is not None and np.abs(frames[1].forces_eV_per_A).max() > 0.01  # eV/A


@pytest.mark.parametrize("args, line", [
    (["label", "s.extxyz", "-o", "x.h5", "--te-K", "-100"], "ptmlp label: error: command line: --te-K = -100.0 "
     "(a number): expected > 0.0"),
    (["label", "s.extxyz", "-o", "x.h5", "--te-K", "1000", "--kpts", "2", "0", "2"],
     "ptmlp label: error: command line: --kpts[1] = 0 (an integer): expected >= 1"),
    (["label", "s.extxyz", "-o", "x.h5", "--labeler", "lammps", "--pair-style", "eam/fs"],
     "ptmlp label: error: ptmlp label --labeler lammps: pair_style needs pair_coeff (a list of strings, e.g. "
     "['* * 0.0104 3.4'])"),
    (["label", "s.extxyz", "-o", "x.h5", "--labeler", "lammps"],
     "ptmlp label: error: command line: --labeler lammps needs --pair-style and --pair-coeff"),
    (["label", "s.extxyz", "-o", "x.h5", "--te-K", "1000", "--calculator", "ase.calculators.emt:EMT"],
     "ptmlp label: error: command line: --labeler gpaw takes no --pair-style, --pair-coeff or --calculator (use "
     "--labeler lammps or ase for one)"),
    (["label", "s.extxyz", "-o", "x.h5", "--te-K", "1000", "--ecut-eV", "50"],  # the rule of labeler.ecut_eV
     "ptmlp label: error: command line: --ecut-eV = 50.0 (a number): expected >= 100.0"),
    (["label", "s.extxyz", "-o", "x.h5", "--labeler", "ase", "--calculator", "emt"],
     "ptmlp label: error: ptmlp label --labeler ase: ase_calculator = 'emt' (a string): must be 'module:name' "
     "(a calculator class or factory), e.g. 'ase.calculators.emt:EMT'"),
    (["data", "import", "s.extxyz", "-o", "x.h5", "--te-K", "nan"],
     "ptmlp data: error: command line: --te-K = nan (a number): expected a finite number"),
    (["data", "split", "x.h5", "-o", "s.json", "--seed", "-1"],
     "ptmlp data: error: command line: --seed = -1 (an integer): expected >= 0"),
    (["data", "split", "x.h5", "-o", "s.json", "--fractions", "0.5", "0.5", "0.5"],
     "ptmlp data: error: command line: --fractions = [0.5, 0.5, 0.5] (a list): must be three non-negative numbers "
     "summing to 1"),
])
def test_option_mistakes_are_one_line(tmp_path, args, line):
    write(tmp_path / "s.extxyz", bulk("Al", "fcc", a=4.05, cubic=True))
    proc = ptmlp(*args, cwd=tmp_path, check=False)
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [line]
    assert not (tmp_path / "x.h5").exists()
