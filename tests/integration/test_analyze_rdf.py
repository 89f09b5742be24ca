"""`ptmlp analyze rdf`: bcc Fe at 300 K (Fe_mm.eam.fs) has its first peak at sqrt(3)/2 a and
8 + 6 = 14 neighbours before the first minimum; `ptmlp analyze` also offers the transport
quantities."""

from __future__ import annotations

import json
import subprocess

import numpy as np

from ptmlp.potential import potentials_dir
from ptmlp.lammps_env import lammps_environment, venv_bin

from conftest import run_lmp

MD = """
units metal
atom_style atomic
lattice bcc 2.855
region box block 0 5 0 5 0 5
create_box 1 box
create_atoms 1 box
mass 1 55.845
pair_style eam/fs
pair_coeff * * {pot} Fe
velocity all create 300 3 mom yes rot yes
fix nvt all nvt temp 300 300 0.1
timestep 0.002
dump d all custom 50 traj.dump id type x y z
run 500
"""


def test_rdf_bcc_iron(tmp_path):
    run_lmp(tmp_path, MD.format(pot=potentials_dir() / "Fe_mm.eam.fs"))
    proc = subprocess.run([venv_bin("ptmlp"), "analyze", "rdf", "traj.dump", "--type-names", "Fe", "--r-max-A", "5.5",
                           "--skip-frames", "2", "--out", "rdf"], cwd=tmp_path, capture_output=True, text=True,
                          env=lammps_environment())
    assert proc.returncode == 0, proc.stderr
    pair = json.loads((tmp_path / "rdf" / "summary.json").read_text())["pairs"]["Fe-Fe"]
    print(proc.stdout)
    assert abs(pair["first_peak_r_A"] - np.sqrt(3) / 2 * 2.855) < 0.1  # A (bins 0.046 A, thermal broadening)
    # at 300 K the 8 (at 2.47 A) and 6 (at 2.86 A) neighbours form one peak pair before the first minimum
    assert 13.5 < pair["coordination_to_first_min"] < 14.5
    assert (tmp_path / "rdf" / "rdf.png").exists()
    help_text = subprocess.run([venv_bin("ptmlp"), "analyze", "--help"], capture_output=True, text=True).stdout
    assert all(k in help_text for k in ("kappa", "viscosity", "diffusion", "conductivity", "rdf"))
