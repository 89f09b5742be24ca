"""Import: every fixture format gives the same frames; virial/stress signs against a hand-computed
case; electronic temperature from Fermi-Dirac smearing settings; one-line errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms
from ase.calculators.lj import LennardJones
from ase.units import Rydberg, kB

from ptmlp.data.electronic_temperature import te_from_qe_output, te_from_vasp_outcar, te_from_vasprun
from ptmlp.data.frame import Frame
from ptmlp.data.importers import guess_format, import_frames
from ptmlp.errors import InputError

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "gpaw_al2"


@pytest.mark.parametrize("source", ["al2.traj", "deepmd_npy", "al2.hdf5"])
def test_fixture_formats_agree(source):
    ref = import_frames(FIXTURES / "al2.extxyz")
    got = import_frames(FIXTURES / source)
    assert len(got) == len(ref) == 3
    for a, b in zip(ref, got):
        assert b.energy_eV == pytest.approx(a.energy_eV, abs=1e-8)  # eV
        assert np.allclose(b.forces_eV_per_A, a.forces_eV_per_A, atol=1e-8)  # eV/A
        assert np.allclose(b.virial_eV, a.virial_eV, atol=1e-7)  # eV
        assert np.allclose(b.atoms.positions, a.atoms.positions, atol=1e-8)


def test_extxyz_records_te():
    frames = import_frames(FIXTURES / "al2.extxyz")
    assert all(f.te_K == 5000.0 for f in frames)
    assert math.isnan(import_frames(FIXTURES / "deepmd_npy")[0].te_K)  # deepmd files carry none
    assert import_frames(FIXTURES / "deepmd_npy", te_K=5000.0)[0].te_K == 5000.0


def lj_dimer(d: float, eps: float = 0.0103, sigma: float = 3.4, box: float = 30.0) -> Atoms:
    atoms = Atoms("Ar2", positions=[[0, 0, 0], [d, 0, 0]], cell=[box, box, box], pbc=True)
    atoms.calc = LennardJones(epsilon=eps, sigma=sigma, rc=10.0)
    atoms.get_forces()
    atoms.get_stress()
    return atoms


def test_virial_sign_hand_computed(tmp_path):
    """Compressed LJ dimer: W_xx = r_12 . F_2 = -d phi'(d) > 0 (compression positive, LAMMPS sign)."""
    import dpdata

    eps, sigma, d = 0.0103, 3.4, 3.2  # d < 2^(1/6) sigma: repulsive
    dphi = 4 * eps * (-12 * sigma ** 12 / d ** 13 + 6 * sigma ** 6 / d ** 7)
    w_xx_hand = -d * dphi
    assert w_xx_hand > 0
    atoms = lj_dimer(d, eps, sigma)
    via_ase = Frame.from_atoms(atoms)
    assert via_ase.virial_eV[0, 0] == pytest.approx(w_xx_hand, rel=1e-9)
    assert via_ase.pressure_GPa > 0
    dpdata.LabeledSystem(atoms, fmt="ase/structure").to("deepmd/npy", str(tmp_path / "npy"))
    via_dpdata = import_frames(tmp_path / "npy")[0]
    assert via_dpdata.virial_eV[0, 0] == pytest.approx(w_xx_hand, rel=1e-9)


def test_te_from_vasp_and_qe_settings():
    # line formats as VASP writes them in OUTCAR and vasprun.xml, and pw.x in its output
    outcar = "   ISMEAR =     -1;   SIGMA  =   0.34;  broadening in eV -4-tet -1-fermi 0-gaus\n"
    assert te_from_vasp_outcar(outcar) == pytest.approx(0.34 / kB)
    assert math.isnan(te_from_vasp_outcar(outcar.replace("-1;", " 0;")))  # Gaussian: no T_e
    xml = '<i type="int" name="ISMEAR">    -1</i>\n<i name="SIGMA">      0.25850000</i>'
    assert te_from_vasprun(xml) == pytest.approx(0.2585 / kB)
    qe = "     number of k points=    10  Fermi-Dirac smearing, width (Ry)=  0.0200\n"
    assert te_from_qe_output(qe) == pytest.approx(0.02 * Rydberg / kB)
    assert math.isnan(te_from_qe_output(qe.replace("Fermi-Dirac", "Marzari-Vanderbilt")))


def test_guess_format_and_errors(tmp_path):
    assert guess_format(FIXTURES / "deepmd_npy") == "deepmd/npy"
    assert guess_format(FIXTURES / "al2.hdf5") == "deepmd/hdf5"
    (tmp_path / "OUTCAR").write_text("nothing")
    assert guess_format(tmp_path / "OUTCAR") == "vasp/outcar"
    with pytest.raises(InputError, match="dpdata could not read it as vasp/outcar"):
        import_frames(tmp_path / "OUTCAR")
    with pytest.raises(InputError, match="no such file"):
        import_frames(tmp_path / "missing.extxyz")
    unlabelled = tmp_path / "s.extxyz"
    Atoms("Al", cell=[3, 3, 3], pbc=True).write(unlabelled)
    with pytest.raises(InputError, match="has no energy/forces labels"):
        import_frames(unlabelled)
