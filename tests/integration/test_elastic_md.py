"""Finite-temperature elastic constants through inputs/elastic.in (real ``lmp``).

Default suite: the template run as a user runs it (``lmp -in elastic.in``) at 5 K must give the
0 K constants of the potential (Mendelev et al. 2003 Fe: C11 = 243, C12 = 145, C44 = 116 GPa,
Phil. Mag. 83, 3977, Table 3); the Python driver on a rotated hcp crystal (tilted LAMMPS box,
rotation back to the input frame) at 2 K must give the 0 K finite-strain result; bad input.

Slow (``-m slow``): Fe at 300 K and 1000 K against the stress-fluctuation method of LAMMPS's
examples/ELASTIC_T/BORN_MATRIX (compute born/matrix, an independent route: one NVT run at the
same box, C = <Born> - V/kT cov(sigma) + kinetic term); Stillinger-Weber Si at 1477 K and
a = 5.457 A against the published LAMMPS example log (examples/ELASTIC_T/BORN_MATRIX/Silicon/
log.22Nov25.elastic.ortho.g++.4: C11 = 133.2, C12 = 73.9, C44 = 46.0 GPa, 216 atoms, the
benchmark of Kluge, Ray & Rahman, J. Chem. Phys. 85, 4028 (1986)); the demo model vs its EAM
teacher at 300 K.

Measured with the slow tests (250 Fe atoms, 3 seeds; fluctuation: 200 ps NVT):
  300 K:  C11 221.62+-0.29 vs 221.83+-0.13, C12 123.80+-0.38 vs 124.12+-0.11, C44 95.05+-0.54 vs 94.69+-0.05 GPa
  1000 K: C11 171.27+-0.58 vs 174.08+-0.25, C12 104.09+-0.41 vs 105.68+-0.14, C44 80.43+-0.79 vs 79.97+-0.12 GPa
  SW Si 1477 K (2 seeds, strain 0.02): C11 132.81+-0.30, C12 73.70+-0.21, C44 45.29+-0.14 GPa
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from scipy.spatial.transform import Rotation

from ptmlp.elastic.md import elastic_md, template_path
from ptmlp.elastic.static import elastic_static
from ptmlp.errors import InputError
from ptmlp.potential import PotentialSpec, potentials_dir
from ptmlp.relax import relax_to_pressure

FE = dict(pair_style="eam/fs", pair_coeff=["* * {potentials}/Fe_mm.eam.fs Fe"], type_names=["Fe"], cutoff_A=5.3)


def fe_potential() -> PotentialSpec:
    return PotentialSpec(**FE)


def test_template_standalone_near_0K(tmp_path):
    from conftest import run_lmp

    shutil.copy(template_path(), tmp_path / "elastic.in")
    (tmp_path / "potential.mod").write_text(f"pair_style eam/fs\npair_coeff * * {potentials_dir()}/Fe_mm.eam.fs Fe\n")
    text = (tmp_path / "elastic.in").read_text()
    variables = ("variable lattice index bcc\nvariable n index 4\nvariable T index 5\nvariable nequil index 400\n"
                 "variable navg index 400\nvariable nequil_strain index 100\nvariable nrun index 400\n"
                 "variable nevery index 5\n")
    proc = run_lmp(tmp_path, variables + text)
    c = np.loadtxt(tmp_path / "elastic_Cij.txt", comments="#")
    assert c.shape == (6, 6)
    assert np.diag(c)[:3] == pytest.approx([243.0] * 3, abs=2.0)  # GPa
    assert [c[0, 1], c[0, 2], c[1, 2]] == pytest.approx([145.0] * 3, abs=2.0)
    assert np.diag(c)[3:] == pytest.approx([116.0] * 3, abs=2.0)
    assert np.abs(c[:3, 3:]).max() < 2.0 and "elastic.in: C11" in proc.stdout
    ref = np.loadtxt(tmp_path / "elastic_ref.txt", comments="#")
    assert ref[0] / 4 == pytest.approx(2.8553, abs=2e-3)  # NPT at 0 GPa, 5 K: the 0 K lattice constant


def test_driver_rotated_hcp_matches_static(tmp_path):
    pot = fe_potential()
    calc = pot.ase_calculator_instance()
    hcp = relax_to_pressure(bulk("Fe", "hcp", a=2.47, covera=1.63), calc, 0.0)
    rot = Rotation.from_euler("zyx", [20, 35, 10], degrees=True).as_matrix()
    hcp.set_cell(hcp.cell.array @ rot.T, scale_atoms=True)
    static = elastic_static(hcp, calc, pressure_GPa=None)
    with pytest.warns(UserWarning, match="one seed: the errors are block averages"):
        md = elastic_md(hcp, pot, tmp_path, temperature_K=2.0, pressure_GPa=None, strain=0.002, seeds=[1],
                        steps=dict(nequil=300, navg=300, nequil_strain=300, nrun=1200, nevery=5))
    assert md.symmetry.crystal_system == "hexagonal" and md.settings["barostat"] == "none"
    # measured 0.6 GPa at strain 0.002 and 2 K (1% strain gives ~5 GPa: hcp Fe_mm is soft along c)
    np.testing.assert_allclose(md.C_sym_GPa, static.C_sym_GPa, atol=1.5)
    s = md.summary()
    assert set(s["independent_constants_GPa"]) == {"C11", "C12", "C13", "C33", "C44"}
    assert s["pressure_GPa"] == pytest.approx(0.0, abs=0.05)


def test_driver_bad_input(tmp_path):
    pot = fe_potential()
    fe = bulk("Fe", "bcc", a=2.8553, cubic=True)
    with pytest.raises(InputError, match=r"the MD cell \[2, 2, 2\] is 5.71 A wide.*use supercell \[4, 4, 4\]"):
        elastic_md(fe, pot, tmp_path, temperature_K=300, supercell=[2, 2, 2])
    with pytest.raises(InputError, match="temperature_K 0 must be positive"):
        elastic_md(fe, pot, tmp_path, temperature_K=0)
    with pytest.raises(InputError, match=r"elastic_md steps: nstep: unknown key"):
        elastic_md(fe, pot, tmp_path, temperature_K=300, steps={"nstep": 10})
    with pytest.raises(InputError, match="out of range"):
        elastic_md(fe, pot, tmp_path, temperature_K=300, pressure_GPa=-400.0)
    with pytest.raises(InputError, match=r"type_names \['Fe'\] lack the structure's species \['Cu'\]"):
        elastic_md(bulk("Cu", "fcc", a=3.6, cubic=True), pot, tmp_path, temperature_K=300)


# ------------------------------------------------------------------------------------------- slow
def fluctuation_cij(run_lmp, workdir: Path, cell, n_atoms_per_side: int, temperature_K: float,
                    pair_lines: str, steps: int = 200000, seed: int = 12345) -> tuple[np.ndarray, np.ndarray]:
    """Stress-fluctuation C_ij (GPa) and block errors: LAMMPS examples/ELASTIC_T/BORN_MATRIX method."""
    from ptmlp.elastic.stats import block_mean_error

    lx = cell[0, 0] / n_atoms_per_side
    text = f"""units metal
