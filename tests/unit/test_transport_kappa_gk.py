"""Green-Kubo thermal conductivity on a synthetic heat-flux file (LAMMPS J*V in eV*A/ps with
an OU autocorrelation of known integral), read from a fix ave/time file and from a thermo
log; energy drift and missing columns are reported."""

import numpy as np
import pytest

from ptmlp.errors import InputError
from ptmlp.transport import constants as C
from ptmlp.transport.kappa_gk import kappa_green_kubo
from ptmlp.transport.results import TransportWarning

from transport_synthetic import ou_integral, ou_series

VOL, T, TS, EVERY, TAU, SIG = 12000.0, 900.0, 0.001, 2, 30.0, 50.0  # A^3, K, ps, steps, samples, eV*A/ps


def write_flux(folder, seed, n=2 ** 14, drift=0.0):
    folder.mkdir(parents=True, exist_ok=True)
    jv = ou_series(n, 3, 1.0, TAU, SIG, np.random.default_rng(seed))
    e = -1000.0 + drift * np.arange(n) / n
    rows = np.column_stack([np.arange(n) * EVERY, jv, np.full(n, T), e])
    np.savetxt(folder / "heatflux.dat", rows, fmt=["%d"] + ["%.10g"] * 5, comments="# ",
               header="Time-averaged data for fix hf\nTimeStep c_flux[1] c_flux[2] c_flux[3] v_T_inst v_E_tot")
    (folder / "run_info.yaml").write_text(f"units: metal\nvolume_A3: {VOL}\ntimestep_ps: {TS}\nnatoms: 500\n")
    return folder


def exact_kappa():
    v = VOL * 1e-30
    sig_si = SIG * C.EV_A_PER_PS_W_M / v  # W/m^2
    return v / (C.KB_J_PER_K * T ** 2) * ou_integral(1.0, TAU, sig_si) * EVERY * TS * 1e-12


def test_kappa_from_heat_flux_files(tmp_path):
    runs = [write_flux(tmp_path / f"r{k}", k) for k in range(3)]
    res = kappa_green_kubo(runs, max_correlation_time_ps=0.6)
    exp = exact_kappa()
    print(f"kappa {res.kappa} (cepstral {res.kappa_cepstral.value}) vs exact {exp:.4g} W/m/K")
    assert abs(res.kappa.value - exp) < 3 * res.kappa.std_err
    assert abs(res.kappa_cepstral.value.value - exp) < 3 * res.kappa_cepstral.value.std_err
    s = res.summary()
    assert s["n_runs"] == 3 and len(s["kappa_per_run_W_per_mK"]) == 3 and s["temperature_K"] == pytest.approx(T)
    assert s["mass_fluxes_projected_out"] == 0


def test_kappa_from_thermo_log_matches_file(tmp_path):
    folder = write_flux(tmp_path / "f", 5)
    data = np.loadtxt(folder / "heatflux.dat")
    lines = ["units metal", f"timestep {TS}", "Step Temp Volume c_flux[1] c_flux[2] c_flux[3]"]
    lines += [f"{int(r[0])} {T} {VOL} {r[1]:.10g} {r[2]:.10g} {r[3]:.10g}" for r in data]
    (tmp_path / "log.lammps").write_text("\n".join(lines + ["Loop time of 1 on 1 procs"]) + "\n")
    a = kappa_green_kubo([folder], max_correlation_time_ps=0.6, cutoff=0.2)
    b = kappa_green_kubo([tmp_path / "log.lammps"], max_correlation_time_ps=0.6, cutoff=0.2)
    assert b.kappa.value == pytest.approx(a.kappa.value, rel=1e-6)


def test_energy_drift_is_flagged(tmp_path):
    folder = write_flux(tmp_path / "d", 1, drift=5.0)  # 5 eV over the run: 10 meV/atom, 0.13 k_B T
    with pytest.warns(TransportWarning, match="total energy drifts"):
        kappa_green_kubo([folder], max_correlation_time_ps=0.6)


def test_stress_atom_heat_flux_is_flagged(tmp_path):
    folder = write_flux(tmp_path / "s", 2)
    with open(folder / "run_info.yaml", "a") as fh:
        fh.write("stress_compute: stress/atom\n")
    with pytest.warns(TransportWarning, match="exact only for pair potentials"):
        kappa_green_kubo([folder], max_correlation_time_ps=0.6)


def test_missing_flux_columns(tmp_path):
    (tmp_path / "heatflux.dat").write_text("# Time-averaged data for fix hf\n# TimeStep c_flux[1] v_T_inst\n0 1 300\n2 1 300\n")
    with pytest.raises(InputError, match=r"missing column\(s\) c_flux\[2\], c_flux\[3\]"):
        kappa_green_kubo([tmp_path / "heatflux.dat"], volume_A3=1000.0, timestep_ps=0.001)
    with pytest.raises(InputError, match="volume_A3 unknown.*--volume-A3"):
        (tmp_path / "h2.dat").write_text("# x\n# TimeStep c_flux[1] c_flux[2] c_flux[3]\n0 1 1 1\n2 1 1 1\n")
        kappa_green_kubo([tmp_path / "h2.dat"], timestep_ps=0.001, temperature_K=300.0)


def test_cli_from_config_file_names_its_command(tmp_path, capsys):
    """`ptmlp analyze kappa CONFIG` (same command as `ptmlp transport kappa`) says which command ran
    and writes the same numbers as the Python API to summary.json (strict JSON)."""
    from ptmlp.cli.main import main
    from ptmlp.jsonfile import read_json

    runs = [write_flux(tmp_path / f"r{k}", k) for k in range(3)]
    (tmp_path / "k.yaml").write_text("inputs: [r0, r1, r2]\nmax_correlation_time_ps: 0.6\nout: res\n")
    assert main(["analyze", "kappa", str(tmp_path / "k.yaml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"ptmlp analyze kappa: green-kubo -> {tmp_path / 'res'}/summary.json\n"), out
    s = read_json(tmp_path / "res/summary.json")
    res = kappa_green_kubo(runs, max_correlation_time_ps=0.6)
    assert s["kappa_W_per_mK"] == res.kappa.value and s["kappa_W_per_mK_err"] == res.kappa.std_err
    assert s["inputs"] == [str(r) for r in runs]
