"""0 K elastic constants through ASE (ptmlp.elastic.static) against LAMMPS's own route for the
same potential (runs the real ``lmp``).

The LAMMPS route follows the method of LAMMPS's examples/ELASTIC (A. Thompson): relax the box
(fix box/relax) and the ions, then for each Voigt direction deform the box by +-strain with
change_box, relax the ions (minimize at fixed box) and take C_ij = -(p_i(+) - p_i(-)) / (2 strain)
from LAMMPS's pressure tensor. The input is generated here; no number is shared with the ASE
route except the potential file.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from ase.build import bulk

from ptmlp.elastic.static import elastic_static
from ptmlp.labelers.lammps_potential import lammps_calculator
from ptmlp.potential import potentials_dir

STRAIN = 1e-3
DEFORM = {  # Voigt j -> change_box arguments for strain e (engineering shear for j = 4..6)
    1: "x delta 0 {e}*lx", 2: "y delta 0 {e}*ly", 3: "z delta 0 {e}*lz",
    4: "yz delta {e}*lz", 5: "xz delta {e}*lz", 6: "xy delta {e}*ly",
}


def lammps_elastic_GPa(run_lmp, workdir, lattice: str, a: float, mass: float, pair_lines: str) -> np.ndarray:
    head = f"""units metal
atom_style atomic
boundary p p p
lattice {lattice} {a}
region box prism 0 1 0 1 0 1 0 0 0
create_box 1 box
create_atoms 1 box
mass 1 {mass}
{pair_lines}
min_style cg
fix relax all box/relax aniso 0.0 vmax 0.001
minimize 0 1e-12 10000 100000
unfix relax
minimize 0 1e-12 10000 100000
write_restart ref.restart
"""
    blocks = []
    for j, arg in DEFORM.items():
        for sign, tag in ((-1, "m"), (1, "p")):
            e = sign * STRAIN
            blocks.append(f"""clear
read_restart ref.restart
{pair_lines}
variable d equal {arg.split()[-1].format(e=e)}
change_box all {' '.join(arg.split()[:-1])} $(v_d) remap units box
min_style cg
minimize 0 1e-12 10000 100000
print "STRESS {j} {tag} $(pxx:%.10f) $(pyy:%.10f) $(pzz:%.10f) $(pyz:%.10f) $(pxz:%.10f) $(pxy:%.10f)"
""")
    proc = run_lmp(workdir, head + "".join(blocks))
    p = {}
    for m in re.finditer(r"^STRESS (\d) ([mp]) (.*)$", proc.stdout, re.MULTILINE):
        p[(int(m.group(1)), m.group(2))] = np.array([float(v) for v in m.group(3).split()])
    c = np.zeros((6, 6))
    for j in range(1, 7):
        c[:, j - 1] = -(p[(j, "p")] - p[(j, "m")]) / (2 * STRAIN) * 1e-4  # bar -> GPa
    return c


@pytest.mark.parametrize("name, lattice, a, mass, style, coeff, species, tol_GPa", [
    ("Fe_mm EAM", "bcc", 2.8553, 55.845, "eam/fs", "* * {potentials}/Fe_mm.eam.fs Fe", "Fe", 0.05),
    ("SW Si (relaxed ions)", "diamond", 5.431, 28.0855, "sw", "* * {potentials}/Si.sw Si", "Si", 0.1),
])
def test_static_cij_matches_lammps_route(tmp_path, name, lattice, a, mass, style, coeff, species, tol_GPa):
    from conftest import run_lmp

    pair = f"pair_style {style}\npair_coeff {coeff.format(potentials=potentials_dir())}"
    c_lmp = lammps_elastic_GPa(run_lmp, tmp_path, lattice, a, mass, pair)
    crystal = {"bcc": "bcc", "diamond": "diamond"}[lattice]
    res = elastic_static(bulk(species, crystal, a=a, cubic=True), lammps_calculator(style, coeff, [species]),
                         symmetry="none")
    np.testing.assert_allclose(res.C_GPa, c_lmp, atol=tol_GPa, err_msg=name)
    assert c_lmp[0, 0] > 100.0  # not trivially zero
