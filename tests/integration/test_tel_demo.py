"""The shipped T_e demo (compressed Al, GPAW Fermi-Dirac labels at 1000/4000/8000 K; recipe:
python -m ptmlp.demo.regenerate_tel): free-energy change with T_e on held-out geometries,
NVE conservation of the free energy at constant T_e, NVT with T_e following the ions."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from ptmlp.calculator import PtmlpCalculator
from ptmlp.data.store import Dataset
from ptmlp.demo.regenerate_tel import TEL_DATA, TEL_MODEL, TEL_SPLIT
from ptmlp.thermo import read_thermo

from conftest import run_lmp


def test_free_energy_change_with_te_on_held_out_geometries():
    """DFT F(8000 K) - F(1000 K) per held-out geometry vs the model's: within 10% each."""
    split = json.loads(TEL_SPLIT.read_text())
    frames = Dataset(TEL_DATA).read(split["test"])
    by_geo: dict[str, dict[float, object]] = {}
    for f in frames:
        by_geo.setdefault(f.group, {})[f.te_K] = f
    rows = []
    for geo, fr in sorted(by_geo.items()):
        if 1000.0 not in fr or 8000.0 not in fr:
            continue
        f_model = {}
        for te in (1000.0, 8000.0):
            a = fr[te].atoms.copy()
            a.calc = PtmlpCalculator(TEL_MODEL, te_K=te)
            f_model[te] = a.get_potential_energy()
        d_dft = fr[8000.0].energy_eV - fr[1000.0].energy_eV
        d_model = f_model[8000.0] - f_model[1000.0]
        rows.append((geo, d_dft, d_model))
        print(f"{geo}: dF(1000->8000 K) DFT {d_dft:+.4f} eV, model {d_model:+.4f} eV "
              f"({100 * (d_model - d_dft) / d_dft:+.1f}%)")
    assert len(rows) >= 3
    for _, d_dft, d_model in rows:
        assert abs(d_model - d_dft) < 0.10 * abs(d_dft)


MD = """
units metal
atom_style atomic
lattice fcc 3.85
region box block 0 3 0 3 0 3
create_box 1 box
create_atoms 1 box
mass 1 26.9815
pair_style ptmlp/tel al_tel.pt tel {tel}
pair_coeff * * Al
compute S all ptmlp/tel/entropy
velocity all create {T} 5151 mom yes rot yes dist gaussian
{fix}
timestep 0.001
thermo 100
thermo_style custom step time temp pe etotal press c_S[2]
thermo_modify format float %.12g
run {steps}
"""


def test_nve_conserves_free_energy_at_constant_te(tmp_path, plugin_built):
    shutil.copy(TEL_MODEL, tmp_path / "al_tel.pt")
    run_lmp(tmp_path, MD.format(tel=4000, T=1200, fix="fix nve all nve", steps=10000))
    th = read_thermo(tmp_path / "log.lammps")
    e = th["TotEng"] / 108
    drift = abs(np.polyfit(th["Time"], e, 1)[0]) * 10.0
    print(f"NVE 10 ps at T_e = 4000 K, 108 Al: <T> {th['Temp'][10:].mean():.0f} K, drift {drift:.2e} eV/atom, "
          f"spread {e.max() - e.min():.2e} eV/atom")
    assert th["Temp"][10:].mean() > 300
    assert drift < 1e-4  # eV/atom over 10 ps


def test_nvt_with_te_following_ionic_temperature(tmp_path, plugin_built):
    shutil.copy(TEL_MODEL, tmp_path / "al_tel.pt")
    run_lmp(tmp_path, MD.format(tel="c_thermo_temp", T=4000, fix="fix nvt all nvt temp 4000 4000 0.1", steps=2000))
    th = read_thermo(tmp_path / "log.lammps")
    half = len(th["Step"]) // 2
    t_mean, te_mean = th["Temp"][half:].mean(), th["c_S[2]"][half:].mean()
    print(f"NVT 2 ps, T_e = ionic T: <T> {t_mean:.0f} K, <T_e> {te_mean:.0f} K, PE/atom "
          f"{th['PotEng'][half:].mean() / 108:.4f} +- {th['PotEng'][half:].std() / 108:.4f} eV")
    assert np.isfinite(th["PotEng"]).all()
    assert abs(t_mean - 4000) < 400 and abs(te_mean - t_mean) < 100  # K
