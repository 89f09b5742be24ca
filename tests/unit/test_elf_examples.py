"""The shipped ELF configs (inputs/elf/) and the `--example` output of `ptmlp elf generate|train|predict`
are valid configs; config mistakes of each command are one stderr line naming the dotted key, exit 2."""

from __future__ import annotations

import shutil

import pytest

from ptmlp.cli.main import main
from ptmlp.config import load_config
from ptmlp.elf.config import GenerateConfig, PredictConfig, TrainConfig
from ptmlp.resources import inputs_dir

MODELS = {"generate": GenerateConfig, "train": TrainConfig, "predict": PredictConfig}
# files the steps before make (generate -> elf_h.h5, train -> elf_h.pt), and those the examples name
MADE_BEFORE = ("elf_h.h5", "elf_h.pt", "elf_data.h5", "elf_model.pt", "traj.dump")


def touch_inputs(folder) -> None:
    for name in MADE_BEFORE:
        (folder / name).write_bytes(b"")


@pytest.mark.parametrize("command", sorted(MODELS))
def test_shipped_config_is_valid(tmp_path, command):
    shutil.copy(inputs_dir() / "elf" / f"{command}.yaml", tmp_path)
    touch_inputs(tmp_path)
    cfg = load_config(MODELS[command], tmp_path / f"{command}.yaml")
    if command == "generate":
        assert [s.name for s in cfg.fluid] == ["fluid_v2.50", "fluid_v2.14"] and cfg.crystals.count == 4
        assert cfg.output == str(tmp_path / "elf_h.h5")
    elif command == "train":
        assert cfg.dataset == str(tmp_path / "elf_h.h5") and cfg.validation_groups == ["fluid_*_run1"]
    else:
        assert cfg.model == str(tmp_path / "elf_h.pt") and cfg.inputs == [str(tmp_path / "elf_h.h5")]


@pytest.mark.parametrize("command", sorted(MODELS))
def test_example_output_is_a_valid_config(tmp_path, capsys, command):
    assert main(["elf", command, "--example"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"# ptmlp elf {command} config")
    (tmp_path / "example.yaml").write_text(text)
    touch_inputs(tmp_path)
    cfg = load_config(MODELS[command], tmp_path / "example.yaml")
    assert set(cfg.model_fields_set) == set(MODELS[command].model_fields)  # every key is in the example


def one_line_error(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


BAD = [
    ("train", "epochs: '80'\n", "epochs = '80' (a string): expected an integer"),
    ("train", "epochs: 8.0\n", "epochs = 8.0 (a number): expected an integer"),
    ("train", "hiden: [64]\n", "hiden: unknown key (did you mean 'hidden'?)"),
    ("train", "l_max: 7\n", "l_max = 7 (an integer): expected <= 6"),
    ("train", "dataset: none.h5\n", "dataset = 'none.h5' (a string): no such file"),
    ("generate", "fluid: [{volume_per_atom_A3: fast}]\n", "fluid[0].volume_per_atom_A3 = 'fast' (a string): "
                                                          "expected a number"),
    ("generate", "dft: {ecut_eV: 50}\n", "dft.ecut_eV = 50 (an integer): expected >= 100"),
    ("generate", "crystals: {count: 2, n_atom_max: 3}\n", "crystals.n_atom_max: unknown key (did you mean "
                                                          "'n_atoms_max'?)"),
    ("generate", "md_dft: {kpts: [1, 1, 1.5]}\n", "md_dft.kpts[2] = 1.5 (a number): expected an integer"),
    ("predict", "inputs: [elf_data.h5]\n", "model: required key missing"),
    ("predict", "model: elf_model.pt\ninputs: [elf_data.h5]\nevery: 0\n", "every = 0 (an integer): expected >= 1"),
    ("predict", "model: elf_model.pt\ninputs: [elf_data.h5, none.dump]\n", "inputs[1] = 'none.dump' (a string): "
                                                                            "no such file"),
    ("predict", "model: elf_model.pt\ninputs: [elf_data.h5]\ngrid: [10, 10]\n", "grid = [10, 10] (a list): "
                                                                                 "expected at least 3 item(s)"),
]


@pytest.mark.parametrize("command, text, expected", BAD)
def test_bad_config_is_one_line(tmp_path, capsys, command, text, expected):
    touch_inputs(tmp_path)
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    assert one_line_error(capsys, ["elf", command, str(path)]).startswith(f"ptmlp elf: error: {path}: {expected}")


def test_missing_config_and_old_predict_option(tmp_path, capsys):
    missing = tmp_path / "none.yaml"
    for command in MODELS:
        assert one_line_error(capsys, ["elf", command, str(missing)]) == \
            f"ptmlp elf: error: {missing}: no such config file"
    assert "give a config file" in one_line_error(capsys, ["elf", "generate"])
    touch_inputs(tmp_path)
    (tmp_path / "p.yaml").write_text("model: elf_model.pt\ninputs: [elf_data.h5]\nthreads: 0\n")
    assert one_line_error(capsys, ["elf", "predict", "--config", str(tmp_path / "p.yaml")]) == \
        f"ptmlp elf: error: {tmp_path / 'p.yaml'}: threads = 0 (an integer): expected >= 1"
