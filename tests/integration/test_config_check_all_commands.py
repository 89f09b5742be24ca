"""``ptmlp <command> CONFIG --check`` on every shipped example: "valid ..." and exit 0 without running
anything; the same config with an unknown key: exit 2 and one line naming it.

Shipped examples that name outputs of earlier stages (a trained model, an ELF dataset) are checked
from a copy whose paths are made absolute, with those outputs created as empty files (models: the
demo model), so the check sees every file it names. ``transport run`` is not here: it does not stop
at ``--check`` yet (it loads its config outside ``load_config``).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from ptmlp.config.yaml_io import read_yaml
from ptmlp.demo import DEMO_MODEL
from ptmlp.resources import inputs_dir, slurm_dir

BANDGAP_STAGES = ("correct", "seeds", "perturb", "proxy", "explain", "curves", "run")
SURFACES = {"train": "train", "test": "test", "predict": "predict", "ablation": "ablation", "cv": "cv",
            "depth-scan": "depth_scan", "transfer": "transfer", "wulff": "wulff", "embeddings": "embeddings"}

#: (argv before the config file, shipped example relative to inputs/ or slurm/)
CASES = [
    *[(["al", "run"], f"al/{n}") for n in ("al_emt.yaml", "al_gpaw.yaml", "fe_eam_teacher.yaml")],
    *[(["bandgap", stage], "bandgap/smoke.yaml") for stage in BANDGAP_STAGES],
    (["bandgap", "run"], "bandgap/full.yaml"),
    *[(["elastic"], f"elastic/{n}") for n in ("fe_demo_md_300K.yaml", "fe_eam_static.yaml")],
    *[(["phonons"], f"phonons/{n}") for n in ("fe_demo_vs_eam.yaml", "fe_eam_qha.yaml")],
    *[(["elf", c], f"elf/{c}.yaml") for c in ("generate", "train", "predict")],
    (["fanout"], "fanout/lj_fanout.yaml"),
    *[(["surfaces", c], f"surfaces/{n}.yaml") for c, n in SURFACES.items()],
    (["train"], "train/al_tel_demo.yaml"),
    *[(["melt"], f"melt/{p.name}") for p in sorted((inputs_dir() / "melt").glob("*.yaml"))
      if p.name != "lj_curve_slurm.yaml"],
    (["slurm", "render"], "melt/lj_curve_slurm.yaml"),  # a melting curve as a SLURM workflow
    (["slurm", "render"], "slurm:examples/al_iteration.yaml"),
    (["slurm", "submit"], "slurm:examples/al_iteration.yaml"),
]


def _shipped(name: str) -> Path:
    return slurm_dir() / name[len("slurm:"):] if name.startswith("slurm:") else inputs_dir() / name


def _absolute(value, folder: Path):
    """``value`` with every string that names an existing path relative to ``folder`` made absolute."""
    if isinstance(value, dict):
        return {k: _absolute(v, folder) for k, v in value.items()}
    if isinstance(value, list):
        return [_absolute(v, folder) for v in value]
    if isinstance(value, str) and value and not value.startswith("/") and (folder / value).exists():
        return str((folder / value).resolve())
    return value


def _checked_copy(argv: list[str], example: Path, folder: Path, capsys) -> Path:
    """A copy of ``example`` in ``folder`` (paths absolute) that passes ``--check``: the files it
    names that do not exist are created there."""
    cfg = folder / example.name
    folder.mkdir()
    cfg.write_text(yaml.safe_dump(_absolute(read_yaml(example), example.parent), sort_keys=False))
    for _ in range(10):
        code, out, err = run_cli(argv + [str(cfg), "--check"], capsys)
        if code == 0:
            return cfg
        found = re.search(r"no such [^(]*\(([^)]*)\)", err)
        assert found is not None and Path(found.group(1)).is_relative_to(folder), \
            f"{' '.join(argv)} {example.name} --check: {err.strip()}"
        missing = Path(found.group(1))
        missing.parent.mkdir(parents=True, exist_ok=True)
        if missing.suffix == ".pt":
            shutil.copy(DEMO_MODEL, missing)
        elif "folder" in err and not missing.suffix:
            missing.mkdir()
        elif missing.suffix == ".json":
            missing.write_text("{}\n")
        else:
            missing.write_bytes(b"")
    pytest.fail(f"{' '.join(argv)} {example.name}: could not make the example valid")


@pytest.mark.parametrize("argv, name", CASES, ids=[" ".join(a) + " " + n for a, n in CASES])
def test_check_validates_a_shipped_example_without_running(argv, name, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    example = _shipped(name)
    before = sorted(p.name for p in example.parent.iterdir())
    code, out, err = run_cli(argv + [str(example), "--check"], capsys)
    cfg = example
    if code != 0:  # it names outputs of an earlier stage
        assert re.search(r"no such (file|folder|file or folder) \(", err), err
        cfg = _checked_copy(argv, example, tmp_path / "copy", capsys)
        code, out, err = run_cli(argv + [str(cfg), "--check"], capsys)
    assert code == 0 and err == "", err
    assert out.strip() == f"ptmlp {argv[0]}: {cfg}: valid {out.split(' valid ')[1].split()[0]} config"
    assert sorted(p.name for p in example.parent.iterdir()) == before  # nothing written beside the example
    assert [p.name for p in tmp_path.iterdir() if p.name != "copy"] == []  # nor in the current folder
    # the same file with an unknown key: one line, exit 2
    bad = tmp_path / "bad" / cfg.name
    bad.parent.mkdir()
    data = _absolute(read_yaml(cfg), cfg.parent)
    bad.write_text(yaml.safe_dump({**data, "not_a_key_at_all": 1}, sort_keys=False))
    code, out, err = run_cli(argv + [str(bad), "--check"], capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "not_a_key_at_all" in err, err
