"""The measured temperature of transport runs, with its error, and the check against the target.

NVE production runs settle away from the temperature they were started at (the kinetic energy is
rescaled to the target, then shares itself with the potential energy): LJ runs started at
T* = 1.35 and 0.722 settle at 1.341 and 0.718. Every transport summary therefore reports the
*measured* mean temperature (the analyses use it: Green-Kubo prefactors, Yeh-Hummer), its error
by the one uncertainty model (:mod:`ptmlp.uncertainty`: block averaging with the statistical
inefficiency of the sampled series, runs combined by scatter), the integrated autocorrelation
time of the series, and a warning when it is off the target by more than ``OFF_TARGET_SIGMAS``
times its error.

Where the series comes from (first found): ``v_T_inst`` of ``heatflux.dat`` / ``pressure.dat`` /
``temperature.dat`` (sampled every ``sample_every`` steps by the templates), else the ``Temp``
column of the last thermo block of ``log.lammps``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from ..uncertainty import Estimate, combine_runs, estimate_from_series
from .readers import columns, read_ave_time, run_info_near, thermo_table
from .results import Notes

#: a measured mean temperature further than this many of its (1-sigma) errors from the target is flagged
OFF_TARGET_SIGMAS = 3.0
#: files of the templates with a sampled ``v_T_inst`` column, in the order they are looked for
SERIES_FILES = ("temperature.dat", "heatflux.dat", "pressure.dat")


@dataclass
class TemperatureRecord:
    """The sampled temperature of one run (K), its sampling interval (ps), the target of its
    ``run_info.yaml`` (None if unknown) and where the series came from."""

    series_K: np.ndarray
    sample_interval_ps: float
    target_K: Optional[float]
    source: str
    run: str = ""  # the run's folder name

    def estimate(self) -> Estimate:
        """Mean and error of this run (block averaging; ``tau_int_ps`` in the details)."""
        return series_in_ps(estimate_from_series(self.series_K, self.sample_interval_ps))


def series_in_ps(est: Estimate) -> Estimate:
    """An :func:`~ptmlp.uncertainty.estimate_from_series` result sampled in ps, with the unit in its
    detail keys (``tau_int_ps``, ``sample_interval_ps``)."""
    d = dict(est.details)
    for key in ("tau_int", "sample_interval"):
        if key in d:
            d[f"{key}_ps"] = d.pop(key)
    return Estimate(est.value, est.stat_err, est.sys_err, est.sys_note, d)


def target_of(info: Optional[dict]) -> Optional[float]:
    value = (info or {}).get("T_target_K")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def record_from_columns(header, data, path, timestep_ps: Optional[float], info: Optional[dict],
                        column: str = "v_T_inst") -> Optional[TemperatureRecord]:
    """The ``column`` of a read ``fix ave/time`` table (first column TimeStep), or None if absent."""
    if column not in header or len(data) < 2:
        return None
    interval = float(data[1, 0] - data[0, 0]) * timestep_ps if timestep_ps else math.nan
    return TemperatureRecord(columns(header, data, [column], path)[:, 0], interval, target_of(info),
                             f"{column} of {Path(path).name}", Path(path).resolve().parent.name)


def find_record(path: str | Path, *, after_step: int = 0) -> Optional[TemperatureRecord]:
    """The temperature series of the run that wrote ``path`` (a run folder or a file in it): the
    template files first, then the last thermo block of ``log.lammps``; rows at steps <=
    ``after_step`` are dropped (NEMD: before the steady state). None when nothing is found."""
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    info = run_info_near(folder)
    ts = (info or {}).get("timestep_ps")
    for name in SERIES_FILES:
        f = folder / name
        if f.is_file():
            header, data = read_ave_time(f)
            data = data[data[:, 0] > after_step] if after_step else data
            rec = record_from_columns(header, data, f, ts, info)
            if rec is not None:
                return rec
    log = folder / "log.lammps"
    if log.is_file():
        try:
            header, data, settings = thermo_table(log)
        except Exception:  # a log with no thermo block: no temperature
            return None
        if "Temp" in header:
            data = data[data[:, 0] > after_step] if after_step else data
            if len(data) >= 2:
                ts = settings.get("timestep_ps") or ts
                return record_from_columns(header, data, log, ts, info, column="Temp")
    return None


def measured_temperature(records: Sequence[TemperatureRecord], notes: Notes) -> Optional[Estimate]:
    """The runs' mean temperature (K) with its error (per run by block averaging, runs combined by
    scatter); warns when a run, or their mean, is off the common target by more than
    OFF_TARGET_SIGMAS x its error."""
    records = [r for r in records if r is not None and len(r.series_K)]
    if not records:
        return None
    per_run = [r.estimate() for r in records]
    if len(per_run) == 1:
        est = per_run[0]
    else:
        est = combine_runs([e.value for e in per_run], [e.stat_err for e in per_run])
        est = Estimate(est.value, est.stat_err, details={
            **est.details, "tau_int_ps": [e.details.get("tau_int_ps") for e in per_run],
            "statistical_inefficiency": [e.details.get("statistical_inefficiency") for e in per_run]})
    est = est.with_systematic(None, "not estimated")
    target = common_target(records)
    if target is not None:
        off = [(r.run or f"run {k}", e) for k, (r, e) in enumerate(zip(records, per_run)) if _off(e, target)]
        if len(per_run) > 1 and _off(est, target):
            off.append(("mean of the runs", est))
        if off:
            notes.warn(f"measured temperature off the target {target:g} K by more than {OFF_TARGET_SIGMAS:g} times its "
                       "error: " + "; ".join(f"{name} {e.value:.5g} +- {e.stat_err:.2g} K "
                                             f"({(e.value - target) / e.stat_err:+.0f} sigma)" for name, e in off)
                       + ": NVE runs settle away from the target; the results belong to the measured temperature")
    return est


def _off(est: Estimate, target: float) -> bool:
    return bool(math.isfinite(est.stat_err) and est.stat_err > 0
                and abs(est.value - target) > OFF_TARGET_SIGMAS * est.stat_err)


def common_target(records: Sequence[TemperatureRecord]) -> Optional[float]:
    targets = {r.target_K for r in records if r is not None}
    return targets.pop() if len(targets) == 1 else None


def temperature_summary(est: Optional[Estimate], records: Sequence[TemperatureRecord],
                        used_K: Optional[float] = None, used_source: Optional[str] = None) -> dict:
    """Summary keys: the measured temperature (``temperature_K`` with its errors and error model,
    ``tau_int`` in ps), the target, where the series came from; ``used_K``/``used_source`` when the
    analysis used another temperature (given on the command line, or the target)."""
    out: dict = {}
    if est is not None:
        out.update(est.as_dict("temperature_K", unit="K"))
        out["temperature_source"] = sorted({r.source for r in records if r is not None})
    target = common_target([r for r in records if r is not None])
    out["temperature_target_K"] = target
    out["temperature_off_target_flag_sigmas"] = OFF_TARGET_SIGMAS
    if used_K is not None:
        out["temperature_used_K"] = used_K
        out["temperature_used_source"] = used_source
    return out


def temperature_of_runs(runs, notes: Notes) -> tuple[Optional[Estimate], dict]:
    """The measured temperature of runs that carry ``temperature`` (a record or None),
    ``temperature_source`` (measured, given, target) and ``temperature_K`` (the one the analysis
    used), and the summary keys, with the temperature used where that was given or the target."""
    records = [r.temperature for r in runs]
    est = measured_temperature(records, notes)
    sources = sorted({r.temperature_source for r in runs})
    used = None if sources == ["measured"] else float(np.mean([r.temperature_K for r in runs]))
    return est, temperature_summary(est, records, used_K=used, used_source=", ".join(sources) if used else None)
