"""pair_style ptmlp/tel through `lmp` (1 and 2 ranks) vs the ASE calculator at three T_e;
compute ptmlp/tel/entropy vs autograd S_e; T_e from variables and computes; bad input."""

from __future__ import annotations

import pytest

from conftest import make_model, oxide_slab, run_lmp
from lammps_compare import ase_results, assert_agree, lammps_results

ENTROPY = "compute S all ptmlp/tel/entropy"


@pytest.fixture(scope="module")
def te_model(tmp_path_factory):
    return make_model(tmp_path_factory.mktemp("te") / "te.pt", te_range_K=(1000.0, 8000.0))


@pytest.fixture(scope="module")
def structure():
    return oxide_slab(seed=4)


@pytest.mark.parametrize("te_K", [1000.0, 4000.0, 8000.0])
@pytest.mark.parametrize("nprocs", [1, 2])
def test_tel_matches_ase(tmp_path, te_model, structure, te_K, nprocs, plugin_built):
    ref = ase_results(structure, te_model, te_K=te_K)
    lmp = lammps_results(tmp_path, structure, f"ptmlp/tel {te_model} tel {te_K}", nprocs=nprocs, extra=ENTROPY,
                         thermo_extra="c_S", print_extra="$(c_S:%.17g) $(c_S[2]:%.17g) $(c_S[3]:%.17g)")
    assert_agree(lmp, ref, len(structure))
    s, te, ts = lmp["extra"]
    print(f"T_e {te_K:.0f} K: F {lmp['pe']:.6f} eV, P {sum(lmp['p'][k] for k in ('pxx', 'pyy', 'pzz')) / 3:.1f} bar, "
          f"S_e {s:.6e} eV/K (ASE {ref['entropy']:.6e})")
    assert te == te_K and abs(s - ref["entropy"]) <= 1e-9 * max(1.0, abs(ref["entropy"]))
    assert ts == pytest.approx(te_K * s, rel=1e-12)


def test_te_from_variable_and_compute(tmp_path, te_model, structure, plugin_built):
    """tel v_name is re-evaluated every step; tel c_ID follows the compute."""
    from ptmlp.lammps_data import write_lammps_data

    write_lammps_data(tmp_path / "data.lmp", structure, ["Mg", "Si", "O"])
    text = f"""
units metal
atom_style atomic
read_data data.lmp
variable te equal 2000+1000*step
velocity all create 3000 11 mom yes rot yes
pair_style ptmlp/tel {te_model} tel v_te
pair_coeff * * Mg Si O
{ENTROPY}
fix nve all nve
timestep 0.0002
thermo 1
thermo_style custom step temp pe c_S[2]
run 2
pair_style ptmlp/tel {te_model} tel c_thermo_temp
pair_coeff * * Mg Si O
run 2
"""
    proc = run_lmp(tmp_path, text)
    rows = [ln.split() for ln in proc.stdout.splitlines() if ln.strip() and ln.split()[0].isdigit()
            and len(ln.split()) == 4]
    te_var = [float(r[3]) for r in rows[:3]]
    assert te_var == [2000.0, 3000.0, 4000.0]
    te_comp = [(float(r[1]), float(r[3])) for r in rows[3:]]
    assert all(abs(t - te) < 50.0 for t, te in te_comp)  # K: T_e tracks the (half-step) ionic temperature


BASE = """
units metal
atom_style atomic
region b block 0 9 0 9 0 9
create_box 3 b
create_atoms 1 random 20 11 NULL overlap 1.8
create_atoms 3 random 20 13 NULL overlap 1.8
mass * 20.0
{lines}
pair_coeff * * Mg Si O
run 0
"""


@pytest.mark.parametrize("pair_line, message", [
    ("pair_style ptmlp {te}", "has an electronic-temperature input; use pair_style ptmlp/tel"),
    ("pair_style ptmlp/tel {plain} tel 3000", "has no electronic-temperature input; use pair_style ptmlp"),
    ("pair_style ptmlp/tel {te}", "needs 'tel <T_e in K | v_name | c_ID>'"),
    ("pair_style ptmlp/tel {te} tel -5", "tel -5 must be a positive electronic temperature in K"),
    ("pair_style ptmlp/tel {te} tel f_ttm", "'tel f_ttm' (per-atom T_e from a fix) is not supported yet"),
    ("variable t index 3000\npair_style ptmlp/tel {te} tel v_t", "variable t for tel must be equal-style"),
    ("pair_style ptmlp/tel {te} tel c_nope", "compute nope for tel does not exist"),
    ("pair_style ptmlp/tel {te} tel c_thermo_temp",  # no velocity command: the ions are at 0 K
     "T_e = 0 K from compute thermo_temp at step 0: the atoms have no velocities yet; create them before the "
     "run (velocity all create <T_K> <seed>), or run first with a fixed 'tel <T_e in K>'"),
])
def test_tel_bad_input(tmp_path, te_model, model_file, pair_line, message, plugin_built):
    proc = run_lmp(tmp_path, BASE.format(lines=pair_line.format(te=te_model, plain=model_file)), check=False)
    errors = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.startswith("ERROR")]
    assert proc.returncode != 0 and len(errors) == 1 and message in errors[0], proc.stdout[-1500:]


def test_out_of_range_warns_once(tmp_path, te_model, plugin_built):
    text = BASE.format(lines=f"pair_style ptmlp/tel {te_model} tel 20000").replace("run 0", "run 3")
    proc = run_lmp(tmp_path, text)
    warnings = [ln for ln in proc.stdout.splitlines() if "outside the model's training range" in ln]
    assert len(warnings) == 1 and "T_e = 20000 K" in warnings[0] and "[1000, 8000] K" in warnings[0]
