"""Crystal handling of ``ptmlp melt``: shells, crystallinity, cell size, interaction range."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk
from ase.io import write

from ptmlp.config import ConfigError, validate_config
from ptmlp.demo import DEMO_MODEL
from ptmlp.errors import InputError
from ptmlp.melting.config import CellConfig
from ptmlp.melting.structure import check_cell_size, check_crystalline, lateral_replication, neighbour_shells, write_cell
from ptmlp.potential import PotentialSpec
from ptmlp.structures import StructureSpec


@pytest.mark.parametrize("name, cs, kw, coordination, cut_over_rnn", [
    ("Fe", "bcc", {"cubic": True}, 14, (2 / np.sqrt(3) + np.sqrt(8 / 3)) / 2),
    ("Cu", "fcc", {"cubic": True}, 12, (1 + np.sqrt(2)) / 2),
    ("Mg", "hcp", {"orthorhombic": True, "c": 3.21 * np.sqrt(8 / 3)}, 12, (1 + np.sqrt(2)) / 2),
    ("Si", "diamond", {"cubic": True}, 4, (1 + np.sqrt(8 / 3)) / 2),
])
def test_shells_of_simple_crystals(name, cs, kw, coordination, cut_over_rnn):
    # bcc shells at 1, 2/sqrt(3), sqrt(8/3) r_nn; fcc/ideal hcp at 1, sqrt(2); diamond 1, sqrt(8/3)
    atoms = bulk(name, cs, **kw)
    sh = neighbour_shells(atoms)
    assert sh.coordination == coordination
    assert sh.cutoff_A / sh.nearest_A == pytest.approx(cut_over_rnn, abs=0.01)


def test_random_structure_is_not_crystalline():
    rng = np.random.default_rng(0)
    amorphous = Atoms("Fe64", positions=rng.uniform(0, 9.2, (64, 3)), cell=[9.2] * 3, pbc=True)
    with pytest.raises(InputError, match="not crystalline"):
        check_crystalline(amorphous)
    assert "Im-3m" in check_crystalline(bulk("Fe", "bcc", cubic=True).repeat(3))
    rattled = bulk("Fe", "bcc", cubic=True).repeat(3)
    rattled.rattle(0.02, seed=1)  # a thermal snapshot of a crystal is still accepted
    check_crystalline(rattled)


def test_structure_from_file_and_bulk(tmp_path):
    path = tmp_path / "POSCAR"
    write(path, bulk("Cu", "fcc", a=3.61, cubic=True), format="vasp")
    a = validate_config(StructureSpec, {"file": "POSCAR"}, base_dir=tmp_path).load()
    assert len(a) == 4 and a.get_chemical_formula() == "Cu4"
    with pytest.raises(ConfigError, match="no such file"):
        validate_config(StructureSpec, {"file": "missing.cif"}, base_dir=tmp_path)
    b = StructureSpec(name="Mg", crystalstructure="hcp", a_A=3.21).load()
    assert np.allclose(b.cell.angles(), 90.0)  # orthorhombic setting: aniso barostat keeps shape


def test_cell_size_rules():
    fe = bulk("Fe", "bcc", a=2.87, cubic=True)
    reps = lateral_replication(fe, 5.3, CellConfig())
    assert reps[0] * 2.87 > 2 * 5.3 and reps[2] % 2 == 0 and reps[2] * 2.87 >= 3 * reps[0] * 2.87
    with pytest.raises(InputError, match=r"cell too small for the cutoff: x side 8.61 A <= 2 x cutoff 5.3 A; "
                                         r"use cell.replicate with nx >= 4"):
        check_cell_size(fe, (3, 4, 12), 5.3)
    with pytest.raises(InputError, match="z side"):
        check_cell_size(fe, (4, 4, 6), 5.3)


def test_written_cell_is_lammps_oriented(tmp_path):
    big = write_cell(tmp_path / "c.data", bulk("Fe", "bcc", a=2.87, cubic=True), (2, 2, 4), ["Fe"])
    text = (tmp_path / "c.data").read_text()
    assert "32 atoms" in text and len(big) == 32 and "xy xz yz" in text


def test_potential_include_and_cutoffs():
    """The interaction as melt.in includes it (potential.mod) and the range the cell is sized by."""
    eam = PotentialSpec(pair_style="eam/fs", pair_coeff=["* * {potentials}/Fe_mm.eam.fs Fe"])
    assert eam.require_cutoff() == pytest.approx(5.3)  # Fe_mm.eam.fs header, line 5
    assert "mass 1 55.845" in eam.include_text(eam.species_for(["Fe"]))
    lj = PotentialSpec(pair_style="lj/cut 8.5", pair_coeff=["1 1 0.0103 3.4"], extra_commands=["pair_modify tail yes"])
    assert lj.require_cutoff() == 8.5 and lj.lammps_lines(lj.species_for(["Ar"]))[-1] == "pair_modify tail yes"
    ml = PotentialSpec(model=str(DEMO_MODEL))
    assert ml.require_cutoff() == ml.metadata["r_cut"] == 5.0
    assert ml.lammps_lines(ml.species_for(["Fe"]))[:2] == [f"pair_style ptmlp {DEMO_MODEL}", "pair_coeff * * Fe"]
    with pytest.raises(InputError, match="not trained on species"):
        ml.species_for(["Cu"])
    with pytest.raises(InputError, match="set potential.cutoff_A"):
        PotentialSpec(pair_style="sw", pair_coeff=["* * Si.sw Si"]).require_cutoff()