atom_style atomic
boundary p p p
lattice bcc {lx}
region box prism 0 {n_atoms_per_side} 0 {n_atoms_per_side} 0 {n_atoms_per_side} 0 0 0
create_box 1 box
create_atoms 1 box
mass 1 55.845
{pair_lines}
timestep 0.001
velocity all create {2 * temperature_K} {seed} mom yes rot no
fix nvt all nvt temp {temperature_K} {temperature_K} 0.1
thermo 10000
run 10000
reset_timestep 0
compute virial all pressure NULL virial
variable v1 equal c_virial[1]
variable v2 equal c_virial[2]
variable v3 equal c_virial[3]
variable v4 equal c_virial[6]
variable v5 equal c_virial[5]
variable v6 equal c_virial[4]
compute born all born/matrix numdiff 1e-6 virial
fix sv all ave/time 10 1 10 v_v1 v_v2 v_v3 v_v4 v_v5 v_v6 file virial.txt
fix sb all ave/time 100 1 100 c_born[*] file born.txt
run {steps}
print "VOLUME $(vol:%.8f) NATOMS $(atoms)"
"""
    proc = run_lmp(workdir, text)
    vol = float(proc.stdout.split("VOLUME ")[1].split()[0])
    n = int(proc.stdout.split("NATOMS ")[1].split()[0])
    kb, nktv2p = 8.617343e-5, 1.6021765e6  # LAMMPS metal constants
    born = np.loadtxt(workdir / "born.txt", comments="#")[:, 1:]
    vir = np.loadtxt(workdir / "virial.txt", comments="#")[:, 1:]  # bar
    order = [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 2), (1, 3),
             (1, 4), (1, 5), (2, 3), (2, 4), (2, 5), (3, 4), (3, 5), (4, 5)]
    c = np.zeros((6, 6))
    err = np.zeros((6, 6))
    dv = vir - vir.mean(0)
    for k, (i, j) in enumerate(order):
        b, be = block_mean_error(born[:, k] / vol * nktv2p * 1e-4)
        f, fe = block_mean_error(-vol / (kb * temperature_K) / nktv2p * dv[:, i] * dv[:, j] * 1e-4)
        kin = (2.0 if (i == j and i < 3) else 1.0 if i == j else 0.0) * n * kb * temperature_K / vol * nktv2p * 1e-4
        c[i, j] = c[j, i] = b + f + kin
        err[i, j] = err[j, i] = np.hypot(be, fe)
    return c, err


@pytest.mark.slow
@pytest.mark.parametrize("temperature_K", [300.0, 1000.0])
def test_fe_finite_T_strain_stress_vs_fluctuation(tmp_path, temperature_K):
    from conftest import run_lmp

    pot = fe_potential()
    fe = bulk("Fe", "bcc", a=2.8553, cubic=True)
    md = elastic_md(fe, pot, tmp_path / "ss", temperature_K=temperature_K, pressure_GPa=0.0, supercell=[5, 5, 5],
                    strain=0.01, seeds=[11, 22, 33],
                    steps=dict(nequil=5000, navg=5000, nequil_strain=1000, nrun=20000, nevery=10))
    s = md.summary()
    a_ref = (md.volume_A3 / md.n_atoms * 2) ** (1 / 3)
    (tmp_path / "fl").mkdir()
    c_fl, e_fl = fluctuation_cij(run_lmp, tmp_path / "fl", np.diag([5 * a_ref] * 3), 5, temperature_K,
                                 f"pair_style eam/fs\npair_coeff * * {potentials_dir()}/Fe_mm.eam.fs Fe")
    fl = {"C11": np.mean(np.diag(c_fl)[:3]), "C12": np.mean([c_fl[0, 1], c_fl[0, 2], c_fl[1, 2]]),
          "C44": np.mean(np.diag(c_fl)[3:])}
    fl_err = {"C11": np.sqrt(np.sum(np.diag(e_fl)[:3] ** 2)) / 3,
              "C12": np.sqrt(e_fl[0, 1] ** 2 + e_fl[0, 2] ** 2 + e_fl[1, 2] ** 2) / 3,
              "C44": np.sqrt(np.sum(np.diag(e_fl)[3:] ** 2)) / 3}
    print(f"\nT = {temperature_K} K, a = {a_ref:.5f} A, P = {s['pressure_GPa']:.3f} GPa")
    for name in ("C11", "C12", "C44"):
        v, e = s["independent_constants_GPa"][name], s["independent_constants_err_GPa"][name]
        print(f"{name}: strain-stress {v:.2f} +- {e:.2f}, fluctuation {fl[name]:.2f} +- {fl_err[name]:.2f} GPa")
        # 3 sigma of the combined statistical error, plus 1.5 GPa for the finite strain (1%)
        assert v == pytest.approx(fl[name], abs=3 * np.hypot(e, fl_err[name]) + 1.5), name
    assert s["born_stability"]["stable"]


@pytest.mark.slow
def test_sw_silicon_1477K_matches_lammps_example(tmp_path):
    pot = PotentialSpec(pair_style="sw", pair_coeff=["* * {potentials}/Si.sw Si"], type_names=["Si"], cutoff_A=3.771)
    si = bulk("Si", "diamond", a=5.457, cubic=True)
    md = elastic_md(si, pot, tmp_path, temperature_K=1477.0, pressure_GPa=None, supercell=[3, 3, 3], strain=0.02,
                    seeds=[1, 2], timestep_ps=0.000766,
                    steps=dict(nequil=5000, navg=10, nequil_strain=1000, nrun=50000, nevery=10))
    ind = md.independent()
    print("\nSW Si 1477 K:", {k: f"{v:.2f} +- {e:.2f}" for k, (v, e) in ind.items()})
    # LAMMPS log: 133.2 / 73.9 / 46.0 GPa (its own statistical error ~1 GPa, judged from C44/C55/C66 spread)
    for name, ref in (("C11", 133.2), ("C12", 73.9), ("C44", 46.0)):
        assert ind[name][0] == pytest.approx(ref, abs=3 * np.hypot(ind[name][1], 1.0) + 1.0), name


@pytest.mark.slow
def test_demo_model_vs_teacher_at_300K(tmp_path, plugin_built):
    from ptmlp.demo import DEMO_MODEL

    fe = bulk("Fe", "bcc", a=2.8553, cubic=True)
    kw = dict(temperature_K=300.0, pressure_GPa=0.0, supercell=[4, 4, 4], strain=0.01, seeds=[5],
              steps=dict(nequil=1000, navg=1000, nequil_strain=300, nrun=3000, nevery=10))
    teacher = elastic_md(fe, fe_potential(), tmp_path / "eam", **kw).independent()
    model = elastic_md(fe, PotentialSpec(model=str(DEMO_MODEL)), tmp_path / "demo", **kw).independent()
    # measured (1 seed, 128 atoms): model 212.1/128.5/88.1, teacher 224.8/126.3/96.1 GPa
    print("\n300 K  model / teacher:", {k: f"{model[k][0]:.1f}+-{model[k][1]:.1f} / {teacher[k][0]:.1f}+-"
                                        f"{teacher[k][1]:.1f}" for k in model})
    for name in ("C11", "C12", "C44"):  # same tolerance as at 0 K (tests/unit/test_elastic_static.py)
        assert model[name][0] == pytest.approx(teacher[name][0], abs=25.0 + 3 * model[name][1]), name
