"""`ptmlp al run` configs: the shipped examples (inputs/al/) and `--example` validate; every config
mistake is one stderr line naming the dotted key, exit 2, before any work starts."""

from __future__ import annotations

import shutil

import pytest

from ptmlp.al.config import ALConfig
from ptmlp.cli.main import main
from ptmlp.config import load_config
from ptmlp.resources import inputs_dir

EXAMPLES = sorted(p.name for p in (inputs_dir() / "al").glob("*.yaml"))


def test_examples_are_shipped():
    assert EXAMPLES == ["al_emt.yaml", "al_gpaw.yaml", "fe_eam_teacher.yaml"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_shipped_config_is_valid(tmp_path, name):
    shutil.copytree(inputs_dir() / "al", tmp_path / "al")
    cfg = load_config(ALConfig, tmp_path / "al" / name)
    assert all(p.startswith(str(tmp_path / "al")) for p in cfg.initial_structures + cfg.explore.structures)
    assert cfg.labeler.kind == {"al_emt.yaml": "ase", "al_gpaw.yaml": "gpaw", "fe_eam_teacher.yaml": "lammps"}[name]
    if cfg.labeler.potential is not None:
        assert cfg.labeler.potential.kind == cfg.labeler.kind


def test_example_output_is_a_valid_config(tmp_path, capsys):
    assert main(["al", "run", "--example"]) == 0
    (tmp_path / "al.yaml").write_text(capsys.readouterr().out)
    (tmp_path / "start.extxyz").write_text((inputs_dir() / "al" / "al_fcc.extxyz").read_text())
    cfg = load_config(ALConfig, tmp_path / "al.yaml")
    assert set(cfg.model_fields_set) == set(ALConfig.model_fields)
    assert cfg.labeler.kind == "gpaw" and cfg.labeler.te_K == 3000.0


GOOD = """workdir: run
initial_structures: [al_fcc.extxyz]
explore: {structures: [al_fcc.extxyz], temperatures_K: [300]}
labeler: {kind: ase, potential: {ase_calculator: "ase.calculators.emt:EMT"}}
"""

BAD = [
    (("ensemble: 3", "ensemble: three"), "ensemble = 'three' (a string): expected an integer"),
    (("ensemble: 3", "ensemble: 3.0"), "ensemble = 3.0 (a number): expected an integer"),
    (("ensemble: 3", "ensembel: 3"), "ensembel: unknown key (did you mean 'ensemble'?)"),
    (("ensemble: 3", "ensemble: 1"), "ensemble = 1 (an integer): expected >= 2"),
    (("temperatures_K: [300]", "temperatures_K: [300], dt_fs: 1"), "explore.dt_fs: unknown key (did you mean "
                                                                    "'dt_ps'?)"),
    (("temperatures_K: [300]", "temperatures_K: [-300]"), "explore.temperatures_K[0] = -300 (an integer): "
                                                          "expected > 0"),
    (("temperatures_K: [300]", "temperatures_K: 300"), "explore.temperatures_K = 300 (an integer): expected a list"),
    (("temperatures_K: [300]", "temperatures_K: [300], launcher: slurm, slurm: {ntasks: 0}"),
     "explore.slurm.ntasks = 0 (an integer): expected >= 1"),
    (("explore: {structures: [al_fcc.extxyz], temperatures_K: [300]}", "explore: {temperatures_K: [300]}"),
     "explore.structures: required key missing"),
    (("explore: {structures: [al_fcc.extxyz]", "explore: {structures: [none.extxyz]"),
     "explore.structures[0] = 'none.extxyz' (a string): no such file"),
    (("{kind: ase,", "{kind: lammps,"), "labeler: kind lammps needs potential: {pair_style and pair_coeff: ...}"),
    (("{kind: ase,", "{kind: dft,"), "labeler.kind = 'dft' (a string): expected one of 'gpaw', 'lammps', 'ase'"),
    (('{ase_calculator: "ase.calculators.emt:EMT"}', "{pair_style: eam/fs}"),
     "labeler.potential: pair_style needs pair_coeff"),
    (("labeler: {kind: ase, potential: {ase_calculator: \"ase.calculators.emt:EMT\"}}", "labeler: {kind: gpaw}"),
     "GPAW labels need an electronic temperature: set labeler.te_K (K) or explore.te_K"),
    (("labeler: {kind: ase, potential: {ase_calculator: \"ase.calculators.emt:EMT\"}}",
      "labeler: {kind: gpaw, te_K: 2000, kpts: [2, 2]}"), "labeler.kpts = [2, 2] (a list): expected at least 3 item(s)"),
    (("ensemble: 3", "training: {epochs: 0}"), "training.epochs = 0 (an integer): expected >= 1"),
    (("ensemble: 3", "model: {r_cutt: 4}"), "model.r_cutt: unknown key (did you mean 'r_cut'?)"),
    (("ensemble: 3", "select: {trust_lo: 0.5, trust_hi: 0.2}"), "select: trust_lo=0.5 must be below trust_hi=0.2"),
]


@pytest.mark.parametrize("change, expected", BAD)
def test_bad_config_is_one_line(tmp_path, capsys, change, expected):
    shutil.copy(inputs_dir() / "al" / "al_fcc.extxyz", tmp_path)
    path = tmp_path / "al.yaml"
    text = GOOD + "ensemble: 3\n"
    assert change[0] in text
    path.write_text(text.replace(*change))
    assert main(["al", "run", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"ptmlp al: error: {path}: {expected}"), err
    assert not (tmp_path / "run").exists()  # refused before any work


def test_good_config_loads_and_missing_file(tmp_path, capsys):
    shutil.copy(inputs_dir() / "al" / "al_fcc.extxyz", tmp_path)
    (tmp_path / "al.yaml").write_text(GOOD)
    cfg = load_config(ALConfig, tmp_path / "al.yaml")
    assert cfg.labeler.potential.ase_calculator == "ase.calculators.emt:EMT" and cfg.ensemble == 4
    assert main(["al", "run", str(tmp_path / "none.yaml")]) == 2
    assert capsys.readouterr().err == f"ptmlp al: error: {tmp_path / 'none.yaml'}: no such config file\n"
