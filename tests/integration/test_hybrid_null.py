"""`pair_coeff * * ... NULL` under pair_style hybrid/overlay: the ptmlp part ignores NULL-type
atoms exactly (its energy and forces equal the ASE calculator on the structure without them)."""

from __future__ import annotations

import numpy as np
from ase import Atoms

from ptmlp.calculator import PtmlpCalculator
from ptmlp.lammps_data import read_dump_columns, write_lammps_data

from conftest import oxide_slab, run_lmp

INPUT = """
units metal
atom_style atomic
read_data data.lmp
pair_style hybrid/overlay ptmlp {model} lj/cut 6.0
pair_coeff * * ptmlp Mg Si O NULL
pair_coeff * * lj/cut 0.0 3.0
pair_coeff 4 4 lj/cut 0.0104 3.4
compute eml all pair ptmlp
compute flj all pair lj/cut
dump d all custom 1 dump.txt id type fx fy fz
dump_modify d sort id format float %.17g
thermo_style custom step pe c_eml c_flj
run 0
print "PTMLP_RESULT $(c_eml:%.17g)"
"""


def test_null_types_under_hybrid(tmp_path, model_file, plugin_built):
    atoms = oxide_slab(seed=9, vacuum_A=0.0, isolated=False, repeat=(2, 2, 2))
    rng = np.random.default_rng(0)
    argon = Atoms("Ar4", positions=rng.uniform(0, 1, (4, 3)) @ atoms.cell.array, cell=atoms.cell, pbc=True)
    mixed = atoms + argon
    write_lammps_data(tmp_path / "data.lmp", mixed, ["Mg", "Si", "O", "Ar"])
    # with all Ar-involving lj/cut terms zero except Ar-Ar, forces on oxide atoms come from ptmlp only
    proc = run_lmp(tmp_path, INPUT.format(model=model_file))
    e_lmp = float([ln for ln in proc.stdout.splitlines() if ln.startswith("PTMLP_RESULT")][-1].split()[1])
    dump = read_dump_columns(tmp_path / "dump.txt")
    f_lmp = np.stack([dump["fx"], dump["fy"], dump["fz"]], 1)[: len(atoms)]
    ref = atoms.copy()
    ref.calc = PtmlpCalculator(model_file)
    assert abs(e_lmp - ref.get_potential_energy()) / len(atoms) < 1e-8  # eV/atom
    assert np.abs(f_lmp - ref.get_forces()).max() < 1e-6  # eV/A
