"""Validation against published Lennard-Jones transport coefficients (slow: ~30 min on one core).

State point: the LJ liquid near the triple point, T* = 0.722, rho* = 0.8442, run in metal units
as argon (epsilon/k_B = 119.8 K, sigma = 3.405 A, m = 39.948 g/mol; only the reduced numbers
matter). References, with the cutoff they used:

* thermal conductivity kappa* = 6.946 +- 0.12 and shear viscosity eta* = 3.268 +- 0.055 for the
  LJ potential truncated at r_c = 2.5 sigma, N = 1372: S. Viscardy, J. Servantie, P. Gaspard,
  J. Chem. Phys. 126, 184513 (2007) (kappa) and 126, 184512 (2007) (eta), Helfand moments, NVE.
* self-diffusion D* = 0.0325 for N = 1372 with r_c = 5.5 sigma: K. Meier, A. Laesecke,
  S. Kabelac, J. Chem. Phys. 121, 9526 (2004). Their statistical uncertainty is below 1 %;
  we take 1 % (0.0003) as the reference error.

Ours: r_c = 2.5 sigma (shifted; forces are those of the truncated potential), N = 500 (kappa and
eta have no measurable size effect at this precision; D is compared at N = 1372 with
r_c = 5.5 sigma as the source). Agreement test: |ours - theirs| < 2 x combined standard error.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from ase.build import bulk

from ptmlp.potential import PotentialSpec
from ptmlp.transport.constants import ARGON
from ptmlp.transport.diffusion import self_diffusion
from ptmlp.transport.drivers import run_independent
from ptmlp.transport.kappa_gk import kappa_green_kubo
from ptmlp.transport.kappa_nemd import kappa_nemd
from ptmlp.transport.results import Measurement, TransportWarning, combine, measurement
from ptmlp.transport.trajectory import load_trajectory
from ptmlp.transport.viscosity_gk import viscosity_green_kubo

pytestmark = pytest.mark.slow

SIGMA_A, RHO_STAR, T_STAR = 3.405, 0.8442, 0.722
EPS_EV = ARGON.epsilon_J / 1.602176634e-19
T_K = round(ARGON.temperature_K(T_STAR), 4)
DT_PS = 0.01  # 0.0046 tau
KAPPA_REF = Measurement(6.946, 0.12)  # Viscardy et al. 2007 (II), r_c = 2.5
ETA_REF = Measurement(3.268, 0.055)  # Viscardy et al. 2007 (I), r_c = 2.5
D_REF = Measurement(0.0325, 0.0003)  # Meier et al. 2004 (II), r_c = 5.5, N = 1372


def lj(cutoff_sigma: float, shift: bool) -> PotentialSpec:
    """LJ cut at ``cutoff_sigma`` (energy shifted to zero there when ``shift``; LAMMPS's default is no shift)."""
    return PotentialSpec(pair_style=f"lj/cut {cutoff_sigma * SIGMA_A:.10g}",
                         pair_coeff=[f"* * {EPS_EV:.10g} {SIGMA_A:.10g}"], extra_commands=["pair_modify shift yes"] if shift else [])


def lj_fcc(cells: int):
    a = (4 / RHO_STAR) ** (1 / 3) * SIGMA_A
    return bulk("Ar", "fcc", a=a, cubic=True).repeat((cells, cells, cells))


def side_by_side(name, ours: Measurement, ref: Measurement):
    comb = math.hypot(ours.std_err, ref.std_err)
    print(f"{name:28s} ours {ours.value:8.4f} +- {ours.std_err:.4f}   published {ref.value:8.4f} +- {ref.std_err:.4f}"
          f"   diff {(ours.value - ref.value) / comb:+.2f} combined s.e.")
    return abs(ours.value - ref.value) < 2 * comb


@pytest.fixture(scope="module")
def gk_runs(tmp_path_factory):
    """8 independent NVE runs of 500 atoms, 1000 ps (464 tau) each, after melting and
    Langevin equilibration; heat flux, pressure tensor and positions recorded."""
    folder = tmp_path_factory.mktemp("lj_gk")
    return run_independent("gk_kappa", folder, lj(2.5, shift=True), lj_fcc(5),
                           n_runs=8, first_seed=11,
                           variables=dict(T=T_K, dt=DT_PS, T_melt=300, melt_steps=5000, equil_steps=20000,
                                          run_steps=100000, pressure="yes", dump_every=100))


def test_lj_thermal_conductivity_green_kubo_and_cepstral(gk_runs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TransportWarning)
        res = kappa_green_kubo(gk_runs, max_correlation_time_ps=20.0)
    t_star = res.temperature_K.value / ARGON.temperature_K(1.0)
    print(f"\nLJ r_c = 2.5, N = 500, <T*> = {t_star:.4f}, {res.gk.total_time_s * 1e12:.0f} ps; cutoff "
          f"{res.gk.cutoff_time_s * 1e12:.2f} ps, cepstral F* {res.kappa_cepstral.f_cut_Hz / 1e12:.2f} THz "
          f"P* {res.kappa_cepstral.n_coefficients}; warnings: {res.notes.messages}")
    gk = res.kappa.scaled(1 / ARGON.kappa_W_per_mK(1.0))
    cep = res.kappa_cepstral.value.scaled(1 / ARGON.kappa_W_per_mK(1.0))
    ok_gk = side_by_side("kappa* Green-Kubo", gk, KAPPA_REF)
    ok_cep = side_by_side("kappa* cepstral", cep, KAPPA_REF)
    print(f"  in SI: {res.kappa} W/m/K (published {ARGON.kappa_W_per_mK(KAPPA_REF.value):.4f})")
    assert ok_gk and ok_cep


def test_lj_shear_viscosity_green_kubo_cepstral_helfand(gk_runs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TransportWarning)
        res = viscosity_green_kubo(gk_runs, max_correlation_time_ps=20.0)
    print(f"\ncutoff {res.gk.cutoff_time_s * 1e12:.2f} ps, Helfand fit {res.einstein_helfand.fit_window_s}; "
          f"warnings: {res.notes.messages}")
    scale = 1 / ARGON.viscosity_Pa_s(1.0)
    ok = [side_by_side("eta* Green-Kubo", res.viscosity.scaled(scale), ETA_REF),
          side_by_side("eta* cepstral", res.viscosity_cepstral.value.scaled(scale), ETA_REF),
          side_by_side("eta* Einstein-Helfand", res.einstein_helfand.value.scaled(scale), ETA_REF)]
    assert all(ok)


def test_lj_nemd_muller_plathe_matches_green_kubo(gk_runs, tmp_path):
    """NEMD (Muller-Plathe) and Green-Kubo kappa agree on the same system (r_c = 2.5)."""
    runs = run_independent("nemd_kappa", tmp_path, lj(2.5, shift=True),
                           lj_fcc(5).repeat((1, 1, 3)), n_runs=1, first_seed=5,
                           variables=dict(T=T_K, dt=DT_PS, T_melt=300, melt_steps=5000, equil_steps=10000,
                                          method="mp", swap_every=200, nbins=20, steady_steps=50000,
                                          run_steps=300000, profile_every=5000, sample_every=10))
    nemd = kappa_nemd(runs[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TransportWarning)
        gk = kappa_green_kubo(gk_runs, max_correlation_time_ps=20.0).kappa
    scale = 1 / ARGON.kappa_W_per_mK(1.0)
    print(f"\nNEMD-MP: <T*> = {nemd.temperature_K / ARGON.temperature_K(1.0):.4f}, T span "
          f"{np.ptp(nemd.profile.mean_profile):.2f} K, warnings {nemd.notes.messages}")
    assert side_by_side("kappa* NEMD vs GK", nemd.kappa.scaled(scale), gk.scaled(scale))
    assert side_by_side("kappa* NEMD vs published", nemd.kappa.scaled(scale), KAPPA_REF)


def test_lj_self_diffusion_vs_meier(tmp_path):
    """D* at N = 1372 with the source's cutoff 5.5 sigma (2 runs of 400 ps)."""
    runs = run_independent("msd", tmp_path, lj(5.5, shift=False),
                           lj_fcc(7), n_runs=2, first_seed=21,
                           variables=dict(T=T_K, dt=DT_PS, T_melt=300, melt_steps=2000, equil_steps=10000,
                                          run_steps=40000, dump_every=100))
    values, temps = [], []
    fits = []
    for r in runs:
        with load_trajectory(r) as traj:
            fit = self_diffusion(traj).species["Ar"]
        values.append(ARGON.D_star(fit.D.value))
        fits.append(fit.D.scaled(1 / ARGON.D_m2_per_s(1.0)))
        from ptmlp.thermo import read_thermo

        temps.append(read_thermo(r / "log.lammps")["Temp"].mean())
        print(f"run {r.name}: D* = {values[-1]:.5f}, fit window {[x * 1e12 for x in fit.window_s]} ps, "
              f"<T*> = {temps[-1] / ARGON.temperature_K(1.0):.4f}")
    ours = measurement(combine(fits))  # per-run errors from time blocks, runs combined by scatter (#20)
    print(f"spread of the runs: {combine([Measurement(v, 0.0) for v in values]).details}")
    assert side_by_side("D* (N=1372, r_c=5.5)", ours, D_REF)
