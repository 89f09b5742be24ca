"""The typed configs of ``ptmlp elastic`` and ``ptmlp phonons``: the shipped example configs and the
``--example`` output validate, old spellings are refused with a near-miss hint, and the
training-pressure warning is read from a model's metadata (``training.pressure_range_GPa``)."""

from __future__ import annotations


import pytest
import torch

from ptmlp.cli.main import main
from ptmlp.config import ConfigError, load_config, validate_config
from ptmlp.demo import DEMO_MODEL
from ptmlp.elastic.config import ElasticConfig
from ptmlp.export import export_model
from ptmlp.models import ModelConfig, build_model
from ptmlp.phonons.config import PhononsConfig
from ptmlp.potential import PotentialSpec
from ptmlp.relax import PressureRangeWarning, check_pressure
from ptmlp.resources import inputs_dir

MODELS = {"elastic": ElasticConfig, "phonons": PhononsConfig}
SHIPPED = sorted((cmd, path) for cmd in MODELS for path in (inputs_dir() / cmd).glob("*.yaml"))


def test_examples_are_shipped():
    assert {cmd for cmd, _ in SHIPPED} == set(MODELS) and len(SHIPPED) >= 4


@pytest.mark.parametrize("command, path", SHIPPED, ids=[p.name for _, p in SHIPPED])
def test_shipped_example_validates(command, path):
    cfg = load_config(MODELS[command], path)
    assert cfg.structure.load(cfg.potential.type_names).get_chemical_symbols()[0] == "Fe"
    assert cfg.outdir.startswith(str(path.parent))  # relative outdir: next to the config file


@pytest.mark.parametrize("command", sorted(MODELS))
def test_example_output_validates(command, tmp_path, capsys, monkeypatch):
    """``ptmlp <command> --example`` prints every key and validates as printed (model: demo)."""
    monkeypatch.chdir(tmp_path)
    assert main([command, "--example"]) == 0
    text = capsys.readouterr().out
    for key in MODELS[command].model_fields:
        assert f"\n{key}:" in text, key
    (tmp_path / "example.yaml").write_text(text)
    cfg = load_config(MODELS[command], tmp_path / "example.yaml")
    assert cfg.potential.model == str(DEMO_MODEL)


def test_help_mentions_example(capsys):
    for command in MODELS:
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert f"ptmlp {command} --example" in capsys.readouterr().out


def test_defaults_and_spellings(tmp_path):
    data = {"structure": {"name": "Fe", "crystalstructure": "bcc", "a_A": 2.8553, "cell": "cubic"},
            "potential": {"pair_style": "eam/fs", "pair_coeff": ["* * {potentials}/Fe_mm.eam.fs Fe"]}}
    cfg = validate_config(ElasticConfig, data, base_dir=tmp_path)
    assert cfg.pressures_GPa == [0.0] and cfg.temperatures_K == [0.0] and cfg.md.steps.nrun == 10000
    assert cfg.potential.require_cutoff() == pytest.approx(5.3)  # from the EAM file header
    assert len(cfg.structure.load()) == 2
    ph = validate_config(PhononsConfig, {**data, "qha": {}}, base_dir=tmp_path)
    assert len(ph.qha.volume_strains) == 7 and ph.temperatures_K.values()[-1] == 2000.0
    old = {**data, "structure": {"build": {"symbol": "Fe", "crystalstructure": "bcc"}}}
    with pytest.raises(ConfigError, match=r"structure.build: unknown key"):
        validate_config(ElasticConfig, old)
    with pytest.raises(ConfigError, match=r"potential.species: unknown key \(known keys: .*type_names"):
        validate_config(ElasticConfig, {**data, "potential": {**data["potential"], "species": ["Fe"]}})
    with pytest.raises(ConfigError, match=r"temperatures_K.min: unknown key \(did you mean 'min_K'\?\)"):
        validate_config(PhononsConfig, {**data, "temperatures_K": {"min": 0}})
    with pytest.raises(ConfigError, match=r"md.steps: nrun 50 must hold at least 10 stress samples"):
        validate_config(ElasticConfig, {**data, "md": {"steps": {"nrun": 50, "nevery": 10}}})
    with pytest.raises(ConfigError, match="temperatures_K > 0 run MD in LAMMPS"):
        validate_config(ElasticConfig, {**data, "temperatures_K": [300.0],
                                        "potential": {"ase_calculator": "ase.calculators.emt:EMT"}})
    with pytest.raises(ConfigError, match=r"qha.volume_strains = .*at least 5 volume strains"):
        validate_config(PhononsConfig, {**data, "qha": {"volume_strains": [-0.01, 0.0, 0.01, 0.02, -0.6]}})


def test_training_pressure_range_from_metadata(tmp_path):
    torch.manual_seed(0)
    model = build_model(ModelConfig(type_names=["Fe"], r_cut=4.0, n_radial=4, n_channels=4, l_max=1,
                                    hidden_widths=[8], dtype="float64"))
    export_model(model, tmp_path / "m.pt", training={"pressure_range_GPa": [0.0, 80.0]})
    pot = PotentialSpec(model=str(tmp_path / "m.pt"))
    assert pot.training_pressure_range_GPa == (0.0, 80.0)
    with pytest.warns(PressureRangeWarning, match="150 GPa is outside the model's training range 0 to 80 GPa"):
        check_pressure(150.0, pot.training_pressure_range_GPa)
    export_model(model, tmp_path / "n.pt", training={})
    assert PotentialSpec(model=str(tmp_path / "n.pt")).training_pressure_range_GPa is None
