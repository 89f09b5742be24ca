"""Bad input to ``ptmlp melt`` is one clear line on stderr (exit 2), never a traceback or a fake T_m."""

from __future__ import annotations

import subprocess

import numpy as np
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


def test_pressure_out_of_range(tmp_path):
    proc, lines = melt(tmp_path, smoke_mapping(tmp_path / "w", pressures_GPa=[3300.0]))
    assert proc.returncode == 2
    assert lines == ["ptmlp melt: error: pressures_GPa: 3300.0 GPa is out of the sane range [-20, 2000] GPa "
                     "(pressures are in GPa, not bar)"]


def test_temperature_out_of_range(tmp_path):
    proc, lines = melt(tmp_path, smoke_mapping(tmp_path / "w", bracket={"T_low_K": -5.0}))
    assert proc.returncode == 2
    assert lines == ["ptmlp melt: error: bracket.T_low_K=-5.0 K is out of the sane range [1, 100000] K"]


def test_unknown_key(tmp_path):
    proc, lines = melt(tmp_path, smoke_mapping(tmp_path / "w", seed=3))
    assert proc.returncode == 2 and len(lines) == 1 and "unknown key(s) ['seed']" in lines[0]


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
    """Every inputs/melt/*.yaml parses and passes the structure / interaction / cell checks (their
    full runs are the slow validations in test_melt_validation.py and the demo)."""
    from pathlib import Path

    from ptmlp.melting import from_yaml
    from ptmlp.melting.stages import prepare

    examples = sorted(p for p in (Path(__file__).resolve().parents[2] / "inputs" / "melt").glob("*.yaml")
                      if not p.name.endswith("_slurm.yaml"))
    assert len(examples) >= 4
    for path in examples:
        cfg = from_yaml(str(path))
        cfg.workdir = str(tmp_path / path.stem)
        ctx = prepare(cfg, log=lambda m: None)
        assert ctx.n_atoms >= 300 and (tmp_path / path.stem / "inputs" / "crystal.data").exists()


def test_cli_demo_config(tmp_path):
    proc = subprocess.run([venv_bin("ptmlp"), "melt", "--print-demo-config"], capture_output=True, text=True)
    assert proc.returncode == 0
    demo = yaml.safe_load(proc.stdout)
    assert demo["method"] == "nph" and demo["potential"]["model"].endswith("fe_demo.pt")
    proc = subprocess.run([venv_bin("ptmlp"), "melt"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.strip() == "ptmlp melt: error: give a config file or --demo (not both)"


def test_slurm_curve_workflow_renders(tmp_path):
    """inputs/melt/lj_curve_slurm.yaml: a job array of pressure points, then the collecting run."""
    from pathlib import Path

    melt_dir = Path(__file__).resolve().parents[2] / "inputs" / "melt"
    proc = subprocess.run([venv_bin("ptmlp"), "slurm", "render", "lj_curve_slurm.yaml", "--out-dir", str(tmp_path)],
                          capture_output=True, text=True, cwd=melt_dir, timeout=120)
    assert proc.returncode == 0, proc.stderr
    points = (tmp_path / "points.sbatch").read_text()
    n_pressures = len(yaml.safe_load((melt_dir / "lj_curve_bracket.yaml").read_text())["pressures_GPa"])
    assert f"#SBATCH --array=0-{n_pressures - 1}" in points
    assert "ptmlp melt lj_curve_bracket.yaml --pressure-index $SLURM_ARRAY_TASK_ID" in points
    assert "ptmlp melt lj_curve_bracket.yaml\n" in (tmp_path / "curve.sbatch").read_text() + "\n"
