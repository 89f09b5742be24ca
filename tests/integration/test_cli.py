"""The `ptmlp` command line: one-line errors, and a smoke run of `ptmlp demo` (what `make demo` runs)."""

from __future__ import annotations

import subprocess

from ptmlp.demo import DEMO_MODEL
from ptmlp.lammps_env import venv_bin


def ptmlp(*args, cwd=None):
    return subprocess.run([venv_bin("ptmlp"), *args], capture_output=True, text=True, cwd=cwd)


def test_info_prints_metadata():
    proc = ptmlp("info", str(DEMO_MODEL))
    assert proc.returncode == 0, proc.stderr
    assert "species         Fe" in proc.stdout and "r_cut           5.0 angstrom" in proc.stdout


def test_info_bad_file_is_one_line(tmp_path):
    proc = ptmlp("info", str(tmp_path / "missing.pt"))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"ptmlp info: error: model file {tmp_path / 'missing.pt'}: no such file"]


def test_demo_smoke(tmp_path, plugin_built):
    proc = ptmlp("demo", "--steps", "200", "--cells", "3", "--workdir", str(tmp_path / "run"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "temperature (K)" in proc.stdout and "speed (katom-step/s)" in proc.stdout
    assert (tmp_path / "run" / "md_final.data").exists()
