"""``ptmlp melt`` YAML: unknown keys, out-of-range values and missing keys are one clear error."""

from __future__ import annotations

import pytest

from ptmlp.errors import InputError
from ptmlp.melting.config import from_mapping, from_yaml


def base(**over) -> dict:
    d = {"structure": {"name": "Ar", "crystalstructure": "fcc", "a_A": 5.39},
         "potential": {"pair_style": "lj/cut 8.5", "pair_coeff": ["1 1 0.010323 3.405"]},
         "method": "bracket", "pressures_GPa": [0.17], "bracket": {"T_low_K": 100, "T_high_K": 140}}
    d.update(over)
    return d


def test_valid_config_and_defaults(tmp_path):
    cfg = from_mapping(base(), base_dir=str(tmp_path))
    assert cfg.md.timestep_ps == 0.001 and cfg.seeds == [1] and cfg.workdir_path == tmp_path / "melt_run"


def test_yaml_paths_are_relative_to_the_file(tmp_path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "c.yaml"
    import yaml
    path.write_text(yaml.safe_dump(base(workdir="out")))
    cfg = from_yaml(str(path))
    assert cfg.workdir_path == tmp_path / "sub" / "out"


@pytest.mark.parametrize("data, words", [
    (base(pressure_GPa=[1.0]), "unknown key(s) ['pressure_GPa']"),
    (base(md={"timestep": 0.001}), "unknown key(s) ['timestep']"),
    (base(pressures_GPa=[3300.0]), "out of the sane range"),
    (base(pressures_GPa=[-100.0]), "out of the sane range"),
    (base(pressures_GPa=[]), "non-empty list"),
    (base(bracket={"T_low_K": 100, "T_high_K": 200000}), "out of the sane range"),
    (base(bracket={"T_low_K": 150, "T_high_K": 140}), "must be below"),
    (base(bracket={"T_low_K": 100}), "needs bracket.T_low_K and bracket.T_high_K"),
    (base(method="nph"), "needs nph.start_T_K"),
    (base(method="fast"), "must be bracket or nph"),
    (base(seeds=[1, 1]), "duplicates"),
    (base(cell={"replicate": [4, 4]}), "three integers"),
    (base(md={"discard_ps": 60, "coexistence_ps": 50}), "must be shorter"),
    (base(structure={"name": "Ar"}), "go together"),
    (base(structure={"file": "x.cif", "name": "Ar", "crystalstructure": "fcc"}), "either file"),
    (base(potential={"pair_style": "lj/cut 8.5"}), "needs pair_coeff"),
    (base(potential={"model": "a.pt", "pair_style": "eam"}), "either model"),
])
def test_bad_values_are_one_line(data, words):
    with pytest.raises(InputError) as err:
        from_mapping(data)
    msg = str(err.value)
    assert words in msg and "\n" not in msg
