"""NVE with the demo model conserves energy: drift < 1e-4 eV/atom over 10 ps at 1 fs (issue #3).

128-atom bcc Fe at 1000 K (solid for the Mendelev EAM the demo was fitted to), 10,000 steps.
Drift = |slope of a straight-line fit of E_total(t)| x 10 ps, per atom.
"""

from __future__ import annotations

import shutil

import numpy as np

from ptmlp.demo import DEMO_MODEL
from ptmlp.thermo import read_thermo

from conftest import run_lmp

NVE_INPUT = """
units metal
atom_style atomic
lattice bcc 2.80
region box block 0 4 0 4 0 4
create_box 1 box
create_atoms 1 box
mass 1 55.845
pair_style ptmlp fe_demo.pt
pair_coeff * * Fe
velocity all create 2000 87287 mom yes rot yes dist gaussian
fix nve all nve
timestep 0.001
thermo 100
thermo_style custom step time temp pe etotal press
thermo_modify format float %.12g
run 10000
"""


def test_nve_energy_drift(tmp_path, plugin_built):
    shutil.copy(DEMO_MODEL, tmp_path / "fe_demo.pt")
    run_lmp(tmp_path, NVE_INPUT)
    th = read_thermo(tmp_path / "log.lammps")
    n_atoms = 128
    t_ps, e = th["Time"], th["TotEng"] / n_atoms
    slope = np.polyfit(t_ps, e, 1)[0]  # eV/atom/ps
    drift = abs(slope) * 10.0
    spread = e.max() - e.min()
    print(f"NVE 10 ps, 128 Fe atoms, <T> = {th['Temp'][10:].mean():.0f} K: drift {drift:.2e} eV/atom per 10 ps, "
          f"total-energy spread {spread:.2e} eV/atom")
    assert th["Temp"][10:].mean() > 500  # really hot: atoms move
    assert drift < 1e-4  # eV/atom over 10 ps
