"""Thermal conductivity from equilibrium runs: Green-Kubo integration of the heat-flux
autocorrelation (``compute heat/flux`` on ``compute centroid/stress/atom``, written by
``inputs/gk_kappa.in``) and the cepstral estimate of the same integral.

``kappa = V / (k_B T^2) * (1/3) sum_a int_0^inf <J_a(0) J_a(t)> dt`` with ``J`` the heat flux
(W/m^2; LAMMPS writes ``J*V`` in eV*A/ps). Each run is scaled by its own volume and mean
temperature, so NVE runs at slightly different temperatures pool correctly. With more than
one atom type the energy flux is first decorrelated from the mass fluxes
(:mod:`ptmlp.transport.decorrelation`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from ..errors import InputError
from . import constants as C
from .cepstral import CepstralResult, cepstral
from .decorrelation import onsager_matrix, project_out, projection_coefficients
from .greenkubo import GreenKuboResult, green_kubo
from .readers import columns, read_ave_time, read_blocks, require, run_info_near, thermo_means, thermo_table
from .results import UNCERTAINTY_NOTE, Measurement, Notes
from .temperature import TemperatureRecord, record_from_columns, temperature_of_runs

FLUX_COLUMNS = ["c_flux[1]", "c_flux[2]", "c_flux[3]"]
FLUX_HINT = ("write the heat flux with fix ave/time ... c_flux[1] c_flux[2] c_flux[3] v_T_inst (see "
             "inputs/gk_kappa.in), or as thermo_style custom step temp vol c_flux[1] c_flux[2] c_flux[3]")


@dataclass
class FluxRun:
    """One equilibrium run: flux samples (n, 3) in SI, its sampling interval, volume and
    temperature, and optionally the per-type mass fluxes (n, 3, n_types) in kg m/s."""

    path: str
    flux: np.ndarray
    dt_s: float
    volume_m3: float
    temperature_K: float
    n_atoms: Optional[int] = None
    mass_flux: Optional[np.ndarray] = None
    notes: Notes = field(default_factory=Notes)
    temperature: Optional[TemperatureRecord] = None  # the sampled series, where the file has one
    temperature_source: str = "measured"  # of temperature_K: measured, given or target


def run_temperature(header, data, path, info, timestep_ps, given_K, notes: Notes
                    ) -> tuple[float, str, Optional[TemperatureRecord]]:
    """The temperature of a flux run (K): the one given, else the mean of its sampled series
    (``v_T_inst``, or ``Temp`` of a thermo log), else the target of run_info.yaml (with a warning)."""
    column = "Temp" if "Temp" in header and "v_T_inst" not in header else "v_T_inst"
    record = record_from_columns(header, data, path, timestep_ps, info, column=column)
    if given_K is not None:
        return float(given_K), "given", record
    if record is not None:
        return float(record.series_K.mean()), "measured", record
    target = float(require(info, "T_target_K", None, str(path), "--temperature-K"))
    notes.warn(f"{path}: no temperature column; using the target {target:g} K")
    return target, "target", None


def sample_interval_s(steps: np.ndarray, timestep_ps: float, path) -> float:
    """Sampling interval from the TimeStep column; uneven spacing (restarts) is an error."""
    if len(steps) < 2:
        raise InputError(f"{path}: fewer than two samples")
    d = np.diff(steps)
    if np.any(d != d[0]) or d[0] <= 0:
        raise InputError(f"{path}: samples are not evenly spaced in time (steps {sorted(set(d.tolist()))[:5]}); "
                         "analyse each continuous run separately")
    if not timestep_ps > 0:
        raise InputError(f"timestep must be positive, got {timestep_ps} ps")
    return float(d[0]) * timestep_ps * C.PS_S


def check_energy_drift(e_tot_eV: np.ndarray, temperature_K: float, n_atoms: Optional[int], notes: Notes,
                       path) -> None:
    """Warn when the NVE total energy drifts by more than 1% of k_B T per atom over the run."""
    if n_atoms is None or len(e_tot_eV) < 10:
        return
    t = np.arange(len(e_tot_eV))
    drift = abs(np.polyfit(t, e_tot_eV, 1)[0]) * len(t) / n_atoms
    kt = C.KB_J_PER_K * temperature_K / C.EV_J
    if drift > 0.01 * kt:
        notes.warn(f"{path}: total energy drifts by {drift * 1e3:.3g} meV/atom ({drift / kt:.2f} k_B T) over the "
                   "run: the dynamics is not energy-conserving (time step too large, or a thermostat is on)")


def load_heat_flux(path: str | Path, *, volume_A3: Optional[float] = None, timestep_ps: Optional[float] = None,
                   temperature_K: Optional[float] = None, mass_fluxes: bool = True) -> FluxRun:
    """Read ``heatflux.dat`` (+ ``run_info.yaml`` and ``vcm_types.dat`` beside it)."""
    path = Path(path)
    if path.is_dir():
        path = path / "heatflux.dat"
    info = run_info_near(path)
    if path.name.startswith("log") or path.suffix == ".lammps":
        header, data, settings = thermo_table(path)
        timestep_ps, volume_A3 = thermo_means(header, data, settings, path, timestep_ps, volume_A3)
    else:
        header, data = read_ave_time(path)
    jv = columns(header, data, FLUX_COLUMNS, path, FLUX_HINT)
    vol = float(require(info, "volume_A3", volume_A3, str(path), "--volume-A3"))
    ts = float(require(info, "timestep_ps", timestep_ps, str(path), "--timestep-ps"))
    if not vol > 0:
        raise InputError(f"{path}: volume must be positive, got {vol} A^3")
    dt_s = sample_interval_s(data[:, 0], ts, path)
    notes = Notes()
    temperature_K, t_source, t_record = run_temperature(header, data, path, info, ts, temperature_K, notes)
    if not temperature_K > 0:
        raise InputError(f"{path}: temperature must be positive, got {temperature_K} K")
    n_atoms = info.get("natoms") if info else None
    if info and str(info.get("stress_compute", "")).strip() == "stress/atom":
        notes.warn(f"{path}: heat flux from stress/atom is exact only for pair potentials; for many-body "
                   "styles (EAM, sw, tersoff, ptmlp) use centroid/stress/atom, or kappa may be wrong by "
                   "up to ~100% (Boone, Babaei & Wilmer, J. Chem. Theory Comput. 2019)")
    if "v_E_tot" in header:
        check_energy_drift(columns(header, data, ["v_E_tot"], path)[:, 0], temperature_K, n_atoms, notes, path)
    vol_m3 = vol * C.ANGSTROM_M ** 3
    flux = jv * C.EV_A_PER_PS_W_M / vol_m3  # W/m^2
    mflux = None
    vcm_path = path.parent / "vcm_types.dat"
    if mass_fluxes and vcm_path.is_file():
        blocks = read_blocks(vcm_path)
        need = ["c_vcm_t[1]", "c_vcm_t[2]", "c_vcm_t[3]", "c_m_t"]
        missing = [n for n in need if n not in blocks.names]
        if missing:
            raise InputError(f"{vcm_path}: missing column(s) {missing}; see inputs/gk_kappa.in")
        if len(blocks.steps) < len(data) or not np.array_equal(blocks.steps[:len(data)], data[:, 0]):
            raise InputError(f"{vcm_path}: sample steps differ from {path.name}; both must be written together")
        v = np.stack([blocks.data[f"c_vcm_t[{k}]"][:len(data)] for k in (1, 2, 3)], axis=1)  # (n, 3, types)
        m = blocks.data["c_m_t"][:len(data)]  # (n, types), g/mol
        present = m[0] > 0
        mflux = (v * m[:, None, :] * C.MOMENTUM_METAL_SI)[:, :, present]
    return FluxRun(path=str(path), flux=flux, dt_s=dt_s, volume_m3=vol_m3, temperature_K=temperature_K,
                   n_atoms=n_atoms, mass_flux=mflux, notes=notes, temperature=t_record, temperature_source=t_source)


def load_runs(sources, loader, what: str, **kwargs) -> tuple[list, Notes, float]:
    """Runs read by ``loader(source, **kwargs)`` (or given already read), their notes gathered, and
    their common sampling interval (s); different intervals are an error."""
    runs = [s if not isinstance(s, (str, Path)) else loader(s, **kwargs) for s in sources]
    if not runs:
        raise InputError(f"no {what} files given")
    notes = Notes()
    for r in runs:
        notes.messages += r.notes.messages
    if len({round(r.dt_s * 1e18) for r in runs}) > 1:
        raise InputError(f"runs have different sampling intervals {[r.dt_s * 1e12 for r in runs]} ps; "
                         "analyse them separately")
    return runs, notes, runs[0].dt_s


@dataclass
class KappaGKResult:
    """Green-Kubo and cepstral thermal conductivity (W/m/K) of a set of equilibrium runs."""

    kappa: Measurement
    kappa_cepstral: CepstralResult
    gk: GreenKuboResult
    temperature_K: object  # Estimate of the measured temperature (None when no run has a series)
    temperature_keys: dict
    volume_A3: float
    n_mass_fluxes: int
    projection: Optional[list]
    notes: Notes

    def summary(self) -> dict:
        out = {"quantity": "thermal conductivity", "method": "green-kubo"}
        out.update(self.gk.estimate.as_dict("kappa_W_per_mK"))
        out.update(self.kappa_cepstral.value.as_dict("kappa_cepstral_W_per_mK"))
        out["cepstral_n_coefficients"] = self.kappa_cepstral.n_coefficients
        out["cepstral_f_cut_THz"] = self.kappa_cepstral.f_cut_Hz / 1e12
        out["cutoff_time_ps"] = self.gk.cutoff_time_s * 1e12
        out["cutoff_method"] = self.gk.cutoff_method
        out["max_correlation_time_ps"] = float(self.gk.lag_time_s[-1] * 1e12)
        out["kappa_components_W_per_mK"] = list(self.gk.per_component)
        out["kappa_per_run_W_per_mK"] = [m.value for m in self.gk.per_run]
        out["kappa_per_run_W_per_mK_err"] = [m.std_err for m in self.gk.per_run]
        out.update(self.temperature_keys)
        out["volume_A3"] = self.volume_A3
        out["n_runs"] = len(self.gk.per_run)
        out["total_time_ps"] = self.gk.total_time_s * 1e12
        out["mass_fluxes_projected_out"] = self.n_mass_fluxes
        out["uncertainty"] = UNCERTAINTY_NOTE
        out["warnings"] = list(self.notes.messages)
        return out


def kappa_green_kubo(sources: Sequence[Union[str, Path, FluxRun]], *, max_correlation_time_ps: Optional[float] = None,
                     cutoff: Union[str, float] = "noise", f_cut_THz: Optional[float] = None,
                     volume_A3: Optional[float] = None, timestep_ps: Optional[float] = None,
                     temperature_K: Optional[float] = None, decorrelate: bool = True) -> KappaGKResult:
    """Thermal conductivity from heat-flux files of independent equilibrium runs.

    ``cutoff``: ``"noise"`` | ``"first-zero"`` | time in ps (see :mod:`ptmlp.transport.greenkubo`).
    ``f_cut_THz``: cepstral frequency cutoff F* (default ``2 / t_cutoff`` of the direct
    integral, capped at the Nyquist frequency).
    """
    runs, notes, dt = load_runs(sources, load_heat_flux, "heat-flux", volume_A3=volume_A3, timestep_ps=timestep_ps,
                                temperature_K=temperature_K)
    scale = [math.sqrt(r.volume_m3 / (C.KB_J_PER_K * r.temperature_K ** 2)) for r in runs]
    series = [r.flux * s for r, s in zip(runs, scale)]  # prefactor folded in: kappa = int <X X>
    max_lag_s = None if max_correlation_time_ps is None else max_correlation_time_ps * C.PS_S
    cut = cutoff if isinstance(cutoff, str) else float(cutoff) * C.PS_S
    names = ["J_x", "J_y", "J_z"]

    n_mass, coeffs = 0, None
    have_mass = [r.mass_flux is not None and r.mass_flux.shape[2] > 1 for r in runs]
    if decorrelate and any(have_mass):
        if not all(have_mass):
            raise InputError("some runs have per-type mass fluxes (vcm_types.dat) and some do not")
        n_types = {r.mass_flux.shape[2] for r in runs}
        if len(n_types) > 1:
            raise InputError(f"runs have different numbers of atom types {sorted(n_types)}")
        n_mass = n_types.pop() - 1  # total momentum is conserved: one mass flux is dependent
        stacked = [np.concatenate([x[:, :, None], r.mass_flux[:, :, :n_mass] * s], axis=2)
                   for x, r, s in zip(series, runs, scale)]
        probe = green_kubo(series, dt, 1.0, max_lag_s=max_lag_s, cutoff=cut, component_names=names,
                           quantity="energy flux")
        for _ in range(2):
            k_cut = max(2, int(round(probe.cutoff_time_s / dt)))
            coeffs = projection_coefficients(onsager_matrix(stacked, dt, k_cut))
            series = project_out(stacked, coeffs)
            probe = green_kubo(series, dt, 1.0, max_lag_s=max_lag_s, cutoff=cut, component_names=names,
                               quantity="heat flux")

    gk = green_kubo(series, dt, 1.0, max_lag_s=max_lag_s, cutoff=cut, component_names=names,
                    quantity="thermal conductivity")
    notes.messages += gk.notes.messages
    nyquist = 0.5 / dt
    f_cut = f_cut_THz * 1e12 if f_cut_THz is not None else min(nyquist, 2.0 / max(gk.cutoff_time_s, dt))
    cep = cepstral(series, dt, 1.0, f_cut_Hz=f_cut, quantity="thermal conductivity")
    notes.messages += cep.notes.messages
    temps, temperature_keys = temperature_of_runs(runs, notes)
    agree = abs(gk.value.value - cep.value.value)
    comb = math.hypot(gk.value.std_err, cep.value.std_err)
    if math.isfinite(comb) and agree > 3 * comb:
        notes.warn(f"direct Green-Kubo ({gk.value.value:.4g}) and cepstral ({cep.value.value:.4g}) W/m/K differ by "
                   f"{agree / comb:.1f} combined standard errors: check the cutoff (plot) and run longer")
    return KappaGKResult(kappa=gk.value, kappa_cepstral=cep, gk=gk, temperature_K=temps,
                         temperature_keys=temperature_keys, volume_A3=runs[0].volume_m3 / C.ANGSTROM_M ** 3, n_mass_fluxes=n_mass,
                         projection=None if coeffs is None else coeffs.tolist(), notes=notes)
