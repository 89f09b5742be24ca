"""Shear viscosity from equilibrium runs: Green-Kubo on the five independent traceless
components of the pressure tensor (all time origins), and Einstein-Helfand from the growth
of their time integrals.

The symmetric traceless pressure tensor of an isotropic fluid has five independent,
statistically equivalent components (Daivis & Evans, J. Chem. Phys. 100, 541 (1994)):

    P'_1 = (P_xx - P_yy/2 - P_zz/2)/sqrt(3),  P'_2 = (P_yy - P_zz)/2,  P'_3..5 = P_xy, P_xz, P_yz

each with ``<P'_k(0) P'_k(t)> = <P_xy(0) P_xy(t)>``, so
``eta = V/(k_B T) * (1/5) sum_k int_0^inf <P'_k(0) P'_k(t)> dt`` uses all of them.
Einstein-Helfand: ``eta = lim V/(2 k_B T t) <(int_0^t P'_k)^2>`` (Helfand, Phys. Rev. 119, 1
(1960)), fitted on the linear part after the Green-Kubo cutoff.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from ..errors import InputError
from . import constants as C
from .cepstral import CepstralResult, cepstral
from .correlation import msd_fft, split_blocks
from .greenkubo import GreenKuboResult, check_run_length, green_kubo
from .kappa_gk import FluxRun, load_runs, run_temperature, sample_interval_s
from .readers import columns, read_ave_time, require, run_info_near, thermo_means, thermo_table
from .results import UNCERTAINTY_NOTE, Measurement, Notes
from .temperature import temperature_of_runs

PRESSURE_COLUMNS = [f"c_thermo_press[{k}]" for k in range(1, 7)]
THERMO_COLUMNS = ["Pxx", "Pyy", "Pzz", "Pxy", "Pxz", "Pyz"]
COMPONENT_NAMES = ["(Pxx-Pyy/2-Pzz/2)/sqrt3", "(Pyy-Pzz)/2", "Pxy", "Pxz", "Pyz"]


def traceless_components(p: np.ndarray) -> np.ndarray:
    """(n, 6) pressure tensor (xx, yy, zz, xy, xz, yz) -> (n, 5) independent traceless parts."""
    p = np.asarray(p, dtype=float)
    return np.stack([(p[:, 0] - 0.5 * p[:, 1] - 0.5 * p[:, 2]) / math.sqrt(3.0), 0.5 * (p[:, 1] - p[:, 2]),
                     p[:, 3], p[:, 4], p[:, 5]], axis=1)


def load_pressure(path: str | Path, *, volume_A3: Optional[float] = None, timestep_ps: Optional[float] = None,
                  temperature_K: Optional[float] = None) -> FluxRun:
    """Read a pressure-tensor series: ``pressure.dat`` of the templates (fix ave/time of
    ``c_thermo_press[1..6]``) or a LAMMPS log whose last thermo block has ``Pxx ... Pyz``.
    Returns a :class:`FluxRun` whose ``flux`` is the (n, 5) traceless components in Pa."""
    path = Path(path)
    if path.is_dir():
        path = path / "pressure.dat"
    info = run_info_near(path)
    notes = Notes()
    if path.name.startswith("log") or path.suffix == ".lammps":
        header, data, settings = thermo_table(path)
        p_bar = columns(header, data, THERMO_COLUMNS, path,
                        "add them: thermo_style custom step temp vol pxx pyy pzz pxy pxz pyz")
        steps = data[:, 0]
        timestep_ps, volume_A3 = thermo_means(header, data, settings, path, timestep_ps, volume_A3)
    else:
        header, data = read_ave_time(path)
        p_bar = columns(header, data, PRESSURE_COLUMNS, path,
                        "write c_thermo_press[1..6] with fix ave/time (see inputs/gk_viscosity.in)")
        steps = data[:, 0]
    vol = float(require(info, "volume_A3", volume_A3, str(path), "--volume-A3"))
    ts = float(require(info, "timestep_ps", timestep_ps, str(path), "--timestep-ps"))
    temp, t_source, t_record = run_temperature(header, data, path, info, ts, temperature_K, notes)
    if not vol > 0 or not temp > 0:
        raise InputError(f"{path}: volume and temperature must be positive, got {vol} A^3, {temp} K")
    dt_s = sample_interval_s(steps, ts, path)
    comps = traceless_components(p_bar * C.BAR_PA)
    return FluxRun(path=str(path), flux=comps, dt_s=dt_s, volume_m3=vol * C.ANGSTROM_M ** 3, temperature_K=temp,
                   n_atoms=info.get("natoms") if info else None, notes=notes, temperature=t_record,
                   temperature_source=t_source)


@dataclass
class EinsteinHelfandResult:
    """Einstein-Helfand viscosity: ``msd`` is ``V/(2 k_B T) <(int P')^2>`` (Pa s * s) on ``time_s``;
    the slope over ``fit_window_s`` is the viscosity."""

    value: Measurement
    time_s: np.ndarray
    msd: np.ndarray
    fit_window_s: tuple
    intercept: float


def einstein_helfand(series: Sequence[np.ndarray], dt_s: float, t_start_s: float, t_end_s: float,
                     notes: Notes) -> EinsteinHelfandResult:
    """Viscosity from ``<(int_0^t P')^2> -> 2 t eta k_B T / V`` for series already scaled by
    ``sqrt(V/(k_B T))`` (so the slope/2 is eta in Pa s). Error: spread of independent
    units (runs x blocks x components)."""
    k_end = int(round(t_end_s / dt_s))
    k_start = max(1, int(round(t_start_s / dt_s)))
    if k_end <= k_start + 2:
        raise InputError("Einstein-Helfand fit window is empty; run longer")
    # helfand moments: cumulative integrals of each component
    moments = [np.concatenate([np.zeros((1, s.shape[1])), np.cumsum(0.5 * (s[1:] + s[:-1]) * dt_s, axis=0)])
               for s in series]
    weights = np.array([len(m) for m in moments], dtype=float)
    msd = sum(w * msd_fft(m[:, :, None], k_end).mean(axis=1) for w, m in zip(weights, moments)) / weights.sum()
    t = np.arange(k_end + 1) * dt_s
    sel = slice(k_start, k_end + 1)
    slope, icpt = np.polyfit(t[sel], msd[sel], 1)
    unit_slopes = []
    for m in moments:
        n_blocks = int(min(10, max(1, len(m) // (5 * k_end))))
        for b in split_blocks(m, n_blocks):
            if len(b) <= k_end:
                continue
            um = msd_fft(b[:, :, None], k_end)  # (L, C)
            for c in range(um.shape[1]):
                unit_slopes.append(np.polyfit(t[sel], um[sel, c], 1)[0])
    err = np.std(unit_slopes, ddof=1) / math.sqrt(len(unit_slopes)) / 2 if len(unit_slopes) > 1 else math.nan
    return EinsteinHelfandResult(value=Measurement(slope / 2, err), time_s=t, msd=msd,
                                 fit_window_s=(float(t[k_start]), float(t[k_end])), intercept=float(icpt))


@dataclass
class ViscosityGKResult:
    """Green-Kubo, cepstral and Einstein-Helfand shear viscosity (Pa s)."""

    viscosity: Measurement
    viscosity_cepstral: CepstralResult
    einstein_helfand: EinsteinHelfandResult
    gk: GreenKuboResult
    temperature_K: object  # Estimate of the measured temperature (None when no run has a series)
    temperature_keys: dict
    volume_A3: float
    notes: Notes

    def summary(self) -> dict:
        out = {"quantity": "shear viscosity", "method": "green-kubo"}
        out.update(self.gk.estimate.as_dict("viscosity_Pa_s"))
        out.update(self.viscosity_cepstral.value.as_dict("viscosity_cepstral_Pa_s"))
        out.update(self.einstein_helfand.value.as_dict("viscosity_einstein_helfand_Pa_s"))
        out["einstein_helfand_fit_window_ps"] = [t * 1e12 for t in self.einstein_helfand.fit_window_s]
        out["cepstral_n_coefficients"] = self.viscosity_cepstral.n_coefficients
        out["cepstral_f_cut_THz"] = self.viscosity_cepstral.f_cut_Hz / 1e12
        out["cutoff_time_ps"] = self.gk.cutoff_time_s * 1e12
        out["cutoff_method"] = self.gk.cutoff_method
        out["max_correlation_time_ps"] = float(self.gk.lag_time_s[-1] * 1e12)
        out["viscosity_components_Pa_s"] = dict(zip(COMPONENT_NAMES, self.gk.per_component))
        out["viscosity_per_run_Pa_s"] = [m.value for m in self.gk.per_run]
        out["viscosity_per_run_Pa_s_err"] = [m.std_err for m in self.gk.per_run]
        out.update(self.temperature_keys)
        out["volume_A3"] = self.volume_A3
        out["n_runs"] = len(self.gk.per_run)
        out["total_time_ps"] = self.gk.total_time_s * 1e12
        out["uncertainty"] = UNCERTAINTY_NOTE
        out["warnings"] = list(self.notes.messages)
        return out


def viscosity_green_kubo(sources: Sequence[Union[str, Path, FluxRun]], *,
                         max_correlation_time_ps: Optional[float] = None, cutoff: Union[str, float] = "noise",
                         f_cut_THz: Optional[float] = None, volume_A3: Optional[float] = None,
                         timestep_ps: Optional[float] = None, temperature_K: Optional[float] = None,
                         helfand_fit_ps: Optional[tuple] = None) -> ViscosityGKResult:
    """Shear viscosity from pressure-tensor series of independent equilibrium runs.

    ``helfand_fit_ps``: (start, end) of the Einstein-Helfand linear fit (default: from twice
    the Green-Kubo cutoff to the longest correlation time)."""
    runs, notes, dt = load_runs(sources, load_pressure, "pressure", volume_A3=volume_A3, timestep_ps=timestep_ps,
                                temperature_K=temperature_K)
    series = [r.flux * math.sqrt(r.volume_m3 / (C.KB_J_PER_K * r.temperature_K)) for r in runs]
    max_lag_s = None if max_correlation_time_ps is None else max_correlation_time_ps * C.PS_S
    cut = cutoff if isinstance(cutoff, str) else float(cutoff) * C.PS_S
    gk = green_kubo(series, dt, 1.0, max_lag_s=max_lag_s, cutoff=cut, component_names=COMPONENT_NAMES,
                    quantity="shear viscosity")
    notes.messages += gk.notes.messages
    f_cut = f_cut_THz * 1e12 if f_cut_THz is not None else min(0.5 / dt, 2.0 / max(gk.cutoff_time_s, dt))
    cep = cepstral(series, dt, 1.0, f_cut_Hz=f_cut, quantity="shear viscosity")
    notes.messages += cep.notes.messages
    if helfand_fit_ps is None:
        t0, t1 = 2 * gk.cutoff_time_s, float(gk.lag_time_s[-1])
        if t1 <= 1.5 * t0:
            t0, t1 = gk.cutoff_time_s, max(float(gk.lag_time_s[-1]), 2 * gk.cutoff_time_s)
    else:
        t0, t1 = (x * C.PS_S for x in helfand_fit_ps)
        if not 0 <= t0 < t1:
            raise InputError(f"Einstein-Helfand fit window {helfand_fit_ps} ps must have 0 <= start < end")
        check_run_length(min(len(s) for s in series), dt, t1, what="the shortest run")
    eh = einstein_helfand(series, dt, t0, t1, notes)
    temps, temperature_keys = temperature_of_runs(runs, notes)
    return ViscosityGKResult(viscosity=gk.value, viscosity_cepstral=cep, einstein_helfand=eh, gk=gk,
                             temperature_K=temps, temperature_keys=temperature_keys,
                             volume_A3=runs[0].volume_m3 / C.ANGSTROM_M ** 3, notes=notes)
