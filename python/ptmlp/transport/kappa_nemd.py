"""Thermal conductivity from reverse-NEMD runs of ``inputs/nemd_kappa.in`` (Muller-Plathe
swaps or eHEX source/sink): kappa = J / |dT/dz| with J = P / (2 A), since in a periodic box
the heat leaving the source slab flows both ways. P is the slope of the cumulative energy
moved (Muller-Plathe) or the imposed power (eHEX); dT/dz from linear fits of both halves of
the steady-state temperature profile (:mod:`ptmlp.transport.profile_fit`). Errors: spread
of the conductivity over consecutive batches of profile blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from ..errors import InputError
from . import constants as C
from ..uncertainty import Estimate
from .profile_fit import ProfileAnalysis, analyse_profile, batch_error
from .readers import columns, nemd_geometry, read_ave_time, read_blocks, read_run_info
from .results import UNCERTAINTY_NOTE, Measurement, Notes
from .temperature import TemperatureRecord, measured_temperature, target_of, temperature_summary

#: profiles spanning more than this fraction of the mean temperature are flagged
MAX_DELTA_T_FRACTION = 0.2
FLUX_HINT = "lower the heat flux (larger swap_every, or smaller heat_eV_per_ps for eHEX) or use a longer box"


@dataclass
class NemdKappaResult:
    kappa: Measurement
    flux_W_per_m2: float
    gradient_K_per_m: Measurement
    power_W: float
    temperature_K: float
    length_A: float
    area_A2: float
    method: str
    profile: ProfileAnalysis
    notes: Notes
    temperature: Optional[Estimate] = None  # measured mean temperature (block series of the profile)
    temperature_record: Optional[TemperatureRecord] = None

    def summary(self) -> dict:
        out = {"quantity": "thermal conductivity", "method": f"nemd-{self.method}"}
        out.update(self.kappa.estimate(None, "not estimated (kappa at this box length; 1/L extrapolation over "
                                             "several lengths)", combined_by="scatter of profile batches",
                                       n_batches=len(self.profile.batch_gradients)).as_dict("kappa_W_per_mK"))
        out["heat_flux_W_per_m2"] = self.flux_W_per_m2
        out.update(self.gradient_K_per_m.scaled(1e-10).as_dict("temperature_gradient_K_per_A"))
        out["power_eV_per_ps"] = self.power_W / C.EV_J * C.PS_S
        out.update(temperature_summary(self.temperature, [self.temperature_record]) if self.temperature is not None
                   else {"temperature_K": self.temperature_K})
        out["temperature_span_K"] = float(self.profile.mean_profile.max() - self.profile.mean_profile.min())
        out["box_length_A"] = self.length_A
        out["area_A2"] = self.area_A2
        out.update(self.profile.linearity())
        out["uncertainty"] = UNCERTAINTY_NOTE
        out["warnings"] = list(self.notes.messages)
        return out


def _production(blocks, info, path):
    steady = int(info.get("steady_steps", 0) or 0)
    keep = blocks.steps > steady
    if keep.sum() < 2:
        raise InputError(f"{path}: {keep.sum()} profile block(s) after the first {steady} steady_steps: "
                         "run longer (run_steps) or write profiles more often (profile_every)")
    return keep


def kappa_nemd(folder: str | Path, *, exclude_bins: int = 1, n_batches: int = 10,
               steady_steps: Optional[int] = None) -> NemdKappaResult:
    """Analyse one ``nemd_kappa.in`` run folder (``profile.dat``, ``nemd_energy.dat``,
    ``run_info.yaml``). ``exclude_bins``: slabs skipped next to each reservoir."""
    folder = Path(folder)
    if folder.is_file():
        folder = folder.parent
    info = read_run_info(folder)
    if steady_steps is not None:
        if steady_steps < 0:
            raise InputError(f"steady_steps must be >= 0, got {steady_steps}")
        info["steady_steps"] = steady_steps
    notes = Notes()
    method = str(info.get("method", "mp"))
    lz, area, ts = nemd_geometry(folder, info, "nemd_kappa.in")
    prof = read_blocks(folder / "profile.dat")
    if "temp" not in prof.names:
        raise InputError(f"{folder}/profile.dat has no 'temp' column (fix ave/chunk ... temp)")
    keep = _production(prof, info, folder / "profile.dat")
    temps = prof.data["temp"][keep]
    n_bins = temps.shape[1]
    if int(info["nbins"]) != n_bins:
        raise InputError(f"{folder}: profile has {n_bins} slabs but run_info says nbins={info['nbins']}")
    z_m = prof.data["Coord1"][0] * lz * C.ANGSTROM_M  # reduced bin centres -> m
    analysis = analyse_profile(z_m, temps, exclude_bins, n_batches, notes, "temperature", FLUX_HINT, sign_rise=+1)

    # power through the box
    if method == "ehex":
        power_W = float(info["heat_eV_per_ps"]) * C.EV_J / C.PS_S
        if not power_W > 0:
            raise InputError(f"{folder}: eHEX heat_eV_per_ps must be positive, got {info['heat_eV_per_ps']}")
    elif method == "mp":
        header, data = read_ave_time(folder / "nemd_energy.dat")
        e = columns(header, data, ["v_E_moved"], folder / "nemd_energy.dat")[:, 0]
        steps = data[:, 0]
        sel = steps >= int(info.get("steady_steps", 0) or 0)
        t_s = steps[sel] * ts * C.PS_S
        if len(t_s) < 2:
            raise InputError(f"{folder}/nemd_energy.dat: fewer than 2 samples in the steady state")
        power_W = abs(np.polyfit(t_s, e[sel] * C.EV_J, 1)[0])
        if power_W == 0:
            raise InputError(f"{folder}: no energy was swapped (swap_every too large or nswap 0?)")
    else:
        raise InputError(f"{folder}: unknown NEMD method {method!r} (mp or ehex)")
    area_m2 = area * C.ANGSTROM_M ** 2
    flux = power_W / (2.0 * area_m2)
    kappas = flux / analysis.batch_gradients
    kappa = Measurement(flux / analysis.gradient, batch_error(kappas))
    grad = Measurement(analysis.gradient, batch_error(analysis.batch_gradients))
    t_mean = float(temps.mean())
    counts = prof.data["Ncount"][keep] if "Ncount" in prof.names else np.ones_like(temps)
    record = TemperatureRecord((temps * counts).sum(axis=1) / counts.sum(axis=1),
                               float(np.diff(prof.steps[keep]).mean()) * ts, target_of(info),
                               "slab temperatures of profile.dat (count-weighted)")
    t_est = measured_temperature([record], notes)
    span = float(analysis.mean_profile.max() - analysis.mean_profile.min())
    if span > MAX_DELTA_T_FRACTION * t_mean:
        notes.warn(f"the temperature profile spans {span:.3g} K, {100 * span / t_mean:.0f}% of the mean "
                   f"{t_mean:.4g} K: kappa(T) varies across the box; {FLUX_HINT}")
    if grad.std_err > 0 and grad.value < 3 * grad.std_err:
        notes.warn(f"the temperature gradient ({grad.value:.3g} K/m) is within 3 standard errors of zero: "
                   "increase the heat flux or run longer")
    return NemdKappaResult(kappa=kappa, flux_W_per_m2=flux, gradient_K_per_m=grad, power_W=power_W,
                           temperature_K=t_mean, length_A=lz, area_A2=area, method=method, profile=analysis,
                           notes=notes, temperature=t_est, temperature_record=record)
