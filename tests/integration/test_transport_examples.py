"""Smoke runs of the shipped transport examples (inputs/transport/*.yaml): ``ptmlp transport run``
with few steps (set through the example's own ``variables``), then the matching analysis; both
summary.json files are read back as strict JSON. Numbers are not validated here (too short)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from ptmlp.jsonfile import read_json
from ptmlp.resources import inputs_dir

SHORT = {"melt_steps": 200, "equil_steps": 200, "run_steps": 2000}
ANALYSIS = {"msd": ["diffusion"], "gk_viscosity": ["viscosity", "--max-correlation-time-ps", "0.5"],
            "gk_kappa": ["kappa", "--max-correlation-time-ps", "0.5"]}
RESULT = {"msd": "D_{species}_m2_per_s", "gk_viscosity": "viscosity_Pa_s", "gk_kappa": "kappa_W_per_mK"}


def ptmlp(*args, cwd):
    return subprocess.run([sys.executable, "-m", "ptmlp.cli.main", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.parametrize("example", sorted((inputs_dir() / "transport").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_example_runs_and_analyses(tmp_path, example):
    cfg = yaml.safe_load(example.read_text())
    cfg["variables"].update({k: v for k, v in SHORT.items() if k in cfg["variables"]})
    cfg["n_runs"] = 2
    (tmp_path / example.name).write_text(yaml.safe_dump(cfg))
    p = ptmlp("transport", "run", example.name, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("ptmlp transport run: 2 run(s) of ")
    assert "  [run 1/2 start] run_000: " in p.stdout and "  [run 2/2 done] run_001: " in p.stdout
    run = read_json(tmp_path / cfg["workdir"] / "summary.json")
    assert run["template"] == cfg["template"] and [r["seed"] for r in run["runs"]] == [cfg["first_seed"],
                                                                                      cfg["first_seed"] + 1]
    assert run["variables"]["run_steps"] == SHORT["run_steps"] and run["n_atoms"] >= 100
    folders = [r["folder"] for r in run["runs"]]
    p = ptmlp("transport", *ANALYSIS[cfg["template"]], *folders, "--out", "analysis", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    s = read_json(tmp_path / "analysis/summary.json")
    key = RESULT[cfg["template"]].format(species=run["type_names"][0])
    print(f"{example.name}: {key} = {s[key]:.4g} +- {s[key + '_err']:.2g} (smoke run)")
    assert s[key] > 0 and s[key + "_err"] > 0
