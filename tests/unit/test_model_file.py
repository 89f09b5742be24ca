"""Model files: export writes the design.md metadata; load refuses bad files with one line."""

from __future__ import annotations

import json

import pytest
import torch

from ptmlp.calculator import PtmlpCalculator
from ptmlp.errors import EnsembleMismatchError, InputError, ModelFileError
from ptmlp.export import load_ensemble, load_model
from ptmlp.metadata import METADATA_FILE
from ptmlp.config import ConfigError, validate_config
from ptmlp.models import ModelConfig, build_model

from conftest import make_model


def test_metadata_contract(model_file):
    _, meta = load_model(model_file)
    assert meta["format_version"] == 1
    assert meta["type_names"] == ["Mg", "Si", "O"]
    assert meta["r_cut"] == 4.0 and meta["dtype"] == "float64"
    assert meta["energy_unit"] == "eV" and meta["length_unit"] == "angstrom"
    assert meta["electronic_temperature"] is None
    assert meta["architecture"]["name"] == "ptmlp_v1" and meta["architecture"]["l_max"] == 3
    assert "created" in meta["training"]


@pytest.mark.parametrize("mutate, message", [
    (lambda m: m.pop("type_names"), "lacks key(s) type_names"),
    (lambda m: m.update(format_version=2), "format_version 2 is not supported"),
    (lambda m: m.update(r_cut=-1), "r_cut -1 must be a positive number"),
    (lambda m: m.update(energy_unit="kcal/mol"), 'energy_unit "kcal/mol" is not supported'),
    (lambda m: m.update(electronic_temperature={"unit": "eV", "per_atom": False, "train_range": [0, 1]}),
     'electronic_temperature.unit "eV" is not supported'),
])
def test_load_refuses_bad_metadata(tmp_path, model_file, mutate, message):
    extra = {METADATA_FILE: ""}
    module = torch.jit.load(str(model_file), _extra_files=extra)
    meta = json.loads(extra[METADATA_FILE])
    mutate(meta)
    bad = tmp_path / "bad.pt"
    torch.jit.save(module, str(bad), _extra_files={METADATA_FILE: json.dumps(meta)})
    with pytest.raises(ModelFileError) as err:
        PtmlpCalculator(bad)
    assert message in str(err.value) and str(bad) in str(err.value)
    assert "\n" not in str(err.value)


def test_load_refuses_missing_and_corrupt(tmp_path):
    with pytest.raises(ModelFileError, match="no such file"):
        load_model(tmp_path / "none.pt")
    (tmp_path / "junk.pt").write_text("junk")
    with pytest.raises(ModelFileError, match="not a readable TorchScript file"):
        load_model(tmp_path / "junk.pt")


def test_ensemble_must_agree(tmp_path, model_file):
    other = make_model(tmp_path / "o.pt", type_names=["Mg", "O", "Si"])
    with pytest.raises(EnsembleMismatchError, match="type_names"):
        load_ensemble([model_file, other])


def test_config_rejects_bad_values():
    with pytest.raises(ConfigError, match=r"^m: l_max = 9 \(an integer\): expected <= 6$"):
        validate_config(ModelConfig, {"type_names": ["Fe"], "l_max": 9}, source="m")
    with pytest.raises(ConfigError, match=r"^m: rcut: unknown key \(did you mean 'r_cut'\?\)$"):
        validate_config(ModelConfig, {"type_names": ["Fe"], "rcut": 5.0}, source="m")
    with pytest.raises(ConfigError, match="not element symbols"):
        validate_config(ModelConfig, {"type_names": ["Fe_hi"]}, source="m")
    with pytest.raises(InputError, match="model.type_names is required to build a model"):
        build_model(ModelConfig())
