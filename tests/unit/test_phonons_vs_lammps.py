"""Phonons through ASE + phonopy against LAMMPS's own route (runs the real ``lmp``).

LAMMPS's ``dynamical_matrix`` command (PHONON package) builds the Gamma-point dynamical matrix
of a whole supercell by central finite differences inside LAMMPS (output style ``eskm``:
eigenvalues in (10^12 rad/s)^2). Its eigenfrequencies are the phonon frequencies at every
q-point commensurate with that supercell, which phonopy reproduces from its force constants.
Same check for the ptmlp demo model: LAMMPS's ``pair_style ptmlp`` vs ``PtmlpCalculator``.
"""

from __future__ import annotations

import numpy as np
import pytest
from ase.build import bulk

from ptmlp.calculator import PtmlpCalculator
from ptmlp.demo import DEMO_MODEL
from ptmlp.labelers.lammps_potential import fe_eam_calculator
from ptmlp.potential import potentials_dir
from ptmlp.phonons.harmonic import compute_phonons

A_FE = 2.855324859704406  # relaxed lattice constant of Fe_mm.eam.fs, angstrom


def lammps_supercell_frequencies_THz(run_lmp, workdir, pair_lines: str, n: int = 4) -> np.ndarray:
    text = f"""units metal
atom_style atomic
atom_modify map array
boundary p p p
lattice bcc {A_FE}
region box block 0 {n} 0 {n} 0 {n}
create_box 1 box
create_atoms 1 box
mass 1 55.845
{pair_lines}
dynamical_matrix all eskm 0.001 file dynmat.dat binary no
"""
    run_lmp(workdir, text)
    d = np.loadtxt(workdir / "dynmat.dat")
    dim = 3 * 2 * n ** 3
    dyn = d.reshape(dim, dim)
    w2 = np.linalg.eigvalsh(0.5 * (dyn + dyn.T))
    return np.sort(np.sign(w2) * np.sqrt(np.abs(w2)) / (2 * np.pi))


def test_eam_phonopy_matches_lammps_dynamical_matrix(tmp_path):
    from conftest import run_lmp

    lmp = lammps_supercell_frequencies_THz(run_lmp, tmp_path,
                                           f"pair_style eam/fs\npair_coeff * * {potentials_dir()}/Fe_mm.eam.fs Fe")
    model = compute_phonons(bulk("Fe", "bcc", a=A_FE, cubic=True), fe_eam_calculator(), cutoff_A=5.3,
                            supercell=[4, 4, 4], pressure_GPa=None)
    ours = model.commensurate_frequencies_THz()
    assert len(ours) == len(lmp) == 384
    np.testing.assert_allclose(ours, lmp, atol=3e-3)  # THz (measured 1e-3: both are finite differences)
    assert lmp.max() == pytest.approx(9.754, abs=0.002)


@pytest.mark.slow  # ~16 s: 768 force evaluations of 128 atoms with the model inside LAMMPS
def test_demo_model_phonopy_matches_lammps_pair_style(tmp_path, plugin_built):
    from conftest import run_lmp

    lmp = lammps_supercell_frequencies_THz(run_lmp, tmp_path, f"pair_style ptmlp {DEMO_MODEL}\npair_coeff * * Fe")
    model = compute_phonons(bulk("Fe", "bcc", a=A_FE, cubic=True), PtmlpCalculator(DEMO_MODEL),
                            supercell=[4, 4, 4], pressure_GPa=None)
    np.testing.assert_allclose(model.commensurate_frequencies_THz(), lmp, atol=3e-3)  # THz (measured 1e-3)
