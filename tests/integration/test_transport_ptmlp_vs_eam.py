"""Many-body (EAM) transport through the centroid heat flux, and the shipped ptmlp demo model
against its teacher. Slow: about 35 min on one core (the demo model costs ~30 ms per step here).

System: liquid iron inside the demo model's training domain (bcc-lattice density a = 2.80 A,
8.4 g/cm^3, about 30 GPa; 3500 K, where the training set has liquid frames), Mendelev et al.
2003 EAM (``Fe_mm.eam.fs``, the teacher of ``fe_demo.pt``). NVE with 2 fs steps (energy drift
< 1 % k_B T per atom per run), 128 atoms, 20 ps per run.

* ptmlp vs EAM: the Green-Kubo integral does not depend on how the energy is split among atoms
  (Ercole, Marcolongo, Umari, Baroni, J. Low Temp. Phys. 185, 79 (2016)), so the model and its
  teacher must agree within their statistical errors (direct and cepstral).
* EAM Green-Kubo vs EAM NEMD (Muller-Plathe, 384 atoms, 200 ps, temperature span ~20 %):
  the same conductivity.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from ase.build import bulk

from ptmlp.demo import DEMO_MODEL
from ptmlp.potential import PotentialSpec
from ptmlp.transport.drivers import run_independent
from ptmlp.transport.kappa_gk import kappa_green_kubo
from ptmlp.transport.kappa_nemd import kappa_nemd
from ptmlp.transport.results import TransportWarning
from ptmlp.transport.viscosity_gk import viscosity_green_kubo

pytestmark = pytest.mark.slow

RUN = dict(T=3500, dt=0.002, T_melt=6000, melt_steps=1000, equil_steps=1000, run_steps=10000, sample_every=1,
           pressure="yes")


EAM = PotentialSpec(pair_style="eam/fs", pair_coeff=["* * {potentials}/Fe_mm.eam.fs Fe"])
ML = PotentialSpec(model=str(DEMO_MODEL), type_names=["Fe"])


def liquid_fe(cells=(4, 4, 4)):
    return bulk("Fe", "bcc", a=2.80, cubic=True).repeat(cells)


def analyse(runs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TransportWarning)
        return kappa_green_kubo(runs, max_correlation_time_ps=1.0), viscosity_green_kubo(runs, max_correlation_time_ps=1.0)


def compare(name, a, b, label_a, label_b):
    comb = math.hypot(a.std_err, b.std_err)
    print(f"{name:26s} {label_a} {a.value:.4g} +- {a.std_err:.2g}   {label_b} {b.value:.4g} +- {b.std_err:.2g}   "
          f"diff {(a.value - b.value) / comb:+.2f} s.e.")
    return abs(a.value - b.value) < 2 * comb


@pytest.fixture(scope="module")
def eam_gk(tmp_path_factory):
    runs = run_independent("gk_kappa", tmp_path_factory.mktemp("eam_gk"), EAM,
                           liquid_fe(), n_runs=4, first_seed=11, variables=RUN)
    return analyse(runs)


def test_ptmlp_demo_kappa_matches_eam_teacher(eam_gk, tmp_path, plugin_built):
    ml_runs = run_independent("gk_kappa", tmp_path / "ptmlp", ML, liquid_fe(),
                              n_runs=2, first_seed=11, variables=RUN)
    (k_eam, v_eam), (k_ml, v_ml) = eam_gk, analyse(ml_runs)
    print(f"\nT: ptmlp {k_ml.temperature_K} K, EAM {k_eam.temperature_K} K")
    ok = [compare("kappa GK (W/m/K)", k_ml.kappa, k_eam.kappa, "ptmlp", "EAM"),
          compare("kappa cepstral (W/m/K)", k_ml.kappa_cepstral.value, k_eam.kappa_cepstral.value, "ptmlp", "EAM")]
    compare("viscosity (mPa s)", v_ml.viscosity.scaled(1e3), v_eam.viscosity.scaled(1e3), "ptmlp", "EAM")
    assert all(ok)


def test_eam_nemd_matches_green_kubo(eam_gk, tmp_path):
    run = run_independent("nemd_kappa", tmp_path, EAM, liquid_fe((4, 4, 12)),
                          n_runs=1, first_seed=3,
                          variables=dict(T=3500, dt=0.002, T_melt=6000, melt_steps=1000, equil_steps=2000, method="mp",
                                         swap_every=60, nbins=16, steady_steps=10000, run_steps=100000,
                                         profile_every=2000, sample_every=10))[0]
    nemd = kappa_nemd(run)
    print(f"\nNEMD: <T> {nemd.temperature_K:.0f} K, span {np.ptp(nemd.profile.mean_profile):.0f} K, "
          f"warnings {nemd.notes.messages}")
    assert compare("EAM kappa (W/m/K)", nemd.kappa, eam_gk[0].kappa, "NEMD-MP", "GK")
