"""Every transport template in inputs/ runs through the real ``lmp`` in a short smoke mode
(Lennard-Jones argon in metal units, 108-432 atoms), and ``ptmlp transport`` analyses its
outputs into summary.json / HDF5 / PNG. Numbers here are not validated (too short); the
slow tests in test_transport_lj_validation.py compare with the literature."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from ase.build import bulk

from ptmlp.lammps_env import LammpsRunError
from ptmlp.potential import PotentialSpec
from ptmlp.transport.constants import ARGON
from ptmlp.transport.drivers import run_template

SIGMA_A = 3.405
T_K = round(ARGON.temperature_K(0.722), 3)
COMMON = dict(T=T_K, dt=0.01, T_melt=300, melt_steps=300, equil_steps=300)


def lj_liquid(cells=(3, 3, 3), symbols=None):
    a = (4 / 0.8442) ** (1 / 3) * SIGMA_A
    atoms = bulk("Ar", "fcc", a=a, cubic=True).repeat(cells)
    if symbols:
        atoms.set_chemical_symbols([symbols[k % len(symbols)] for k in range(len(atoms))])
    return atoms


def argon(type_names=None):
    """LJ argon cut at 2.5 sigma, energy shifted to zero there (LAMMPS's default is no shift)."""
    eps = ARGON.epsilon_J / 1.602176634e-19
    return PotentialSpec(pair_style=f"lj/cut {2.5 * SIGMA_A:.10g}", pair_coeff=[f"* * {eps:.10g} {SIGMA_A:.10g}"],
                         extra_commands=["pair_modify shift yes"], type_names=type_names)


def cli(*args, cwd):
    p = subprocess.run([sys.executable, "-m", "ptmlp.cli.main", "transport", *map(str, args)], cwd=cwd,
                       capture_output=True, text=True, timeout=300)
    return p


@pytest.fixture(scope="module")
def gk_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gk")
    run_template("gk_kappa", folder / "run", argon(), lj_liquid(),
                 variables=dict(COMMON, run_steps=4000, sample_every=2, pressure="yes", dump_every=40))
    return folder / "run"


def test_gk_kappa_outputs_and_analyses(gk_run):
    for name in ("heatflux.dat", "pressure.dat", "vcm_types.dat", "traj.lammpstrj.gz", "run_info.yaml"):
        assert (gk_run / name).is_file(), name
    work = gk_run.parent
    p = cli("kappa", gk_run, "--max-correlation-time-ps", "2", "--out", "k", cwd=work)
    assert p.returncode == 0, p.stderr
    s = json.loads((work / "k/summary.json").read_text())
    assert s["kappa_W_per_mK"] > 0 and s["kappa_W_per_mK_err"] > 0 and s["kappa_cepstral_W_per_mK"] > 0
    assert (work / "k/kappa_green_kubo.png").stat().st_size > 10_000 and (work / "k/kappa_green_kubo.h5").is_file()
    print("smoke kappa (LJ argon, 108 atoms, 40 ps):", s["kappa_W_per_mK"], "+-", s["kappa_W_per_mK_err"])
    p = cli("viscosity", gk_run, "--max-correlation-time-ps", "2", "--out", "v", cwd=work)
    assert p.returncode == 0, p.stderr
    s = json.loads((work / "v/summary.json").read_text())
    assert s["viscosity_Pa_s"] > 0 and "viscosity_einstein_helfand_Pa_s" in s
    p = cli("diffusion", gk_run, "--viscosity-summary", work / "v/summary.json", "--out", "d", cwd=work)
    assert p.returncode == 0, p.stderr
    s = json.loads((work / "d/summary.json").read_text())
    assert s["D_Ar_m2_per_s"] > 0 and s["D_Ar_yeh_hummer_m2_per_s"] > s["D_Ar_m2_per_s"]


def test_too_short_run_for_correlation_time_is_one_line(gk_run):
    p = cli("kappa", gk_run, "--max-correlation-time-ps", "10", "--out", "k2", cwd=gk_run.parent)
    assert p.returncode == 2
    assert "too short for a correlation time of 10 ps" in p.stderr and "more)" in p.stderr
    assert "Traceback" not in p.stderr


def test_two_species_templates_mass_flux_projection_and_conductivity(tmp_path):
    """Ar/Kr-labelled LJ mixture: the heat flux is decorrelated from the independent mass flux,
    and the charge current (Ar +1, Kr -1) gives Green-Kubo and Nernst-Einstein conductivities."""
    pot = argon(type_names=["Ar", "Kr"])
    atoms = lj_liquid(symbols=["Ar", "Kr"])
    run_template("gk_kappa", tmp_path / "k", pot, atoms, variables=dict(COMMON, run_steps=4000, sample_every=2))
    p = cli("kappa", tmp_path / "k", "--max-correlation-time-ps", "2", "--out", "kk", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    s = json.loads((tmp_path / "kk/summary.json").read_text())
    assert s["mass_fluxes_projected_out"] == 1 and s["kappa_W_per_mK"] > 0
    run_template("gk_viscosity", tmp_path / "v", pot, atoms, variables=dict(COMMON, run_steps=2000))
    run_template("msd", tmp_path / "m", pot, atoms, variables=dict(COMMON, run_steps=3000, dump_every=30))
    assert "c_thermo_press[6]" in (tmp_path / "v/pressure.dat").read_text().splitlines()[1]
    p = cli("conductivity", tmp_path / "m", "--charges-e", "Ar=1,Kr=-1", "--max-correlation-time-ps", "2",
            "--out", "c", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    s = json.loads((tmp_path / "c/summary.json").read_text())
    assert s["sigma_S_per_m"] > 0 and s["sigma_nernst_einstein_S_per_m"] > 0 and "haven_ratio" in s
    p = cli("diffusion", tmp_path / "m", "--out", "d", cwd=tmp_path)
    s = json.loads((tmp_path / "d/summary.json").read_text())
    assert s["D_Ar_m2_per_s"] > 0 and s["D_Kr_m2_per_s"] > 0


def test_nemd_kappa_mp_ehex_and_size_extrapolation(tmp_path):
    nemd = dict(COMMON, nbins=12, steady_steps=2000, run_steps=6000, profile_every=500, sample_every=10)
    run_template("nemd_kappa", tmp_path / "mp", argon(), lj_liquid((3, 3, 6)),
                 variables=dict(nemd, method="mp", swap_every=50))
    run_template("nemd_kappa", tmp_path / "ehex", argon(), lj_liquid((3, 3, 9)),
                 variables=dict(nemd, method="ehex", heat_eV_per_ps=0.01))
    p = cli("kappa", "--method", "nemd", "mp", "ehex", "--out", "n", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    s = json.loads((tmp_path / "n/summary.json").read_text())
    assert [r["method"] for r in s["runs"]] == ["nemd-mp", "nemd-ehex"]
    assert all(r["kappa_W_per_mK"] > 0 for r in s["runs"])
    assert "kappa_infinite_W_per_mK" in s  # two box lengths: extrapolated, with a warning
    assert any("only two box lengths" in w for w in s["warnings"])
    assert (tmp_path / "n/profile_000.png").is_file() and (tmp_path / "n/kappa_size_extrapolation.png").is_file()


def test_nemd_viscosity_two_swap_rates(tmp_path):
    nemd = dict(COMMON, nbins=12, steady_steps=2000, run_steps=6000, profile_every=500, sample_every=10)
    for sw in (30, 70):  # run lengths not multiples of swap_every (regression)
        run_template("nemd_viscosity", tmp_path / f"s{sw}", argon(), lj_liquid((3, 3, 6)),
                     variables=dict(nemd, swap_every=sw))
    p = cli("viscosity", "--method", "muller-plathe", "s30", "s70", "--out", "mp", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    s = json.loads((tmp_path / "mp/summary.json").read_text())
    assert len(s["shear_rates_per_s"]) == 2 and s["shear_rates_per_s"][0] > s["shear_rates_per_s"][1]
    assert all(v > 0 for v in s["viscosity_at_rate_Pa_s"])


def test_bad_nemd_method_stops_lammps_with_one_line(tmp_path):
    with pytest.raises(LammpsRunError, match="method must be mp or ehex, got swap"):
        run_template("nemd_kappa", tmp_path / "bad", argon(), lj_liquid(),
                     variables=dict(COMMON, method="swap", steady_steps=10, run_steps=10))


@pytest.mark.parametrize("template, variables, message", [
    ("nemd_kappa", {"swap_every": 0}, "swap_every and nswap must be >= 1"),
    ("nemd_viscosity", {"nbins": 9}, "nbins must be even and >= 8, got 9"),
    ("nemd_kappa", {"method": "ehex", "heat_eV_per_ps": -0.1}, "heat_eV_per_ps must be positive"),
    ("nemd_kappa", {"profile_every": 1005, "sample_every": 10}, "profile_every (1005) must be a multiple"),
    ("gk_kappa", {"run_steps": 0}, "run_steps, sample_every, T and dt must be positive"),
    ("msd", {"dt": -0.001}, "run_steps, sample_every, T and dt must be positive"),
    ("gk_viscosity", {"equil_steps": 1}, "equil_steps must be >= 2 (the NVE part starts at the mean energy"),
])
def test_template_input_checks(tmp_path, template, variables, message):
    """Bad template variables stop LAMMPS before anything runs, with one ERROR line."""
    from ptmlp.lammps_env import run_lammps
    from ptmlp.transport.templates import template_path

    with pytest.raises(LammpsRunError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_lammps(template_path(template), tmp_path, variables=variables, timeout_s=60)


def test_transport_run_cli_from_yaml(tmp_path):
    """`ptmlp transport run CONFIG` writes potential.mod and system.data, runs two seeds and
    writes summary.json; an EAM spec with a typo is one line."""
    from ptmlp.jsonfile import read_json
    from ptmlp.lammps_data import write_lammps_data

    write_lammps_data(tmp_path / "liquid.data", lj_liquid(), ["Ar"])
    eps = ARGON.epsilon_J / 1.602176634e-19
    (tmp_path / "run.yaml").write_text(
        "template: gk_viscosity\n"
        f"potential:\n  pair_style: lj/cut {2.5 * SIGMA_A:.10g}\n  pair_coeff: ['* * {eps:.8g} {SIGMA_A}']\n"
        "  extra_commands: [pair_modify shift yes]\n"
        "structure: {file: liquid.data, format: lammps-data}\nn_runs: 2\nfirst_seed: 7\n"
        f"variables: {{T: {T_K}, dt: 0.01, equil_steps: 100, run_steps: 500}}\n")
    p = subprocess.run([sys.executable, "-m", "ptmlp.cli.main", "transport", "run", "run.yaml"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    for k, seed in ((0, 7), (1, 8)):
        info = (tmp_path / f"transport_runs/run_{k:03d}/run_info.yaml").read_text()
        assert f"seed: {seed}" in info and "species: Ar" in info
        assert (tmp_path / f"transport_runs/run_{k:03d}/pressure.dat").is_file()
        assert "pair_modify shift yes" in (tmp_path / f"transport_runs/run_{k:03d}/potential.mod").read_text()
    s = read_json(tmp_path / "transport_runs/summary.json")
    assert [r["seed"] for r in s["runs"]] == [7, 8] and s["n_atoms"] == 108 and s["type_names"] == ["Ar"]
    (tmp_path / "bad.yaml").write_text("template: gk_kappa\npotential: {pair_style: eam/fs, pair_cofe: ['* * x Fe']}\n"
                                       "structure: {file: liquid.data, format: lammps-data}\n")
    p = subprocess.run([sys.executable, "-m", "ptmlp.cli.main", "transport", "run", "bad.yaml"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and "potential.pair_cofe: unknown key (did you mean 'pair_coeff'?)" in p.stderr
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr


def test_nve_runs_start_at_the_mean_energy_and_settle_near_the_target(tmp_path):
    """rescale_T yes starts the NVE part at the mean energy of the equilibration (#20): LJ runs of 108
    atoms then settle near the target (measured, 8 seeds of 50 ps: T* 0.718 +- 0.002, spread 0.006),
    where scaling the velocities to T left a spread of 0.035 (9 seeds of 1 ns) in T* between seeds."""
    from ptmlp.transport.drivers import run_independent
    from ptmlp.transport.temperature import find_record

    runs = run_independent("gk_viscosity", tmp_path, argon(), lj_liquid(), n_runs=4, first_seed=300,
                           variables=dict(T=T_K, dt=0.01, T_melt=300, melt_steps=1000, equil_steps=5000,
                                          run_steps=3000, sample_every=2))
    t_star = [find_record(r).estimate().value / ARGON.temperature_K(1.0) for r in runs]
    spread = float(np.std(t_star, ddof=1))
    print(f"T* of the seeds {np.round(t_star, 4).tolist()}, mean {np.mean(t_star):.4f}, spread {spread:.4f}")
    assert spread < 0.015 and abs(np.mean(t_star) - 0.722) < 0.012
    log = (runs[0] / "log.lammps").read_text()
    assert "NVE start: velocities scaled to" in log
