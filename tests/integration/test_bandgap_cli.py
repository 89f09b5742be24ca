"""``ptmlp bandgap``: --example validates, and bad input (unknown element, non-oxide where an oxide is
needed, malformed formula, empty CSV, a stage run before its inputs exist) is one stderr line naming the
entry, exit 2, no traceback (issue #24)."""

import subprocess
import sys

import pytest
import yaml

from ptmlp.bandgap.config import BandgapConfig
from ptmlp.cli.main import main
from ptmlp.config import ConfigError, validate_config


def _config(tmp_path, mp_text="formula,target\nZnO,0.7\n", expt_text="formula,target\nZnO,3.4\n", **extra):
    (tmp_path / "mp.csv").write_text(mp_text)
    (tmp_path / "expt.csv").write_text(expt_text)
    data = {"data": {"mp_csv": "mp.csv", "expt_csv": "expt.csv"}, "outdir": "out"} | extra
    path = tmp_path / "bandgap.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _one_line(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err, err
    return err


def test_example_prints_every_section_and_validates(capsys, tmp_path):
    assert main(["bandgap", "run", "--example"]) == 0
    text = capsys.readouterr().out
    for key in ("mp_csv", "correction:", "candidates:", "proxy:", "explain:", "curves:", "cases:", "ZnBi2O4"):
        assert key in text
    data = yaml.safe_load(text)
    (tmp_path / "mp.csv").write_text("formula,target\nZnO,1\n")
    (tmp_path / "expt.csv").write_text("formula,target\nZnO,3\n")
    data["data"] = {"mp_csv": "mp.csv", "expt_csv": "expt.csv"}
    cfg = validate_config(BandgapConfig, data, base_dir=tmp_path)
    assert cfg.cases[1].formula == "Mg2SiO4" and cfg.perturbation.steps == 10


@pytest.mark.parametrize("mp_text, words", [
    ("formula,target\nZnO,0.7\nZn2Xq3,1.0\n", "mp.csv:3: formula 'Zn2Xq3': unknown element 'Xq'"),
    ("formula,target\nZnO,0.7\nZn(O,1.0\n", "mp.csv:3: formula 'Zn(O': unbalanced"),
    ("", "mp.csv: empty file"),
    ("formula,target\n", "mp.csv: no rows"),
])
def test_bad_csv_is_one_line(capsys, tmp_path, mp_text, words):
    err = _one_line(capsys, ["bandgap", "correct", str(_config(tmp_path, mp_text=mp_text))])
    assert words in err and err.startswith("ptmlp bandgap: error:")


@pytest.mark.parametrize("extra, words", [
    ({"cases": [{"formula": "ZnBi2S4"}]}, "'ZnBi2S4' is not an oxide"),
    ({"cases": [{"formula": "Zn2Bi2O4"}]}, "AB2O4 stoichiometry"),
    ({"cases": [{"formula": "ZnBi2O4", "elements": ["Zz"]}]}, "'Zz' is not an element symbol"),
    ({"perturbation": {"candidates": ["Mg", "Xx"]}}, "candidates[1] = 'Xx' is not an element symbol"),
    ({"perturbation": {"candidates": ["Mg", "O"]}}, "'O' is not a cation"),
    ({"proxy": {"epoch": 3}}, "epoch"),
])
def test_bad_config_is_one_line(capsys, tmp_path, extra, words):
    err = _one_line(capsys, ["bandgap", "seeds", str(_config(tmp_path, **extra))])
    assert words in err


def test_stage_without_its_inputs_names_the_stage(capsys, tmp_path):
    err = _one_line(capsys, ["bandgap", "perturb", str(_config(tmp_path))])
    assert "run `ptmlp bandgap seeds`" in err


def test_subprocess_unknown_element_exit_2_no_traceback(tmp_path):
    cfg = _config(tmp_path, expt_text="formula,target\nZnO,3.4\nAbc2,1\n")
    r = subprocess.run([sys.executable, "-m", "ptmlp.cli.main", "bandgap", "correct", str(cfg)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "Traceback" not in r.stderr
    assert "expt.csv:3: formula 'Abc2': unknown element 'Ab'" in r.stderr


def test_config_error_type():
    with pytest.raises(ConfigError):
        validate_config(BandgapConfig, {"data": {}})
