"""``ptmlp melt`` YAML: unknown keys, out-of-range values and missing keys are one clear error;
every shipped example and the ``--example`` output validate."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ptmlp.config import ConfigError, example_yaml
from ptmlp.melting.config import MeltConfig, from_mapping, from_yaml
from ptmlp.resources import inputs_dir


def base(**over) -> dict:
    d = {"structure": {"name": "Ar", "crystalstructure": "fcc", "a_A": 5.39},
         "potential": {"pair_style": "lj/cut 8.5", "pair_coeff": ["1 1 0.010323 3.405"]},
         "method": "bracket", "pressures_GPa": [0.17], "bracket": {"T_low_K": 100, "T_high_K": 140}}
    d.update(over)
    return d


def test_valid_config_and_defaults(tmp_path):
    cfg = from_mapping(base(), base_dir=str(tmp_path))
    assert cfg.md.timestep_ps == 0.001 and cfg.seeds == [1] and Path(cfg.workdir) == tmp_path / "melt_run"
    assert cfg.allow_p1 is False and cfg.potential.kind == "lammps"


def test_yaml_paths_are_relative_to_the_file(tmp_path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "c.yaml"
    path.write_text(yaml.safe_dump(base(workdir="out")))
    cfg = from_yaml(str(path))
    assert Path(cfg.workdir) == tmp_path / "sub" / "out"


def test_per_pressure_values():
    cfg = from_mapping(base(pressures_GPa=[0.1, 0.2], bracket={"T_low_K": [90, 100], "T_high_K": 150}))
    assert cfg.bracket.T_low_K == [90.0, 100.0] and cfg.bracket.T_high_K == 150.0


@pytest.mark.parametrize("data, words", [
    (base(pressure_GPa=[1.0]), "pressure_GPa: unknown key (did you mean 'pressures_GPa'?)"),
    (base(md={"timestep": 0.001}), "md.timestep: unknown key (did you mean 'timestep_ps'?)"),
    (base(pressures_GPa=[3300.0]), "pressures_GPa[0] = 3300.0 (a number): out of the sane range [-20, 2000] GPa "
                                   "(pressures are in GPa, not bar)"),
    (base(pressures_GPa=[-100.0]), "out of the sane range"),
    (base(pressures_GPa=[]), "pressures_GPa = [] (a list): expected at least 1 item(s)"),
    (base(pressures_GPa=[1.0, 1.0]), "pressures_GPa = [1.0, 1.0] (a list): has duplicates"),
    (base(bracket={"T_low_K": 100, "T_high_K": 200000}), "bracket.T_high_K = 200000 (an integer): out of the sane "
                                                         "range [1, 100000] K"),
    (base(bracket={"T_low_K": [100, -5], "T_high_K": 140}), "bracket.T_low_K = [100, -5] (a list): item [1] = -5: "
                                                            "out of the sane range"),
    (base(bracket={"T_low_K": "100", "T_high_K": 140}), "bracket.T_low_K = '100' (a string): expected a number"),
    (base(bracket={"T_low_K": 150, "T_high_K": 140}), "bracket.T_low_K = 150 K must be below bracket.T_high_K = 140 K"),
    (base(bracket={"T_low_K": 100}), "method bracket needs bracket.T_low_K and bracket.T_high_K"),
    (base(pressures_GPa=[0.1, 0.2], bracket={"T_low_K": [90, 100, 110], "T_high_K": 150}),
     "bracket.T_low_K has 3 values for 2 pressures"),
    (base(method="nph"), "method nph needs nph.start_T_K"),
    (base(method="nph", nph={"start_T_K": [100.0, 110.0]}), "nph.start_T_K has 2 values for 1 pressures"),
    (base(method="fast"), "method = 'fast' (a string): expected one of 'bracket', 'nph'"),
    (base(seeds=[1, 1]), "seeds = [1, 1] (a list): has duplicates"),
    (base(seeds=[900000000]), "seeds[0] = 900000000 (an integer): expected <= 899999999"),
    (base(seeds=[2.0]), "seeds[0] = 2.0 (a number): expected an integer"),
    (base(nprocs="2"), "nprocs = '2' (a string): expected an integer"),
    (base(allow_p1="yes"), "allow_p1 = 'yes' (a string): expected true or false"),
    (base(cell={"replicate": [4, 4]}), "cell.replicate = [4, 4] (a list): expected at least 3 item(s)"),
    (base(md={"discard_ps": 60, "coexistence_ps": 50}), "md: discard_ps = 60 ps must be shorter than "
                                                        "coexistence_ps = 50 ps"),
    (base(md={"sample_every_steps": 10000}), "md: only 4 samples after discard_ps"),
    (base(md={"timestep_ps": 0.5}), "md.timestep_ps = 0.5 (a number): expected <= 0.1"),
    (base(order={"types": [0]}), "order.types[0] = 0 (an integer): expected >= 1"),
    (base(structure={"name": "Ar"}), "structure: name and crystalstructure go together"),
    (base(structure={"file": "x.cif", "name": "Ar", "crystalstructure": "fcc"}), "structure.file = 'x.cif'"),
    (base(potential={"pair_style": "lj/cut 8.5"}), "potential: pair_style needs pair_coeff"),
    (base(potential={"model": "a.pt", "pair_style": "eam"}), "potential.model = 'a.pt' (a string): no such model file"),
    (base(potential={"ase_calculator": "ase.calculators.emt:EMT"}), "potential.ase_calculator: ptmlp melt runs LAMMPS"),
    ({"potential": base()["potential"]}, "structure: required key missing"),
])
def test_bad_values_are_one_line(data, words):
    with pytest.raises(ConfigError) as err:
        from_mapping(data)
    msg = str(err.value)
    assert words in msg and "\n" not in msg


def shipped_examples() -> list[Path]:
    return sorted(p for p in (inputs_dir() / "melt").glob("*.yaml") if not p.name.endswith("_slurm.yaml"))


@pytest.mark.parametrize("path", shipped_examples(), ids=lambda p: p.name)
def test_shipped_examples_validate(path):
    cfg = from_yaml(path)
    assert Path(cfg.workdir).parent == path.parent.resolve()
    assert len(shipped_examples()) >= 5


def test_example_output_validates(tmp_path):
    """``ptmlp melt --example``: every key, and it is a valid config as printed (its potential is
    ``model: demo``, the shipped model); a model file that is not there is named."""
    from ptmlp.demo import DEMO_MODEL

    text = example_yaml(MeltConfig, "ptmlp melt config.yaml")
    for key in MeltConfig.model_fields:
        assert f"\n{key}:" in text
    path = tmp_path / "melt.yaml"
    path.write_text(text)
    cfg = from_yaml(path)
    assert cfg.method == "bracket" and cfg.structure.name == "Fe" and cfg.potential.model == str(DEMO_MODEL)
    assert cfg.bracket.T_low_K < cfg.bracket.T_high_K
    path.write_text(text.replace("model: demo", "model: model.pt", 1))
    with pytest.raises(ConfigError, match=r"potential.model = 'model.pt' \(a string\): no such model file"):
        from_yaml(path)


def test_units_lj_needs_a_lennard_jones_potential_and_settle_band_is_ordered():
    base = {"structure": {"name": "Ar", "crystalstructure": "fcc", "a_A": 5.39},
            "potential": {"pair_style": "lj/cut 7.5", "pair_coeff": ["1 1 0.010323 3.405"]},
            "method": "nph", "nph": {"start_T_K": 85.0}, "units": "lj"}
    assert from_mapping(base).units == "lj"
    eam = dict(base, potential={"pair_style": "eam/fs", "pair_coeff": ["* * {potentials}/Fe_mm.eam.fs Fe"]})
    with pytest.raises(ConfigError, match="units lj needs a one-type Lennard-Jones potential"):
        from_mapping(eam)
    with pytest.raises(ConfigError, match=r"settle.*solid_fraction_band \[0.9, 0.1\]: low must be below high"):
        from_mapping(dict(base, settle={"solid_fraction_band": [0.9, 0.1]}))
