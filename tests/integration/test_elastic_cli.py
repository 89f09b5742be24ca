"""``ptmlp elastic``: the demo model over pressures (summary.json with units and errors, PNGs), and
bad input giving one line and exit status 2 (runs the installed ``ptmlp`` command)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ptmlp.lammps_env import venv_bin

STRUCTURE = "structure: {build: {symbol: Fe, crystalstructure: bcc, a_A: 2.8553, cubic: true}}\n"
EAM = '{pair_style: eam/fs, pair_coeff: "* * {potentials}/Fe_mm.eam.fs Fe", species: [Fe], cutoff_A: 5.3}'


def ptmlp(tmp_path: Path, config: str, *extra):
    (tmp_path / "cfg.yaml").write_text(config)
    return subprocess.run([venv_bin("ptmlp"), "elastic", "--config", str(tmp_path / "cfg.yaml"), *extra],
                          capture_output=True, text=True, cwd=tmp_path)


def test_static_over_pressure(tmp_path):
    proc = ptmlp(tmp_path, STRUCTURE + f"potential: {EAM}\npressures_GPa: [0, 30]\noutdir: out\n"
                 "directions: [[1, 0, 0], [1, 1, 1]]\n")
    assert proc.returncode == 0, proc.stderr
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    st0, st30 = s["states"]
    assert st0["independent_constants_GPa"]["C11"] == pytest.approx(243.3, abs=0.5)  # Mendelev 2003: 243
    assert st30["pressure_GPa"] == pytest.approx(30.0, abs=0.02)
    assert st30["prem_comparison"]["prem_layer"].startswith("lower mantle")
    for key in ("vp_km_per_s", "vp_err_km_per_s", "vs_km_per_s", "vphi_km_per_s"):
        assert key in st0["velocities"]
    assert {"K_hill_GPa", "K_hill_err_GPa", "G_hill_GPa"} <= set(st0["moduli"])
    assert [d["direction_input_frame"] for d in st0["direction_velocities"]] == [[1, 0, 0], [1, 1, 1]]
    assert (tmp_path / "out" / "cij_vs_pressure_T0K.png").stat().st_size > 10_000
    assert (tmp_path / "out" / "velocities_vs_prem.png").stat().st_size > 10_000


@pytest.mark.parametrize("config, message", [
    (STRUCTURE + f"potential: {EAM}\nsymmetry: hexagonal\n",
     "symmetry 'hexagonal' was requested but the structure is cubic (space group Im-3m, No. 229)"),
    (STRUCTURE + f"potential: {EAM}\nsymmetry: cubik\n", "unknown symmetry 'cubik'"),
    (STRUCTURE + f"potential: {EAM}\npressures_GPa: [-100]\n", "target pressure -100.0 GPa is out of range"),
    (STRUCTURE + f"potential: {EAM}\nstatic: {{strain: 0.005, relax: true}}\n", "unknown key(s) relax in static"),
    (STRUCTURE + f"potential: {EAM}\ntemperatures_K: [300]\nmd: {{supercell: [2, 2, 2]}}\n",
     "the MD cell [2, 2, 2] is 5.71 A wide (face-to-face), less than twice the cutoff"),
    ("structure: {build: {symbol: Cu, crystalstructure: fcc, a_A: 3.6}}\n" + f"potential: {EAM}\n",
     "structure has species ['Cu'] that potential eam/fs does not know"),
])
def test_bad_input_is_one_line(tmp_path, config, message, capsys, monkeypatch):
    """In-process ``ptmlp.cli.main.main`` (same code path as the command, without start-up cost)."""
    from ptmlp.cli.main import main

    (tmp_path / "cfg.yaml").write_text(config)
    monkeypatch.chdir(tmp_path)
    assert main(["elastic", "--config", str(tmp_path / "cfg.yaml"), "--outdir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ptmlp elastic: error: ") and message in lines[0], err
