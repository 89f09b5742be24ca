"""Green-Kubo and Einstein-Helfand shear viscosity on a synthetic pressure tensor built from
five independent Ornstein-Uhlenbeck traceless components with a known integral, written as
the pressure.dat a template run writes; reading from a thermo log; bad inputs."""

import math

import numpy as np
import pytest

from ptmlp.errors import InputError
from ptmlp.transport import constants as C
from ptmlp.transport.viscosity_gk import traceless_components, viscosity_green_kubo

from transport_synthetic import ou_integral, ou_series

VOL_A3, T_K, TS_PS, EVERY = 8000.0, 1500.0, 0.001, 5
TAU_SAMPLES, SIGMA_BAR = 40.0, 2000.0


def tensor_from_components(s: np.ndarray, p_iso: np.ndarray) -> np.ndarray:
    """Inverse of traceless_components plus an isotropic part: (n, 5) -> (n, 6) xx yy zz xy xz yz."""
    dxx = 2 * s[:, 0] / math.sqrt(3)
    dyy = -dxx / 2 + s[:, 1]
    dzz = -dxx / 2 - s[:, 1]
    return np.column_stack([p_iso + dxx, p_iso + dyy, p_iso + dzz, s[:, 2], s[:, 3], s[:, 4]])


def write_pressure_run(folder, seed, n=2 ** 14):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    s = ou_series(n, 5, 1.0, TAU_SAMPLES, SIGMA_BAR, rng)
    p = tensor_from_components(s, 5e4 + ou_series(n, 1, 1.0, 10.0, 500.0, rng)[:, 0])
    steps = np.arange(n) * EVERY
    header = ("Time-averaged data for fix ptens\nTimeStep " + " ".join(f"c_thermo_press[{k}]" for k in range(1, 7))
              + " v_T_inst")
    rows = np.column_stack([steps, p, np.full(n, T_K)])
    np.savetxt(folder / "pressure.dat", rows, header=header, comments="# ", fmt=["%d"] + ["%.10g"] * 7)
    (folder / "run_info.yaml").write_text(f"units: metal\nvolume_A3: {VOL_A3}\ntimestep_ps: {TS_PS}\n"
                                          f"T_target_K: {T_K}\nsample_every_steps: {EVERY}\n")
    return folder


def expected_viscosity():
    dt_s = EVERY * TS_PS * C.PS_S
    integral = ou_integral(1.0, TAU_SAMPLES, SIGMA_BAR * C.BAR_PA) * dt_s  # Pa^2 s
    return VOL_A3 * C.ANGSTROM_M ** 3 / (C.KB_J_PER_K * T_K) * integral


def test_traceless_components_of_isotropic_tensor_vanish():
    p = np.array([[3.0, 3.0, 3.0, 0.0, 0.0, 0.0]])
    assert np.allclose(traceless_components(p), 0.0)
    s = np.random.default_rng(0).normal(size=(10, 5))
    np.testing.assert_allclose(traceless_components(tensor_from_components(s, np.zeros(10))), s, atol=1e-12)


def test_green_kubo_cepstral_and_helfand_recover_known_viscosity(tmp_path):
    runs = [write_pressure_run(tmp_path / f"r{k}", seed=k) for k in range(3)]
    res = viscosity_green_kubo(runs, max_correlation_time_ps=1.2)
    exp = expected_viscosity()
    gk, cep, eh = res.viscosity, res.viscosity_cepstral.value, res.einstein_helfand.value
    print(f"expected {exp:.5g} Pa s; GK {gk}; cepstral {cep}; Einstein-Helfand {eh}")
    for m in (gk, cep, eh):
        assert abs(m.value - exp) < 3 * m.std_err + 0.02 * exp
        assert m.relative_err < 0.15
    s = res.summary()
    assert s["viscosity_Pa_s"] == gk.value and s["viscosity_Pa_s_err"] == gk.std_err
    assert set(s["viscosity_components_Pa_s"]) == {"(Pxx-Pyy/2-Pzz/2)/sqrt3", "(Pyy-Pzz)/2", "Pxy", "Pxz", "Pyz"}


@pytest.mark.filterwarnings("ignore::ptmlp.transport.results.TransportWarning")
def test_viscosity_from_thermo_log(tmp_path):
    folder = write_pressure_run(tmp_path / "log", seed=9, n=4000)
    data = np.loadtxt(folder / "pressure.dat")
    lines = ["LAMMPS (22 Jul 2025)", "units metal", "timestep 0.001",
             "   Step          Temp          Volume          Pxx            Pyy            Pzz            Pxy            Pxz            Pyz"]
    lines += [f"{int(r[0])} {T_K} {VOL_A3} " + " ".join(f"{v:.8g}" for v in r[1:7]) for r in data]
    lines.append("Loop time of 1.0 on 1 procs")
    (folder / "log.lammps").write_text("\n".join(lines) + "\n")
    (folder / "run_info.yaml").unlink()
    res = viscosity_green_kubo([folder / "log.lammps"], max_correlation_time_ps=0.4)
    assert res.viscosity.value > 0
    assert res.temperature_K.value == pytest.approx(T_K)


def test_log_without_pressure_columns_names_them(tmp_path):
    log = tmp_path / "log.lammps"
    log.write_text("units metal\ntimestep 0.001\nStep Temp Press\n0 300 1\n10 300 2\n20 300 3\nLoop time\n")
    with pytest.raises(InputError, match=r"missing column\(s\) Pxx, Pyy, Pzz, Pxy, Pxz, Pyz.*thermo_style custom"):
        viscosity_green_kubo([log])


def test_units_mismatch_in_log(tmp_path):
    log = tmp_path / "log.lammps"
    log.write_text("units real\ntimestep 1.0\nStep Temp Pxx Pyy Pzz Pxy Pxz Pyz\n0 300 1 1 1 0 0 0\nLoop time\n")
    with pytest.raises(InputError, match="units mismatch: written with 'units real'"):
        viscosity_green_kubo([log], volume_A3=1000.0)
