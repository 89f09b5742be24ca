"""The typed configuration layer (ptmlp.config): strict types, one-line errors, examples, YAML."""

from __future__ import annotations

import math
from typing import Literal, Optional

import pytest

from ptmlp.config import ConfigError, StrictModel, example_yaml, field, load_config, validate_config
from ptmlp.config.types import InputFile
from ptmlp.config.yaml_io import parse_yaml
from ptmlp.jsonfile import dumps, loads, read_json, write_json


class Loss(StrictModel):
    """Loss weights."""
    energy: float = field(1.0, "weight of the energy term per (eV/atom)^2", ge=0)


class Train(StrictModel):
    """Training."""
    epochs: int = field(100, "passes over the training frames", ge=1)
    lr: float = field(5e-3, "initial learning rate", gt=0)
    schedule: Literal["exponential", "cosine"] = field("exponential", "learning-rate schedule")
    shift: bool = field(False, "a boolean")
    loss: Loss = field(default_factory=Loss, description="loss weights")


class Run(StrictModel):
    """A run."""
    dataset: InputFile = field(..., "HDF5 dataset", examples=["data.h5"])
    training: Train = field(default_factory=Train, description="training settings")
    note: Optional[str] = field(None, "free text")


@pytest.fixture
def cfg_dir(tmp_path):
    (tmp_path / "data.h5").write_bytes(b"")
    return tmp_path


@pytest.mark.parametrize("text, expected", [
    ("training: {epochs: '100'}", "training.epochs = '100' (a string): expected an integer"),
    ("training: {epochs: 1.5}", "training.epochs = 1.5 (a number): expected an integer"),
    ("training: {epochs: true}", "training.epochs = True (a boolean): expected an integer"),
    ("training: {lr: fast}", "training.lr = 'fast' (a string): expected a number"),
    ("training: {lr: .nan}", "training.lr = nan (a number): expected a finite number"),
    ("training: {shift: 'false'}", "training.shift = 'false' (a string): expected true or false"),
    ("training: {epocs: 3}", "training.epocs: unknown key (did you mean 'epochs'?)"),
    ("training: {epochs: 0}", "training.epochs = 0 (an integer): expected >= 1"),
    ("training: {schedule: linear}", "training.schedule = 'linear' (a string): expected one of 'exponential', 'cosine'"),
    ("training: {loss: {energy: -1}}", "training.loss.energy = -1 (an integer): expected >= 0"),
])
def test_one_line_errors_name_key_value_and_expectation(cfg_dir, text, expected):
    path = cfg_dir / "c.yaml"
    path.write_text("dataset: data.h5\n" + text + "\n")
    with pytest.raises(ConfigError) as err:
        load_config(Run, path)
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith(f"{path}: ")
    assert expected in msg


def test_missing_required_and_missing_file(cfg_dir):
    (cfg_dir / "a.yaml").write_text("training: {}\n")
    with pytest.raises(ConfigError, match=r"a.yaml: dataset: required key missing \(HDF5 dataset\)"):
        load_config(Run, cfg_dir / "a.yaml")
    (cfg_dir / "b.yaml").write_text("dataset: nope.h5\n")
    with pytest.raises(ConfigError, match=r"b.yaml: dataset = 'nope.h5' \(a string\): no such file"):
        load_config(Run, cfg_dir / "b.yaml")
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(Run, cfg_dir / "absent.yaml")


def test_relative_paths_resolve_in_the_config_folder(cfg_dir, monkeypatch, tmp_path_factory):
    (cfg_dir / "c.yaml").write_text("dataset: data.h5\n")
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    assert load_config(Run, cfg_dir / "c.yaml").dataset == str((cfg_dir / "data.h5").resolve())


def test_yaml_reader_numbers_and_repeated_keys():
    assert parse_yaml("a: 1e-3\nb: -2E+5\nc: 1.5e3\nd: '1e-3'") == {"a": 1e-3, "b": -2e5, "c": 1500.0, "d": "1e-3"}
    with pytest.raises(ConfigError, match="given twice"):
        parse_yaml("a: 1\na: 2\n", "x.yaml")
    with pytest.raises(ConfigError, match=r"x.yaml: line 2 not valid YAML \(expected .,. or .\].,"):
        parse_yaml("a: [1, 2\n", "x.yaml")


def test_example_is_complete_commented_and_valid(cfg_dir):
    text = example_yaml(Run, "demo")
    for key in ("dataset:", "epochs: 100", "lr: 0.005", "schedule: exponential", "energy: 1.0", "note: null"):
        assert key in text
    assert "# REQUIRED; HDF5 dataset" in text
    assert "[>= 1]" in text and "[one of exponential, cosine]" in text
    cfg = validate_config(Run, parse_yaml(text), base_dir=cfg_dir)
    assert cfg.training.epochs == 100


