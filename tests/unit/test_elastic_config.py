"""Config validation shared by ``ptmlp elastic`` and ``ptmlp phonons``, and the training-pressure
warning read from a model's metadata (``training.pressure_range_GPa``)."""

from __future__ import annotations

import pytest
import torch
from ase.build import bulk

from ptmlp.elastic.config import build_potential, build_structure, check_keys, load_yaml
from ptmlp.elastic.potential import PotentialSpec
from ptmlp.elastic.relax import PressureRangeWarning, check_pressure
from ptmlp.errors import InputError
from ptmlp.export import export_model
from ptmlp.models import ModelConfig, build_model


def test_structure_sections(tmp_path):
    atoms = build_structure({"build": {"symbol": "Fe", "crystalstructure": "bcc", "a_A": 2.8553, "cubic": True,
                                       "repeat": 2}}, tmp_path)
    assert len(atoms) == 16
    with pytest.raises(InputError, match=r"unknown key\(s\) a in structure.build; allowed: a_A"):
        build_structure({"build": {"symbol": "Fe", "crystalstructure": "bcc", "a": 2.8}}, tmp_path)
    with pytest.raises(InputError, match="exactly one of file: or build:"):
        build_structure({}, tmp_path)
    with pytest.raises(InputError, match="structure file .*nothere.cif not found"):
        build_structure({"file": "nothere.cif"}, tmp_path)
    bulk("Fe", "bcc", a=2.8553, cubic=True).write(tmp_path / "fe.cif")
    assert len(build_structure({"file": "fe.cif"}, tmp_path)) == 2


def test_potential_sections(tmp_path):
    pot = build_potential({"pair_style": "eam/fs", "pair_coeff": "* * {potentials}/Fe_mm.eam.fs Fe",
                           "species": "Fe", "cutoff_A": 5.3}, "potential", tmp_path)
    assert pot.type_names == ["Fe"] and "Fe_mm.eam.fs" in pot.include_text() and "{potentials}" not in pot.pair_coeff
    demo = build_potential({"model": "demo"}, "potential", tmp_path)
    assert demo.cutoff_A == 5.0 and demo.pair_style.startswith("ptmlp ") and demo.type_names == ["Fe"]
    with pytest.raises(InputError, match="model: cannot be combined with pair_style"):
        build_potential({"model": "demo", "pair_style": "eam"}, "potential", tmp_path)
    with pytest.raises(InputError, match="lacks required key"):
        build_potential({"pair_style": "eam/fs"}, "reference", tmp_path)
    emt = build_potential({"ase_calculator": "ase.calculators.emt:EMT", "cutoff_A": 6.0}, "reference", tmp_path)
    assert type(emt.ase_calculator()).__name__ == "EMT" and emt.ase_calculator().cutoff_A == 6.0
    with pytest.raises(InputError, match="is an ASE calculator; LAMMPS runs"):
        emt.include_text()
    with pytest.raises(InputError, match="cannot import ASE calculator nosuch:Calc"):
        build_potential({"ase_calculator": "nosuch:Calc"}, "reference", tmp_path).ase_calculator()
    with pytest.raises(InputError, match="must be a mapping"):
        check_keys([1, 2], {"a"}, "md")


def test_bad_yaml(tmp_path):
    (tmp_path / "bad.yaml").write_text("structure: [unclosed\n")
    with pytest.raises(InputError, match="is not valid YAML"):
        load_yaml(tmp_path / "bad.yaml")
    with pytest.raises(InputError, match="not found"):
        load_yaml(tmp_path / "none.yaml")


def test_training_pressure_range_from_metadata(tmp_path):
    torch.manual_seed(0)
    model = build_model(ModelConfig(type_names=["Fe"], r_cut=4.0, n_radial=4, n_channels=4, l_max=1,
                                    hidden_widths=[8], dtype="float64"))
    export_model(model, tmp_path / "m.pt", training={"pressure_range_GPa": [0.0, 80.0]})
    pot = PotentialSpec.from_model(str(tmp_path / "m.pt"))
    assert pot.training_pressure_range_GPa == (0.0, 80.0)
    with pytest.warns(PressureRangeWarning, match="150 GPa is outside the model's training range 0 to 80 GPa"):
        check_pressure(150.0, pot.training_pressure_range_GPa)
    export_model(model, tmp_path / "n.pt", training={})
    assert PotentialSpec.from_model(str(tmp_path / "n.pt")).training_pressure_range_GPa is None
