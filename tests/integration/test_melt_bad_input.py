"""Bad input to ``ptmlp melt`` is one clear line on stderr (exit 2), never a traceback or a fake T_m."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
import yaml
from ase import Atoms
from ase.io import write

from ptmlp.lammps_env import venv_bin

from test_melt_workflow import smoke_mapping


def melt(tmp_path, mapping, *extra):
    cfg = tmp_path / "melt.yaml"
    cfg.write_text(yaml.safe_dump(mapping))
    proc = subprocess.run([venv_bin("ptmlp"), "melt", str(cfg), *extra], capture_output=True, text=True,
                          timeout=900)
    return proc, proc.stderr.strip().splitlines()


DROP = object()  # a key left out of the config


@pytest.mark.parametrize("over, problem", [
    ({"pressures_GPa": [3300.0]}, "pressures_GPa[0] = 3300.0 (a number): out of the sane range [-20, 2000] GPa "
                                  "(pressures are in GPa, not bar)"),
    ({"bracket": {"T_low_K": -5.0}}, "bracket.T_low_K = -5.0 (a number): out of the sane range [1, 100000] K"),
    ({"cell": {"long_over_lateral": 0.5}}, "cell.long_over_lateral = 0.5 (a number): expected >= 1.0"),
    ({"nprocs": "2"}, "nprocs = '2' (a string): expected an integer"),
    ({"md": {"sample_every_steps": 10.0}}, "md.sample_every_steps = 10.0 (a number): expected an integer"),
    ({"seed": 3}, "seed: unknown key (did you mean 'seeds'?)"),
    ({"md": {"timestep": 0.01}}, "md.timestep: unknown key (did you mean 'timestep_ps'?)"),
    ({"structure": DROP}, "structure: required key missing (the crystal (ase.build.bulk or a file); its "
                          "conventional cell is replicated into the interface cell)"),
    ({"structure": {"file": "nope.cif"}}, "structure.file = 'nope.cif' (a string): no such file ({tmp}/nope.cif)"),
    ({"potential": {"model": "nope.pt"}}, "potential.model = 'nope.pt' (a string): no such model file ({tmp}/nope.pt)"),
    ({"pressures_GPa": [0.1, 0.2], "bracket": {"T_low_K": [90.0, 95.0, 100.0]}},
     "bracket.T_low_K has 3 values for 2 pressures; give one value or one per entry of pressures_GPa"),
])
def test_bad_config_is_one_line(tmp_path, over, problem):
    """Wrong type, float for int, unknown key, out-of-range value, missing key, missing file: exit 2
    and one stderr line naming the file and the dotted key, before any LAMMPS run."""
    whole = ("structure", "potential")  # replaced, not merged into the smoke config's section
    m = smoke_mapping(tmp_path / "w", **{k: v for k, v in over.items() if k not in whole and v is not DROP})
    for key, value in over.items():
        if value is DROP:
            del m[key]
        elif key in whole:
            m[key] = value
    proc, lines = melt(tmp_path, m)
    assert proc.returncode == 2
    assert lines == [f"ptmlp melt: error: {tmp_path / 'melt.yaml'}: {problem.format(tmp=tmp_path)}"]
    assert not (tmp_path / "w").exists()


def test_missing_config_file(tmp_path):
    proc = subprocess.run([venv_bin("ptmlp"), "melt", str(tmp_path / "nope.yaml")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"ptmlp melt: error: {tmp_path / 'nope.yaml'}: no such config file"


def test_structure_not_crystalline(tmp_path):
    rng = np.random.default_rng(0)
    write(tmp_path / "amorphous.xyz", Atoms("Ar108", positions=rng.uniform(0, 16.2, (108, 3)), cell=[16.2] * 3,
                                            pbc=True), format="extxyz")
    m = smoke_mapping(tmp_path / "w")
    m["structure"] = {"file": "amorphous.xyz"}
    proc, lines = melt(tmp_path, m)
    assert proc.returncode == 2 and len(lines) == 1
    assert lines[0].startswith("ptmlp melt: error: structure is not crystalline: 108 atoms with no symmetry (P1)")


def test_cell_too_small_for_cutoff(tmp_path):
    proc, lines = melt(tmp_path, smoke_mapping(tmp_path / "w", cell={"replicate": [2, 3, 8]}))
    assert proc.returncode == 2
    assert lines == ["ptmlp melt: error: cell too small for the cutoff: x side 10.78 A <= 2 x cutoff 7.5 A; "
                     "use cell.replicate with nx >= 3"]


def test_every_bracket_temperature_melts(tmp_path):
    """Far above T_m (T* ~ 1.7-2.0) the pure solid melts on its own at both ends: no T_m, a new bracket."""
    proc, lines = melt(tmp_path, smoke_mapping(tmp_path / "w", bracket={"T_low_K": 200.0, "T_high_K": 240.0}))
    assert proc.returncode == 2, proc.stdout
    assert len(lines) == 1
    assert lines[0].startswith("ptmlp melt: error: P=0.1722 GPa: every bracket temperature melts (200 K: liquid "
                               "grows; 240 K: liquid grows), T_m is below 200 K; no T_m reported. Try "
                               "bracket.T_low_K: 120, bracket.T_high_K: 200")
    assert "T_m (K)" in proc.stdout and "+-" not in proc.stdout.split("T_m (K)")[1]  # no T_m row printed


def test_example_configs_are_valid(tmp_path):
    """Every inputs/melt/*.yaml passes the structure / interaction / cell checks too (their full
    runs are the slow validations in test_melt_validation.py and the demo)."""
    from ptmlp.melting import from_yaml
    from ptmlp.melting.stages import prepare
    from ptmlp.resources import inputs_dir

    examples = sorted(p for p in (inputs_dir() / "melt").glob("*.yaml") if not p.name.endswith("_slurm.yaml"))
    assert len(examples) >= 4
    for path in examples:
        cfg = from_yaml(str(path))
        cfg.workdir = str(tmp_path / path.stem)
        ctx = prepare(cfg, log=lambda m: None)
        assert ctx.n_atoms >= 300 and (tmp_path / path.stem / "inputs" / "crystal.data").exists()


def test_cli_demo_and_example_config(tmp_path):
    proc = subprocess.run([venv_bin("ptmlp"), "melt", "--print-demo-config"], capture_output=True, text=True)
    assert proc.returncode == 0
    demo = yaml.safe_load(proc.stdout)
    assert demo["method"] == "nph" and demo["potential"]["model"].endswith("fe_demo.pt")
    proc = subprocess.run([venv_bin("ptmlp"), "melt"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.strip() == ("ptmlp melt: error: give a config file or --demo (not "
                                                            "both); ptmlp melt --example prints a complete config")
    proc = subprocess.run([venv_bin("ptmlp"), "melt", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "--example" in proc.stdout and "prints every key" in proc.stdout
    proc = subprocess.run([venv_bin("ptmlp"), "melt", "--example"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("# ptmlp melt config.yaml")
    (tmp_path / "melt.yaml").write_text(proc.stdout)
    from ptmlp.demo import DEMO_MODEL
    from ptmlp.melting import from_yaml

    # valid as printed: the example's potential is model: demo (the shipped model)
    assert from_yaml(tmp_path / "melt.yaml").potential.model == str(DEMO_MODEL)


def test_slurm_curve_workflow_renders(tmp_path):
    """inputs/melt/lj_curve_slurm.yaml: a job array of pressure points, then the collecting run."""
    from ptmlp.resources import inputs_dir

    melt_dir = inputs_dir() / "melt"
    proc = subprocess.run([venv_bin("ptmlp"), "slurm", "render", "lj_curve_slurm.yaml", "--out-dir", str(tmp_path)],
                          capture_output=True, text=True, cwd=melt_dir, timeout=120)
    assert proc.returncode == 0, proc.stderr
    points = (tmp_path / "points.sbatch").read_text()
    n_pressures = len(yaml.safe_load((melt_dir / "lj_curve_bracket.yaml").read_text())["pressures_GPa"])
    assert f"#SBATCH --array=0-{n_pressures - 1}" in points
    assert "ptmlp melt lj_curve_bracket.yaml --pressure-index $SLURM_ARRAY_TASK_ID" in points
    assert "ptmlp melt lj_curve_bracket.yaml\n" in (tmp_path / "curve.sbatch").read_text() + "\n"
