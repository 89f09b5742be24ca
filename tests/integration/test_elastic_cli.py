"""``ptmlp elastic``: the EAM over pressures (summary.json with units and errors, PNGs), the demo model
beyond its stability at 500 GPa (a one-line physical warning, no numpy RuntimeWarning), and bad
input giving one line and exit status 2 (runs the installed ``ptmlp`` command)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ptmlp.lammps_env import venv_bin

STRUCTURE = "structure: {name: Fe, crystalstructure: bcc, a_A: 2.8553, cell: cubic}\n"
EAM = '{pair_style: eam/fs, pair_coeff: ["* * {potentials}/Fe_mm.eam.fs Fe"], type_names: [Fe], cutoff_A: 5.3}'


def ptmlp(tmp_path: Path, config: str, *extra):
    (tmp_path / "cfg.yaml").write_text(config)
    return subprocess.run([venv_bin("ptmlp"), "elastic", str(tmp_path / "cfg.yaml"), *extra],
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


def test_beyond_mechanical_stability_is_one_physical_warning(tmp_path):
    """The demo model (trained to 90 GPa) at 500 GPa: C44 < 0, so shear velocities are imaginary along
    [100] and the anisotropy figures are undefined. The user sees one line saying so, not numpy's
    "invalid value encountered in divide" (measured: C11 4435, C12 4110, C44 -459 GPa)."""
    proc = ptmlp(tmp_path, "structure: {name: Fe, crystalstructure: bcc, a_A: 2.2887, cell: cubic}\n"
                 "potential: {model: demo}\npressures_GPa: [500]\noutdir: out\n")
    assert proc.returncode == 0, proc.stderr
    assert "RuntimeWarning" not in proc.stderr + proc.stdout and "invalid value" not in proc.stderr + proc.stdout
    state = json.loads((tmp_path / "out" / "summary.json").read_text())["states"][0]
    assert not state["born_stability"]["stable"]
    assert state["anisotropy"]["AVs_max_percent"] is None and state["anisotropy"]["imaginary_velocity_directions"] > 0
    assert any("mechanically unstable" in w for w in state["warnings"])
    assert proc.stdout.count("warning: C_ij gives zero or imaginary acoustic velocities") == 1


@pytest.mark.parametrize("config, message", [
    (STRUCTURE + f"potential: {EAM}\nsymmetry: hexagonal\n",
     "symmetry 'hexagonal' was requested but the structure is cubic (space group Im-3m, No. 229)"),
    (STRUCTURE + f"potential: {EAM}\nsymmetry: cubik\n", "symmetry = 'cubik' (a string): expected one of 'auto'"),
    (STRUCTURE + f"potential: {EAM}\npressures_GPa: [-100]\n",
     "pressures_GPa[0] = -100 (an integer): expected >= -50"),
    (STRUCTURE + f"potential: {EAM}\nstatic: {{strain: 0.005, relax: true}}\n",
     "static.relax: unknown key (did you mean 'relax_ions'?)"),
    (STRUCTURE + f"potential: {EAM}\nstatic: {{n_amplitudes: '2'}}\n",
     "static.n_amplitudes = '2' (a string): expected an integer"),
    (STRUCTURE + f"potential: {EAM}\nstatic: {{n_amplitudes: 2.5}}\n",
     "static.n_amplitudes = 2.5 (a number): expected an integer"),
    (STRUCTURE + f"potential: {EAM}\nmd: {{strain: 0.5}}\n", "md.strain = 0.5 (a number): expected <= 0.05"),
    (STRUCTURE + "pressures_GPa: [0]\n", "potential: required key missing"),
    ("structure: {file: nothere.cif}\n" + f"potential: {EAM}\n",
     "structure.file = 'nothere.cif' (a string): no such file"),
    (STRUCTURE + f"potential: {EAM}\ntemperatures_K: [300]\nmd: {{supercell: [2, 2, 2]}}\n",
     "the MD cell [2, 2, 2] is 5.71 A wide (face-to-face), less than twice the cutoff"),
    ("structure: {name: Cu, crystalstructure: fcc, a_A: 3.6}\n" + f"potential: {EAM}\n",
     "potential eam/fs: type_names ['Fe'] lack the structure's species ['Cu']"),
])
def test_bad_input_is_one_line(tmp_path, config, message, capsys, monkeypatch):
    """In-process ``ptmlp.cli.main.main`` (same code path as the command, without start-up cost)."""
    from ptmlp.cli.main import main

    (tmp_path / "cfg.yaml").write_text(config)
    monkeypatch.chdir(tmp_path)
    assert main(["elastic", str(tmp_path / "cfg.yaml"), "--outdir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ptmlp elastic: error: ") and message in lines[0], err


def test_missing_config_file_and_old_option(tmp_path, capsys):
    from ptmlp.cli.main import main

    assert main(["elastic", str(tmp_path / "nothere.yaml")]) == 2
    assert capsys.readouterr().err.strip() == f"ptmlp elastic: error: {tmp_path / 'nothere.yaml'}: no such config file"
    assert main(["elastic", "--config", str(tmp_path / "nothere.yaml")]) == 2  # the old spelling still works
    assert "nothere.yaml: no such config file" in capsys.readouterr().err
    assert main(["elastic"]) == 2
    assert "ptmlp elastic --example prints a complete one" in capsys.readouterr().err
