"""`ptmlp train` through the real command line: a config mistake is one line (exit 2, dotted key,
no traceback); a model trained on energies and forces only (no virials) writes strict JSON
metadata that `ptmlp info`, `ptmlp test` and `pair_style ptmlp` in the real `lmp` all accept."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import write

from ptmlp.config import read_yaml, validate_config
from ptmlp.jsonfile import read_json
from ptmlp.lammps_data import write_lammps_data
from ptmlp.lammps_env import lammps_environment, venv_bin
from ptmlp.metadata import read_model_metadata
from ptmlp.training.config import RunConfig

from conftest import run_lmp

SMALL_MODEL = "model: {r_cut: 4.0, n_radial: 4, n_channels: 4, l_max: 2, hidden_widths: [8]}\n"


def ptmlp(*args, cwd, check=True):
    proc = subprocess.run([venv_bin("ptmlp"), *args], cwd=cwd, capture_output=True, text=True,
                          env=lammps_environment())
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def fe_no_virial(tmp_path_factory) -> Path:
    """Eight rattled bcc Fe cells labelled by Fe_mm.eam.fs, energies and forces only, imported
    with `ptmlp data import`."""
    from ptmlp.labelers.lammps_potential import fe_eam_calculator

    work = tmp_path_factory.mktemp("fe_no_virial")
    calc = fe_eam_calculator()
    images = []
    for k in range(8):
        a = bulk("Fe", "bcc", a=2.80 + 0.02 * (k % 4), cubic=True).repeat(2)
        a.rattle(0.06, seed=k)
        a.calc = calc
        energy, forces = a.get_potential_energy(), a.get_forces()
        a.calc = SinglePointCalculator(a, energy=energy, forces=forces)  # no stress: no virial
        images.append(a)
    write(work / "fe.extxyz", images)
    out = ptmlp("data", "import", "fe.extxyz", "-o", "fe.h5", cwd=work).stdout
    assert "8 frames read, 8 new" in out
    return work / "fe.h5"


@pytest.mark.parametrize("yaml_line, key", [
    ("training: {epochs: \"100\"}", "training.epochs"),
    ("training: {epochs: 1.5}", "training.epochs"),
    ("training: {lr: fast}", "training.lr"),
    ("model: {r_cut: \"5\"}", "model.r_cut"),
    ("ensemble: \"2\"", "ensemble"),
    ("training: {lr: 1.0e-3, lr_final: 1.0e-2}", "training"),
    ("training: {epoch: 3}", "training.epoch"),
    ("split_fractions: [0.5, 0.5, 0.5]", "split_fractions"),
    ("model: {type_names: [Fe, Fe]}", "model.type_names"),
])
def test_bad_value_is_one_line(tmp_path, fe_no_virial, yaml_line, key):
    (tmp_path / "t.yaml").write_text(f"dataset: {fe_no_virial}\noutput_dir: run\n{yaml_line}\n")
    proc = ptmlp("train", "t.yaml", cwd=tmp_path, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith(f"ptmlp train: error: t.yaml: {key}"), lines[0]
    assert not (tmp_path / "run").exists()  # refused before anything was written


def test_ensemble_option_is_checked(tmp_path, fe_no_virial):
    (tmp_path / "t.yaml").write_text(f"dataset: {fe_no_virial}\n")
    proc = ptmlp("train", "t.yaml", "--ensemble", "0", cwd=tmp_path, check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "ptmlp train: error: t.yaml (with --ensemble 0): ensemble = 0 (an integer): expected >= 1"]


def test_example_is_a_valid_config(tmp_path, fe_no_virial):
    text = ptmlp("train", "--example", cwd=tmp_path).stdout
    for key in ("dataset:", "epochs: 100", "r_cut: 5.0", "ramp_start:", "force: 1000.0", "ensemble: 1"):
        assert key in text, key
    (tmp_path / "example.yaml").write_text(text.replace("dataset: dataset.h5", f"dataset: {fe_no_virial}"))
    config = validate_config(RunConfig, read_yaml(tmp_path / "example.yaml"), base_dir=tmp_path)
    assert config.training.ramp_start.force == 1000.0 and config.model.type_names is None
    assert ptmlp("train", cwd=tmp_path, check=False).stderr.strip() == (
        "ptmlp train: error: give a config file (ptmlp train --example prints a complete one)")


def test_virial_free_model_in_lammps_info_and_test(tmp_path, fe_no_virial, plugin_built):
    (tmp_path / "t.yaml").write_text(
        f"dataset: {fe_no_virial}\noutput_dir: run\nsplit_by_group: false\nsplit_fractions: [0.5, 0.25, 0.25]\n"
        + SMALL_MODEL + "training: {epochs: 2, batch_frames: 2}\n")
    ptmlp("train", "t.yaml", cwd=tmp_path)
    model = tmp_path / "run" / "member_0" / "model.pt"

    meta = read_model_metadata(model)  # strict parser: NaN/Infinity refused
    training = meta["training"]
    assert training["validation"]["virial_rmse_meV_per_atom"] is None  # no virials: null, not NaN
    assert training["pressure_range_GPa"] is None
    d_min = training["min_pair_distance_A"]
    assert isinstance(d_min, float) and 2.0 < d_min < 2.80 * math.sqrt(3) / 2  # rattled bcc nearest neighbour
    lo, hi = training["neighbours_per_atom_range"]
    assert type(lo) is int and type(hi) is int and 8 <= lo <= hi <= 40  # r_cut 4 A: 1st + 2nd (+3rd) shells
    read_json(tmp_path / "run" / "train_summary.json")
    read_json(tmp_path / "run" / "split.json")

    info = ptmlp("info", str(model), cwd=tmp_path).stdout
    assert "pressure      no virials in the training data" in info
    assert f"min distance  {d_min:.3f} angstrom" in info
    assert f"neighbours    {lo} .. {hi} per atom within r_cut" in info
    assert "W n/a meV/atom" in info

    ptmlp("test", str(model), str(fe_no_virial), "-o", "test_out", cwd=tmp_path)
    summary = read_json(tmp_path / "test_out" / "test_summary.json")
    assert summary["virial_rmse_meV_per_atom"] is None and summary["n_frames"] == 8
    assert summary["force_rmse_meV_per_A"] > 0

    crystal = bulk("Fe", "bcc", a=2.83, cubic=True).repeat(3)
    crystal.rattle(0.02, seed=1)
    write_lammps_data(tmp_path / "fe.data", crystal, ["Fe"])
    proc = run_lmp(tmp_path, f"""units metal
atom_style atomic
atom_modify map array
read_data fe.data
pair_style ptmlp {model}
pair_coeff * * Fe
velocity all create 300.0 4 mom yes
fix 1 all nve
timestep 0.001
thermo_style custom step temp pe press
thermo 5
run 10
""")
    assert "Loop time" in proc.stdout
    rows = [line.split() for line in proc.stdout.splitlines() if line.split()[:1] == ["10"]]
    assert rows and np.isfinite([float(v) for v in rows[-1]]).all()
