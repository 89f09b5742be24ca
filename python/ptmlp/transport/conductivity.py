"""Ionic (electrical) conductivity with user-given formal charges:

* Nernst-Einstein, from the self-diffusion coefficients:
  ``sigma_NE = e^2 / (V k_B T) sum_s N_s q_s^2 D_s`` (no cross correlations);
* Green-Kubo, from the charge current ``J = e sum_s q_s N_s v_cm,s`` built from the per-type
  centre-of-mass velocities (``vcm_types.dat`` of the templates):
  ``sigma = 1 / (3 V k_B T) int_0^inf <J(0) . J(t)> dt`` (direct and cepstral);
* the Haven ratio ``sigma_NE / sigma``.
Formal charges of an insulator give the correct conductivity (Grasselli & Baroni,
Nat. Phys. 15, 967 (2019)).
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
from .greenkubo import GreenKuboResult, green_kubo
from .kappa_gk import load_runs, sample_interval_s
from .readers import read_blocks, require, run_info_near
from .results import UNCERTAINTY_NOTE, Measurement, Notes
from .temperature import TemperatureRecord, find_record, temperature_of_runs
from .trajectory import type_name_map


def charges_by_type(charges: dict, type_names: dict) -> dict:
    """{LAMMPS type: charge (e)} from charges keyed by species name or type number."""
    out = {}
    for t, name in type_names.items():
        if name in charges:
            out[t] = float(charges[name])
        elif str(t) in charges:
            out[t] = float(charges[str(t)])
        elif t in charges:
            out[t] = float(charges[t])
        else:
            raise InputError(f"no formal charge for type {t} ({name}); give one for every species, "
                             f"e.g. {', '.join(f'{n}=...' for n in type_names.values())}")
    unknown = set(map(str, charges)) - set(type_names.values()) - {str(t) for t in type_names}
    if unknown:
        raise InputError(f"charges given for unknown species {sorted(unknown)}; species here: "
                         f"{sorted(type_names.values())}")
    return out


def check_neutral(q: dict, counts: dict) -> None:
    total = sum(q[t] * counts[t] for t in q)
    if abs(total) > 1e-6:
        raise InputError(f"the formal charges are not neutral: sum N_s q_s = {total:g} e; give charges that sum to zero")


def nernst_einstein(diffusion: dict, counts: dict, charges: dict, volume_A3: float, temperature_K: float) -> Measurement:
    """sigma_NE (S/m) from {species: D Measurement (m^2/s)}, {species: N}, {species: q (e)}."""
    if not (volume_A3 > 0 and temperature_K > 0):
        raise InputError(f"volume and temperature must be positive, got {volume_A3} A^3, {temperature_K} K")
    pref = C.E_CHARGE_C ** 2 / (volume_A3 * C.ANGSTROM_M ** 3 * C.KB_J_PER_K * temperature_K)
    val = sum(counts[s] * charges[s] ** 2 * diffusion[s].value for s in diffusion)
    var = sum((counts[s] * charges[s] ** 2 * diffusion[s].std_err) ** 2 for s in diffusion)
    return Measurement(pref * val, pref * math.sqrt(var))


@dataclass
class ChargeCurrentRun:
    current_A_m_per_s: np.ndarray  # (n, 3), sum of q e v
    dt_s: float
    volume_m3: float
    temperature_K: float
    type_names: dict
    temperature: Optional[TemperatureRecord] = None  # the run's sampled temperature, if found
    temperature_source: str = "measured"  # of temperature_K: measured, given or target
    notes: Notes = field(default_factory=Notes)


def load_charge_current(path: str | Path, charges: dict, *, volume_A3: Optional[float] = None,
                        timestep_ps: Optional[float] = None, temperature_K: Optional[float] = None) -> ChargeCurrentRun:
    """Charge current from ``vcm_types.dat`` (per-type centre-of-mass velocity and count)."""
    path = Path(path)
    if path.is_dir():
        path = path / "vcm_types.dat"
    info = run_info_near(path)
    blocks = read_blocks(path)
    need = ["c_vcm_t[1]", "c_vcm_t[2]", "c_vcm_t[3]", "c_n_t"]
    missing = [n for n in need if n not in blocks.names]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}; write them as inputs/msd.in does")
    counts = blocks.data["c_n_t"][0]
    n_types = len(counts)
    names = type_name_map(info, n_types)
    q = charges_by_type(charges, names)
    count_map = {t: int(counts[t - 1]) for t in names}
    check_neutral(q, count_map)
    v = np.stack([blocks.data[f"c_vcm_t[{k}]"] for k in (1, 2, 3)], axis=1)  # (n, 3, types) A/ps
    qn = np.array([q[t] * counts[t - 1] for t in range(1, n_types + 1)])
    current = (v * qn[None, None, :]).sum(axis=2) * C.E_CHARGE_C * C.A_PER_PS_M_PER_S
    vol = float(require(info, "volume_A3", volume_A3, str(path), "--volume-A3"))
    ts = float(require(info, "timestep_ps", timestep_ps, str(path), "--timestep-ps"))
    notes = Notes()
    record = find_record(path)
    if temperature_K is not None:
        temp, source = float(temperature_K), "given"
    elif record is not None:
        temp, source = float(record.series_K.mean()), "measured"
    else:
        temp, source = float(require(info, "T_target_K", None, str(path), "--temperature-K")), "target"
        notes.warn(f"{path}: no temperature series next to it (temperature.dat, heatflux.dat, log.lammps); "
                   f"using the target {temp:g} K")
    return ChargeCurrentRun(current_A_m_per_s=current, dt_s=sample_interval_s(blocks.steps, ts, path),
                            volume_m3=vol * C.ANGSTROM_M ** 3, temperature_K=temp, type_names=names,
                            temperature=record, temperature_source=source, notes=notes)


@dataclass
class ConductivityResult:
    sigma: Measurement
    sigma_cepstral: CepstralResult
    gk: GreenKuboResult
    sigma_nernst_einstein: Optional[Measurement]
    temperature_keys: dict
    notes: Notes

    def summary(self) -> dict:
        out = {"quantity": "ionic conductivity", "method": "green-kubo charge current"}
        out.update(self.gk.estimate.as_dict("sigma_S_per_m"))
        out.update(self.sigma_cepstral.value.as_dict("sigma_cepstral_S_per_m"))
        out["cutoff_time_ps"] = self.gk.cutoff_time_s * 1e12
        if self.sigma_nernst_einstein is not None:
            ne = self.sigma_nernst_einstein
            out.update(ne.as_dict("sigma_nernst_einstein_S_per_m"))
            ratio = ne.value / self.sigma.value
            out["haven_ratio"] = ratio
            out["haven_ratio_err"] = abs(ratio) * math.hypot(ne.relative_err, self.sigma.relative_err)
        out.update(self.temperature_keys)
        out["uncertainty"] = UNCERTAINTY_NOTE
        out["warnings"] = list(self.notes.messages)
        return out


def conductivity_green_kubo(sources: Sequence[Union[str, Path, ChargeCurrentRun]], charges: dict, *,
                            max_correlation_time_ps: Optional[float] = None, cutoff: Union[str, float] = "noise",
                            f_cut_THz: Optional[float] = None, volume_A3: Optional[float] = None,
                            timestep_ps: Optional[float] = None, temperature_K: Optional[float] = None,
                            nernst_einstein_S_per_m: Optional[Measurement] = None) -> ConductivityResult:
    """Green-Kubo ionic conductivity (S/m) of independent runs."""
    runs, notes, dt = load_runs(sources, lambda s, **kw: load_charge_current(s, charges, **kw), "vcm_types.dat",
                                volume_A3=volume_A3, timestep_ps=timestep_ps, temperature_K=temperature_K)
    _, temperature_keys = temperature_of_runs(runs, notes)
    series = [r.current_A_m_per_s * math.sqrt(1.0 / (r.volume_m3 * C.KB_J_PER_K * r.temperature_K)) for r in runs]
    if max(np.abs(s).max() for s in series) == 0:
        raise InputError("the charge current is zero at every sample: all charges zero, or one species only")
    max_lag_s = None if max_correlation_time_ps is None else max_correlation_time_ps * C.PS_S
    cut = cutoff if isinstance(cutoff, str) else float(cutoff) * C.PS_S
    gk = green_kubo(series, dt, 1.0, max_lag_s=max_lag_s, cutoff=cut, component_names=["J_x", "J_y", "J_z"],
                    quantity="ionic conductivity")
    notes.messages += gk.notes.messages
    f_cut = f_cut_THz * 1e12 if f_cut_THz is not None else min(0.5 / dt, 2.0 / max(gk.cutoff_time_s, dt))
    cep = cepstral(series, dt, 1.0, f_cut_Hz=f_cut, quantity="ionic conductivity")
    notes.messages += cep.notes.messages
    return ConductivityResult(sigma=gk.value, sigma_cepstral=cep, gk=gk,
                              sigma_nernst_einstein=nernst_einstein_S_per_m, temperature_keys=temperature_keys,
                              notes=notes)
