"""The Green-Kubo heat flux with pair_style ptmlp (shipped demo Fe model) and with its EAM
teacher: compute heat/flux on compute centroid/stress/atom runs through the gk_kappa.in
template; the flux LAMMPS reports equals sum_i e_i v_i - sum_i S_i v_i recomputed from the
dumped per-atom energies and (asymmetric) centroid stresses; the per-atom centroid virials
sum to the global virial."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from ptmlp.demo import DEMO_MODEL
from ptmlp.potential import PotentialSpec
from ptmlp.thermo import read_thermo
from ptmlp.transport.drivers import run_template
from ptmlp.transport.readers import read_ave_time
from ptmlp.units import LAMMPS_METAL_NKTV2P

from conftest import run_lmp

CHECK_INPUT = """
units metal
atom_style atomic
lattice bcc 2.87
region box block 0 3 0 3 0 3
create_box 1 box
create_atoms 1 box
mass 1 55.845
displace_atoms all random 0.08 0.08 0.08 9517
{pair}
velocity all create 1800 4928 mom yes rot yes dist gaussian
fix nve all nve
timestep 0.001
compute ke all ke/atom
compute pe all pe/atom
compute st all centroid/stress/atom NULL virial
compute flux all heat/flux ke pe st
compute stsum all reduce sum c_st[1] c_st[2] c_st[3] c_st[4] c_st[5] c_st[6] c_st[7] c_st[8] c_st[9]
compute pvir all pressure NULL virial
thermo_style custom step vol c_flux[1] c_flux[2] c_flux[3] c_stsum[*] c_pvir[1] c_pvir[2] c_pvir[3] c_pvir[4] c_pvir[5] c_pvir[6]
thermo_modify format float %.15g
thermo 20
dump d all custom 20 atoms.dump id vx vy vz c_ke c_pe c_st[*]
dump_modify d sort id format float %.15g
run 20
"""

PAIRS = {"ptmlp": "pair_style ptmlp fe_demo.pt\npair_coeff * * Fe",
         "eam": "pair_style eam/fs\npair_coeff * * {eam} Fe"}


@pytest.mark.parametrize("style", ["ptmlp", "eam"])
def test_heat_flux_from_centroid_stress_and_virial_sum(tmp_path, plugin_built, style):
    from ptmlp.potential import potentials_dir

    shutil.copy(DEMO_MODEL, tmp_path / "fe_demo.pt")
    pair = PAIRS[style].format(eam=potentials_dir() / "Fe_mm.eam.fs")
    run_lmp(tmp_path, CHECK_INPUT.format(pair=pair))
    th = read_thermo(tmp_path / "log.lammps")
    last = {k: v[-1] for k, v in th.items()}
    rows = (tmp_path / "atoms.dump").read_text().splitlines()
    start = max(k for k, line in enumerate(rows) if line.startswith("ITEM: ATOMS")) + 1
    a = np.array([[float(x) for x in line.split()] for line in rows[start:]])
    v, e, s = a[:, 1:4], a[:, 4] + a[:, 5], a[:, 6:15] / LAMMPS_METAL_NKTV2P  # s: eV, order xx yy zz xy xz yz yx zx zy
    # S_i as a full tensor: rows = first index
    full = np.stack([np.stack([s[:, 0], s[:, 3], s[:, 4]], 1), np.stack([s[:, 6], s[:, 1], s[:, 5]], 1),
                     np.stack([s[:, 7], s[:, 8], s[:, 2]], 1)], 1)
    jv = (e[:, None] * v).sum(0) - np.einsum("nab,nb->a", full, v)
    lammps_jv = np.array([last["c_flux[1]"], last["c_flux[2]"], last["c_flux[3]"]])
    print(f"{style}: heat flux J*V from LAMMPS {lammps_jv}, recomputed {jv} eV A/ps")
    np.testing.assert_allclose(lammps_jv, jv, rtol=1e-8, atol=1e-9 * np.abs(jv).max())
    # sum of per-atom centroid virials = -P_virial V (xx yy zz xy xz yz; yx zx zy equal xy xz yz in sum)
    ssum = np.array([last[f"c_stsum[{k}]"] for k in range(1, 10)])
    pv = np.array([last[f"c_pvir[{k}]"] for k in range(1, 7)])
    np.testing.assert_allclose(ssum[:6], -pv * last["Volume"], rtol=1e-8, atol=1e-6 * np.abs(pv * last["Volume"]).max())
    np.testing.assert_allclose(ssum[6:], ssum[3:6], rtol=1e-8, atol=1e-6 * np.abs(ssum).max())
    asym = np.abs(full - full.transpose(0, 2, 1)).max()
    print(f"{style}: max |S_ab - S_ba| per atom = {asym:.3g} eV")
    if style == "ptmlp":
        assert asym > 1e-4  # many-body: the centroid per-atom virial is not symmetric


def test_gk_kappa_template_runs_with_ptmlp_demo_model(tmp_path, plugin_built):
    """gk_kappa.in with the demo model on a 54-atom bcc cell (smoke: 300 NVE steps)."""
    from ase.build import bulk

    atoms = bulk("Fe", "bcc", a=2.87, cubic=True).repeat((3, 3, 3))
    run_template("gk_kappa", tmp_path / "run", PotentialSpec(model=str(DEMO_MODEL), type_names=["Fe"]), atoms,
                 variables=dict(T=1200, dt=0.001, equil_steps=100, run_steps=300, sample_every=2, pressure="yes"))
    header, data = read_ave_time(tmp_path / "run/heatflux.dat")
    assert header[1:4] == ["c_flux[1]", "c_flux[2]", "c_flux[3]"] and len(data) == 151
    assert np.all(np.isfinite(data)) and np.abs(data[:, 1:4]).max() > 0
    e = data[:, header.index("v_E_tot")]
    assert np.ptp(e) / 54 < 1e-3  # NVE with the demo model: energy conserved to < 1 meV/atom
    info = (tmp_path / "run/run_info.yaml").read_text()
    assert "species: Fe" in info and "stress_compute: centroid/stress/atom" in info


def test_include_file_names_the_wheel_potential_by_absolute_path(tmp_path):
    """The interaction include written for the templates names files by absolute paths (nothing is
    copied) and leaves the masses to the data file."""
    from ase.build import bulk

    from ptmlp.lammps_env import LammpsRunError
    from ptmlp.potential import potentials_dir

    pot = PotentialSpec(pair_style="eam/fs", pair_coeff=["* * {potentials}/Fe_mm.eam.fs Fe"])
    with pytest.raises(LammpsRunError, match="must be positive"):  # no steps: LAMMPS stops after the files are written
        run_template("gk_kappa", tmp_path, pot, bulk("Fe", "bcc", a=2.87, cubic=True),
                     variables=dict(run_steps=0), timeout_s=60)
    text = (tmp_path / "potential.mod").read_text()
    assert f"pair_coeff * * {potentials_dir() / 'Fe_mm.eam.fs'} Fe" in text and "mass" not in text
    assert not (tmp_path / "Fe_mm.eam.fs").exists()