class Member(StrictModel):
    """One item of a list of sections."""
    name: str = field(..., "member name", examples=["a"])
    weight: float = field(1.0, "relative weight", gt=0)
    section: Loss = field(default_factory=Loss, description="a nested section of the item")


class Team(StrictModel):
    """A list of sections, given and empty."""
    members: list[Member] = field(default_factory=list, description="the members",
                                  examples=[[{"name": "x", "weight": 2.0}, {"name": "y"}]])
    spare: list[Member] = field(default_factory=list, description="no example: an empty list")


def test_example_documents_the_keys_of_a_list_of_sections(cfg_dir):
    text = example_yaml(Team)
    lines = text.splitlines()
    first = lines.index(next(ln for ln in lines if ln.startswith("members:")))
    assert lines[first + 1].startswith("  - name: x") and "# member name" in lines[first + 1]
    assert lines[first + 2].startswith("    weight: 2.0") and "# relative weight [> 0]" in lines[first + 2]
    # keys the item does not set: commented out with their defaults and meaning
    assert lines[first + 3].startswith("    # section:") and "# a nested section of the item" in lines[first + 3]
    assert lines[first + 4].startswith("    #   energy: 1.0") and "weight of the energy term" in lines[first + 4]
    assert "  - name: y" in text  # further items as given
    assert "spare: []" in text and "  # each item:" in text and "  # - name: a" in text
    cfg = validate_config(Team, parse_yaml(text), base_dir=cfg_dir)
    assert [m.name for m in cfg.members] == ["x", "y"] and cfg.members[0].weight == 2.0 and cfg.spare == []


def test_flags_over_the_file_and_without_a_file(cfg_dir, monkeypatch):
    from ptmlp.config.load import ConfigChecked, check_only

    (cfg_dir / "c.yaml").write_text("dataset: data.h5\ntraining: {epochs: 3}\n")
    cfg = load_config(Run, cfg_dir / "c.yaml", overrides={"training.epochs": 7, "note": None})
    assert cfg.training.epochs == 7 and cfg.note is None
    with pytest.raises(ConfigError, match=r"c.yaml \(with --epochs 0\): training.epochs = 0 \(an integer\)"):
        load_config(Run, cfg_dir / "c.yaml", overrides={"training.epochs": 0})
    (cfg_dir / "d.yaml").write_text("dataset: data.h5\ntraining: {epochs: 3, epoch: 2}\n")
    with pytest.raises(ConfigError, match=r"/d.yaml: training.epoch: unknown key \(did you mean"):  # the file's own key: no flags
        load_config(Run, cfg_dir / "d.yaml", overrides={"training.epochs": 7})
    monkeypatch.chdir(cfg_dir)  # no file: the flags alone, paths relative to the current folder
    assert load_config(Run, None, overrides={"dataset": "data.h5"}).dataset == str(cfg_dir / "data.h5")
    with pytest.raises(ConfigError, match=r"^command line: dataset: required key missing"):
        load_config(Run, None)
    check_only(True)
    try:
        with pytest.raises(ConfigChecked, match="c.yaml: valid Run config"):
            load_config(Run, cfg_dir / "c.yaml")
    finally:
        check_only(False)


def test_command_line_lists_extend_the_files(cfg_dir):
    (cfg_dir / "b.h5").write_bytes(b"")
    (cfg_dir / "t.yaml").write_text("members: [{name: a}]\n")
    cfg = load_config(Team, cfg_dir / "t.yaml", extend={"members": [{"name": "b"}], "spare": []})
    assert [m.name for m in cfg.members] == ["a", "b"] and cfg.spare == []
    (cfg_dir / "u.yaml").write_text("members: {name: a}\n")
    with pytest.raises(ConfigError, match="u.yaml: members must be a list to take more items from the command line"):
        load_config(Team, cfg_dir / "u.yaml", extend={"members": [{"name": "b"}]})


def test_strict_json_writer_and_reader(tmp_path):
    import numpy as np

    data = {"a_K": float("nan"), "b": [1.0, float("inf"), np.float64(2.5)], "c": np.arange(3), "d": np.int64(4)}
    path = write_json(tmp_path / "s.json", data)
    assert "NaN" not in path.read_text() and "Infinity" not in path.read_text()
    assert read_json(path) == {"a_K": None, "b": [1.0, None, 2.5], "c": [0, 1, 2], "d": 4}
    assert loads(dumps({"x": math.nan})) == {"x": None}
    (tmp_path / "bad.json").write_text('{"x": NaN}')
    with pytest.raises(ValueError, match="bad.json: not valid JSON"):
        read_json(tmp_path / "bad.json")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
