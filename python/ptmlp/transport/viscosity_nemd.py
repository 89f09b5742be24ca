"""Shear viscosity from reverse-NEMD (Muller-Plathe, Phys. Rev. E 59, 4894 (1999)) runs of
``inputs/nemd_viscosity.in``: eta = J / |dv_x/dz| with the momentum flux J = P / (2 A)
(periodic z: the momentum injected in the middle slab flows both ways), P the slope of the
cumulative x momentum moved by ``fix viscosity``; dv_x/dz from both halves of the velocity
profile. Several runs at different swap rates give eta(shear rate) and, extrapolated,
the zero-shear viscosity (:func:`ptmlp.transport.extrapolation.zero_shear_extrapolation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from ..errors import InputError
from . import constants as C
from ..uncertainty import Estimate
from .extrapolation import Extrapolation, zero_shear_extrapolation
from .profile_fit import ProfileAnalysis, analyse_profile, batch_error
from .readers import columns, nemd_geometry, read_ave_time, read_blocks, read_run_info
from .results import UNCERTAINTY_NOTE, Measurement, Notes
from .temperature import TemperatureRecord, find_record, measured_temperature, temperature_summary

SHEAR_HINT = "lower the shear rate (larger swap_every) or use a longer box"


@dataclass
class NemdViscosityResult:
    viscosity: Measurement
    shear_rate_per_s: Measurement
    momentum_flux_Pa: float
    temperature_K: Optional[float]
    profile: ProfileAnalysis
    folder: str
    notes: Notes
    temperature: Optional[Estimate] = None  # measured (thermo log after the steady state)
    temperature_record: Optional[TemperatureRecord] = None

    def summary(self) -> dict:
        out = {"quantity": "shear viscosity", "method": "nemd-muller-plathe", "folder": self.folder}
        out.update(self.viscosity.estimate(None, "not estimated (viscosity at this shear rate)",
                                           combined_by="scatter of profile batches",
                                           n_batches=len(self.profile.batch_gradients)).as_dict("viscosity_Pa_s"))
        out.update(self.shear_rate_per_s.as_dict("shear_rate_per_s"))
        out["momentum_flux_Pa"] = self.momentum_flux_Pa
        out.update(temperature_summary(self.temperature, [self.temperature_record]))
        out.update(self.profile.linearity())
        out["uncertainty"] = UNCERTAINTY_NOTE
        out["warnings"] = list(self.notes.messages)
        return out


def viscosity_muller_plathe(folder: str | Path, *, exclude_bins: int = 1, n_batches: int = 10) -> NemdViscosityResult:
    """Analyse one ``nemd_viscosity.in`` run folder (profile.dat, nemd_momentum.dat, run_info.yaml)."""
    folder = Path(folder)
    if folder.is_file():
        folder = folder.parent
    info = read_run_info(folder)
    lz, area, ts = nemd_geometry(folder, info, "nemd_viscosity.in")
    notes = Notes()
    prof = read_blocks(folder / "profile.dat")
    if "vx" not in prof.names:
        raise InputError(f"{folder}/profile.dat has no 'vx' column (fix ave/chunk ... vx)")
    steady = int(info.get("steady_steps", 0) or 0)
    keep = prof.steps > steady
    if keep.sum() < 2:
        raise InputError(f"{folder}: fewer than 2 profile blocks after steady_steps={steady}: run longer")
    vx = prof.data["vx"][keep] * C.A_PER_PS_M_PER_S
    z_m = prof.data["Coord1"][0] * lz * C.ANGSTROM_M
    analysis = analyse_profile(z_m, vx, exclude_bins, n_batches, notes, "velocity", SHEAR_HINT, sign_rise=0)
    header, data = read_ave_time(folder / "nemd_momentum.dat")
    p = columns(header, data, ["v_P_moved"], folder / "nemd_momentum.dat")[:, 0]
    sel = data[:, 0] >= steady
    if sel.sum() < 2:
        raise InputError(f"{folder}/nemd_momentum.dat: fewer than 2 samples in the steady state")
    t_s = data[sel, 0] * ts * C.PS_S
    force = abs(np.polyfit(t_s, p[sel] * C.MOMENTUM_METAL_SI, 1)[0])  # momentum per time, N
    if force == 0:
        raise InputError(f"{folder}: no momentum was swapped")
    flux = force / (2.0 * area * C.ANGSTROM_M ** 2)
    etas = flux / analysis.batch_gradients
    eta = Measurement(flux / analysis.gradient, batch_error(etas))
    rate = Measurement(analysis.gradient, batch_error(analysis.batch_gradients))
    if rate.value < 3 * rate.std_err:
        notes.warn(f"the shear rate ({rate.value:.3g} 1/s) is within 3 standard errors of zero: increase the "
                   "swap rate (smaller swap_every) or run longer")
    record = find_record(folder, after_step=steady)
    t_est = measured_temperature([record], notes)
    return NemdViscosityResult(viscosity=eta, shear_rate_per_s=rate, momentum_flux_Pa=flux,
                               temperature_K=t_est.value if t_est is not None else info.get("T_target_K"),
                               profile=analysis, folder=str(folder), notes=notes, temperature=t_est,
                               temperature_record=record)


def viscosity_zero_shear(folders: Sequence[str | Path], *, exclude_bins: int = 1, n_batches: int = 10,
                         variable: str = "auto", notes: Optional[Notes] = None
                         ) -> tuple[list[NemdViscosityResult], Optional[Extrapolation]]:
    """Analyse several Muller-Plathe runs (different swap rates) and extrapolate to zero shear
    (None with one run: nothing to extrapolate; the warning goes to ``notes``)."""
    results = [viscosity_muller_plathe(f, exclude_bins=exclude_bins, n_batches=n_batches) for f in folders]
    zs = zero_shear_extrapolation([r.shear_rate_per_s.value for r in results], [r.viscosity for r in results],
                                  variable=variable, notes=notes)
    return results, zs
