"""Coincident atoms and non-finite model output stop `lmp` with one line naming atoms and distance
(issue #19): before, two atoms at one position gave -nan at every step with exit 0, and
`minimize` hung. The floor is ptmlp.guards.MIN_PAIR_DISTANCE_A, compiled into the plugin."""

from __future__ import annotations

import re
import shutil

import pytest

from ptmlp.demo import DEMO_MODEL
from ptmlp.guards import MIN_PAIR_DISTANCE_A

from conftest import run_lmp
from lammps_compare import bcc_fe_input
from nonfinite_model import write_nonfinite_model

A_A = 2.87


def fe(extra: str, run: str) -> str:
    """54 bcc Fe atoms (IDs 1..54, atom 1 at the origin), ``extra`` before the pair style."""
    return bcc_fe_input("fe_demo.pt", after_pair=run, a_A=A_A, before_pair=extra)


def lmp_error(tmp_path, text, nprocs=1) -> str:
    proc = run_lmp(tmp_path, text, nprocs=nprocs, check=False, timeout_s=180)
    out = proc.stdout + proc.stderr
    errors = [ln for ln in out.splitlines() if ln.startswith("ERROR")]
    assert proc.returncode != 0 and len(errors) == 1, out[-3000:]
    # stopped before any -nan thermo output
    assert not any("nan" in ln.lower() for ln in out.splitlines() if not ln.startswith("ERROR")), out[-3000:]
    return errors[0]


@pytest.fixture()
def demo(tmp_path):
    shutil.copy(DEMO_MODEL, tmp_path / "fe_demo.pt")
    return tmp_path


@pytest.mark.parametrize("run", ["run 10", "minimize 1e-8 1e-10 100 1000", "fix nve all nve\nrun 10"])
def test_coincident_atoms_stop(demo, run, plugin_built):
    """Atom 55 sits on atom 1 (both at the origin)."""
    err = lmp_error(demo, fe("create_atoms 1 single 0 0 0", run))
    assert re.search(r"atoms (1 and 55|55 and 1) are 0 angstrom apart at step 0", err), err
    assert f"closer than the {MIN_PAIR_DISTANCE_A} angstrom floor (coincident or overlapping atoms)" in err


def test_coincident_atoms_stop_on_two_ranks(demo, plugin_built):
    err = lmp_error(demo, fe("create_atoms 1 single 0 0 0", "run 10"), nprocs=2)
    assert err.startswith("ERROR on proc ") and "0 angstrom apart at step 0" in err, err


def test_pair_just_below_floor_stops_and_above_runs(demo, plugin_built):
    below = 0.9 * MIN_PAIR_DISTANCE_A
    err = lmp_error(demo, fe(f"create_atoms 1 single {below / A_A} 0 0 units lattice", "run 0"))
    assert f"are {below:.4g} angstrom apart" in err
    above = 1.5 * MIN_PAIR_DISTANCE_A  # legal, absurd: the ZBL core of the demo model keeps it finite
    proc = run_lmp(demo, fe(f"create_atoms 1 single {above / A_A} 0 0 units lattice", "run 0"))
    assert "ERROR" not in proc.stdout


SC = """
units metal
atom_style atomic
lattice sc 2.8
region box block 0 3 0 3 0 3
create_box 1 box
create_atoms 1 box
mass 1 55.845
group one id 1
displace_atoms one move {shift} 0 0 units box
pair_style ptmlp bad.pt
pair_coeff * * Fe
run 0
"""


def test_nonfinite_force_names_atom_and_neighbour(tmp_path, plugin_built):
    """NaN forces once a pair is closer than 2.3 angstrom: atom 1 moved to 2.2 angstrom of atom 2."""
    write_nonfinite_model(tmp_path / "bad.pt", r_bad_A=2.3, mode="sqrt")
    proc = run_lmp(tmp_path, SC.format(shift=-0.1))  # every pair >= 2.7 angstrom: finite
    assert "ERROR" not in proc.stdout
    err = lmp_error(tmp_path, SC.format(shift=0.6))
    assert "model bad.pt returned a non-finite force on atom " in err and "at step 0" in err
    assert re.search(r"\(its closest pair: atoms (1 and \d+|\d+ and 1) are 2.2 angstrom apart\)", err), err
    assert "outside what the model can describe" in err


def test_nonfinite_energy_with_finite_forces(tmp_path, plugin_built):
    write_nonfinite_model(tmp_path / "bad.pt", r_bad_A=2.3, mode="log")
    err = lmp_error(tmp_path, SC.format(shift=0.6))
    assert "model bad.pt returned a non-finite energy" in err and "with finite forces" in err
    assert re.search(r"closest pair: atoms (1 and \d+|\d+ and 1) are 2.2 angstrom apart", err), err
