"""NPH coexistence: with the enthalpy fixed, the interface cell settles at T_m of its pressure.

Both halves start at ``nph.start_T_K``; melting absorbs and freezing releases latent heat until
T reaches T_m (Morris, Wang, Ho & Chan, Phys. Rev. B 49, 3109 (1994)). Each seed runs on its own
(its result is printed as soon as it is known):

1. the coexistence run; its analysed window is the last ``coexistence_ps - discard_ps`` ps;
2. **settled** (accepted) when, over that window, the T drift and the solid-fraction change are
   both within ``settle.drift_sigma`` (2) of their own errors (:func:`ptmlp.uncertainty.trend`)
   and the solid fraction stays inside ``settle.solid_fraction_band``; the same holds over the
   window's second half (a drift that starts late hides in a straight line over the whole
   window: the Al case below fell only in its last 10 ps);
3. a run that has not settled but kept its interface is **extended** from its end state by
   ``settle.extend_ps`` (default: one window length), at most ``settle.max_extensions`` times; the
   window moves to the end of the extended run;
4. a run that left the band (melted or froze, or nearly) is **restarted** from a start
   temperature moved toward T_m (:func:`next_start`), as is one still drifting after its
   extensions (from where it ended; near a triple point the NPH relaxation time c_p / (L k) can
   exceed 60 ps: measured for LJ at P = 0, T fell from 93 to 87 K over 70 ps while NPT runs put
   T_m at ~82 K). Restarts reuse the reference runs of the pressure (:func:`reference_for`).

The run's T_m is the mean T over its window, its error from block averaging with the measured
statistical inefficiency (stated per run); the seeds are combined by
:func:`ptmlp.uncertainty.combine_runs` (scatter x Student-t, never below the per-run errors).
The replaced rule (drift limit max(3 sigma, 1 % of T)) accepted an Al run (Al_mm.eam.fs) whose T
drifted by -11.9 +- 8.6 K while its solid fraction fell from 0.55 to 0.43 in the last 10 ps.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

import numpy as np

from ..errors import InputError
from ..uncertainty import combine_runs, series_error, trend
from .analysis import LIQUID_GROWS
from .config import per_pressure
from .stages import (MeltContext, References, analysed_series, coexistence, coexistence_spec, extend_coexistence,
                     extension_ps, joined_series, references)

#: said in the summary when T_m rests on one run
ONE_RUN_NOTE = ("one accepted run: its error is the run's own (block averaging) and misses the seed-to-seed "
                "scatter, which exceeded the per-run errors several times in measured cases (hcp Mg: 925.0 +- 1.3 "
                "and 918.5 +- 1.1 K); use >= 2 seeds for a number to defend")

#: restarts reuse the references of a temperature within this fraction of the new start T
REFERENCE_REUSE_FRACTION = 0.05

ACCEPTED = "accepted"
EXTEND = "extend"
RESTART = "restart"


class NPHError(InputError):
    """Raised when every NPH run melts or freezes completely, even after the retries."""


def judge_window(s: dict, band, n_sigma: float) -> dict:
    """Verdict on the analysed window ``s`` of one NPH run: accepted, extend or restart, with its numbers."""
    phi, temp = s["solid_fraction"], s["T_K"]
    k = max(len(phi) // 5, 1)
    t_end = float(temp[-k:].mean())
    dt = float(np.median(np.diff(s["t_ps"]))) if len(s["t_ps"]) > 1 else 1.0
    lo, hi = band
    out = {"T_first_K": float(temp[:k].mean()), "T_end_K": t_end, "solid_fraction_end": float(phi[-k:].mean()),
           "solid_fraction_min": float(phi.min()), "solid_fraction_max": float(phi.max()),
           "window_ps": [float(s["t_ps"][0]), float(s["t_ps"][-1])]}
    if phi.min() < lo or phi.max() > hi:
        melted = phi.min() < lo
        word = "melted" if phi.min() <= 0.05 or phi.max() >= 0.95 else ("nearly melted" if melted else "nearly froze")
        word = word if word.startswith("nearly") else ("melted completely" if melted else "froze completely")
        return dict(out, status=RESTART, above_T_m=melted, end_T_K=round(t_end, 1), bound_T_K=round(t_end, 1),
                    why=f"{word}: solid fraction {phi.min() if melted else phi.max():.2f} outside the band "
                        f"[{lo:g}, {hi:g}] (T at the end {t_end:.1f} K)")
    t_stat = series_error(temp, dt)
    p_stat = series_error(s["P_GPa"], dt)
    drift = trend(s["t_ps"], temp)
    growth = trend(s["t_ps"], phi)
    stats = dict(T_mean_K=t_stat.mean, T_err_K=t_stat.stat_err, T_error_model=t_stat.as_dict(),
                 pressure_GPa=p_stat.mean, pressure_err_GPa=p_stat.stat_err,
                 T_drift_K=drift.change, T_drift_err_K=drift.change_err,
                 solid_fraction_change=growth.change, solid_fraction_change_err=growth.change_err,
                 cell_A=[float(np.mean(s[c])) for c in ("Lx_A", "Ly_A", "Lz_A")])
    problems = []
    if not drift.within(n_sigma):
        problems.append(f"T drift {drift.change:+.1f} +- {drift.change_err:.1f} K > {n_sigma:g} sigma")
    if not growth.within(n_sigma):
        problems.append(f"solid fraction change {growth.change:+.3f} +- {growth.change_err:.3f} > {n_sigma:g} sigma")
    half = len(temp) // 2
    if len(temp) - half >= 10:  # a late drift hides in a fit over the whole window: the second half too
        late_t = trend(s["t_ps"][half:], temp[half:])
        late_phi = trend(s["t_ps"][half:], phi[half:])
        stats.update(T_drift_second_half_K=late_t.change, T_drift_second_half_err_K=late_t.change_err,
                     solid_fraction_change_second_half=late_phi.change,
                     solid_fraction_change_second_half_err=late_phi.change_err)
        if not problems and not late_t.within(n_sigma):
            problems.append(f"T drift over the second half {late_t.change:+.1f} +- {late_t.change_err:.1f} K > "
                            f"{n_sigma:g} sigma")
            drift = late_t
        if not problems and not late_phi.within(n_sigma):
            problems.append(f"solid fraction change over the second half {late_phi.change:+.3f} +- "
                            f"{late_phi.change_err:.3f} > {n_sigma:g} sigma")
            growth = late_phi
    if not problems:
        return dict(out, **stats, status=ACCEPTED,
                    why=f"settled: T drift {drift.change:+.1f} +- {drift.change_err:.1f} K, solid fraction change "
                        f"{growth.change:+.3f} +- {growth.change_err:.3f} (both within {n_sigma:g} sigma)")
    if not drift.within(n_sigma):
        cooling = drift.change < 0  # melting absorbs heat: T falls while the cell is above T_m
    else:
        cooling = growth.change < 0
    return dict(out, **stats, status=EXTEND, drifting=True, above_T_m=cooling, end_T_K=round(t_end, 1),
                bound_T_K=round(t_end, 1), why="not settled: " + "; ".join(problems) + f" (end T {t_end:.1f} K)")


def reference_for(ctx: MeltContext, p_gpa: float, t_k: float) -> References:
    """The references of (P, T), or the valid ones made at the nearest T within 5 % at this pressure
    (a restart moves the start T by a few %: the calibration and the equilibrated crystal carry over)."""
    near = [(abs(t - t_k), t) for (p, t) in ctx.references_done if p == p_gpa
            and abs(t - t_k) <= REFERENCE_REUSE_FRACTION * t_k]
    if near:
        return ctx.references_done[(p_gpa, min(near)[1])]
    return references(ctx, p_gpa, t_k)


def _one_seed(ctx: MeltContext, p_gpa: float, seed: int, t0: float) -> tuple[Optional[dict], list[dict]]:
    """Every attempt of one seed until one is accepted (or retries run out): (accepted or None, attempts)."""
    cfg = ctx.cfg
    settle = cfg.settle
    attempts: list[dict] = []
    start = t0
    where = f"P={p_gpa:g} GPa seed {seed}"
    for attempt in range(cfg.nph.retries + 1):
        refs = reference_for(ctx, p_gpa, start)
        if refs.verdict is not None:
            # the pure phases alone already changed phase: start is far from T_m
            above = refs.verdict == LIQUID_GROWS
            # (a crystal superheats by ~10-20% before it melts on its own; a liquid needs deeper undercooling)
            a = {"seed": seed, "start_T_K": start, "valid": False, "verdict": "rejected", "why": refs.note,
                 "above_T_m": above, "reference_changed_phase": True, "end_T_K": round(start * (0.87 if above else 1.15), 1)}
        else:
            a = _coexistence_attempt(ctx, p_gpa, seed, start, refs)
        attempts.append(a)
        if a["valid"]:
            ext = f" after {a['extensions']} extension(s)" if a.get("extensions") else ""
            ctx.log(f"  {where}: accepted{ext}: T = {a['T_mean_K']:.1f} +- {a['T_err_K']:.1f} K at "
                    f"{a['pressure_GPa']:.3f} +- {a['pressure_err_GPa']:.3f} GPa (tau_int "
                    f"{a['T_error_model']['tau_int']:.2f} ps, {a['T_error_model']['n_blocks']} blocks)")
            return a, attempts
        a["next_start_T_K"] = next_start([x for x in attempts], a)
        start = a["next_start_T_K"]
        more = attempt < cfg.nph.retries
        ctx.log(f"  {where} from {a['start_T_K']:g} K: rejected ({a['why']})"
                + (f"; restart at {start:g} K" if more else "; no retries left"))
    return None, attempts


def _coexistence_attempt(ctx: MeltContext, p_gpa: float, seed: int, start: float, refs: References) -> dict:
    """One coexistence run and its extensions until it settles, leaves the band or runs out of extensions."""
    cfg, settle = ctx.cfg, ctx.cfg.settle
    base = coexistence_spec(ctx, p_gpa, start, seed, refs, "nph")

    def verdict(before: list[dict]):
        def say(result: dict) -> str:
            j = _judge(cfg, refs, before + [result])
            if j["status"] == EXTEND and len(before) >= settle.max_extensions:
                return f"{j['why']}; no extensions left"
            return {ACCEPTED: "accepted", EXTEND: "extending", RESTART: "rejected"}[j["status"]] + f": {j['why']}"
        return say

    first = coexistence(ctx, p_gpa, start, seed, refs, "nph", verdict=verdict([]))
    parts = [first]
    judged = first_window = _judge(cfg, refs, parts)
    k = 0
    while judged["status"] == EXTEND and k < settle.max_extensions:
        k += 1
        parts.append(extend_coexistence(ctx, base, parts[-1], k, verdict=verdict(list(parts))))
        judged = _judge(cfg, refs, parts)
    record = {"seed": seed, "start_T_K": start, "run": first["run"], "runs": [p["run"] for p in parts],
              "extensions": k, "extension_ps": extension_ps(cfg), "n_atoms": first["n_atoms"],
              "calibration": refs.calibration.as_dict(), "reference_T_K": refs.T_K, **judged,
              "z_period_A": float(refs.solid["cell_A"][2]) / ctx.reps[2],
              "T_first_K": first_window["T_first_K"]}
    record["valid"] = judged["status"] == ACCEPTED
    record["verdict"] = ("accepted" if not k else "extended, accepted") if record["valid"] else \
        ("extended, rejected" if k else "rejected")
    return record


def _judge(cfg, refs: References, parts: list[dict]) -> dict:
    s = analysed_series({"series": joined_series(parts)}, refs.calibration, cfg.md.discard_ps,
                        (len(parts) - 1) * extension_ps(cfg))
    return judge_window(s, cfg.settle.solid_fraction_band, cfg.settle.drift_sigma)


def next_start(attempts: list[dict], failed: dict) -> float:
    """Start temperature after a run lost its interface.

    A run that melted completely ended above T_m (melting stops only when T falls to T_m), one that
    froze completely ended below it, so each failed run bounds T_m by its end temperature
    (``bound_T_K``). With bounds on both sides, aim at the middle between them. Otherwise aim
    beyond the end temperature by half the change the failed run went through: a cell starting
    within about the temperature change of melting (freezing) half of it settles at T_m. A run
    still drifting aims at where it ended.

    Those aims are temperatures of the analysed window. The cell does not start the window at the
    start temperature: releasing the held half and the first growth of the interface heat or cool
    it (measured for LJ at P = 0: +6 to +8 K out of 85 K), so the start is the aim minus the mean
    offset (first temperature of the window - start temperature) of the runs seen so far."""
    offsets = [a["T_first_K"] - a["start_T_K"] for a in attempts if "T_first_K" in a]
    shift = sum(offsets) / len(offsets) if offsets else 0.0
    below = [_bound(a) for a in attempts if not a["valid"] and not a["above_T_m"]]
    above = [_bound(a) for a in attempts if not a["valid"] and a["above_T_m"]]
    t1 = failed["end_T_K"]
    if below and above and max(below) < min(above):
        aim = 0.5 * (max(below) + min(above))
    elif failed.get("drifting") or failed.get("reference_changed_phase"):
        aim = t1  # T_m lies beyond the end of a run still relaxing toward it / far from the start
    else:
        t0 = failed.get("T_first_K", failed["start_T_K"])
        step = max(0.5 * abs(t0 - t1), 0.01 * t1)
        aim = t1 - step if failed["above_T_m"] else t1 + step
    return round(aim - shift, 1)


def _bound(attempt: dict) -> float:
    """Temperature a failed run puts T_m below (melted) or above (froze)."""
    return attempt.get("bound_T_K", attempt["start_T_K"])


def run_nph(ctx: MeltContext, p_gpa: float) -> dict:
    """T_m at ``p_gpa`` from NPH coexistence runs (one per seed, extended or restarted until settled)."""
    cfg = ctx.cfg
    t0 = float(per_pressure(cfg.nph.start_T_K, cfg.pressures_GPa.index(p_gpa)))
    for seed in cfg.seeds:
        ctx.runner.plan(coexistence_spec_planned(ctx, p_gpa, t0, seed))
    with ThreadPoolExecutor(max_workers=len(cfg.seeds)) as pool:
        outcomes = list(pool.map(lambda seed: _one_seed(ctx, p_gpa, seed, t0), cfg.seeds))
    valid = {seed: acc for seed, (acc, _) in zip(cfg.seeds, outcomes) if acc is not None}
    attempts = [a for _, tries in outcomes for a in tries]
    note = ""
    sys_err, sys_note = None, "finite-size and method systematics not estimated"
    if not valid:
        drifting = {}
        for a in attempts:  # the last drifting run of each seed: closest to T_m
            if a.get("drifting"):
                drifting[a["seed"]] = a
        if drifting:
            valid = dict(drifting)
            drifts = [a["T_drift_K"] for a in drifting.values()]
            sys_err = float(math.sqrt(np.mean(np.square(drifts))))
            sys_note = "rms T drift over the analysed window of the unsettled runs used"
            note = ("no run settled within nph.retries and settle.max_extensions: T_m from the last (drifting) runs, "
                    "their drift as a systematic error; lengthen md.coexistence_ps or use method: bracket")
            ctx.log(f"  P={p_gpa:g} GPa: {note}")
    if not valid:
        last = attempts[-1]
        raise NPHError(f"P={p_gpa:g} GPa: no NPH run kept both phases ({len(attempts)} runs; last from "
                       f"{last['start_T_K']:g} K {last['why']}); no T_m reported. Try nph.start_T_K: "
                       f"{last['next_start_T_K']:g}, a longer cell (cell.long_over_lateral) or more retries")
    runs = [valid[s] for s in cfg.seeds if s in valid]
    t_est = combine_runs([r["T_mean_K"] for r in runs], [r["T_err_K"] for r in runs])
    t_est = t_est.with_systematic(sys_err, sys_note)
    p_est = combine_runs([r["pressure_GPa"] for r in runs], [r["pressure_err_GPa"] for r in runs])
    cell = np.array([r["cell_A"] for r in runs])
    cell_est = [combine_runs(cell[:, k], [0.0] * len(runs)) for k in range(3)]
    n = len(runs)
    out = {"method": "nph", "pressure_target_GPa": p_gpa, **p_est.as_dict("pressure_GPa", unit="GPa"),
           **t_est.as_dict("T_melt_K", unit="K"), "n_valid_runs": n, "n_atoms": runs[0]["n_atoms"],
           "cell_A": [c.value for c in cell_est], "cell_err_A": [c.stat_err for c in cell_est],
           "cell_note": "mean box lengths over the analysed window of each accepted run, averaged over the runs "
                        "(error: their scatter x Student-t)",
           "run_length_ps": cfg.md.coexistence_ps, "n_seeds": len(cfg.seeds),
           "note": "; ".join(x for x in (note, "" if n == len(cfg.seeds) else f"{len(cfg.seeds) - n} seed(s) never settled",
                                          ONE_RUN_NOTE if n == 1 else "") if x),
           "runs": attempts}
    return out


def coexistence_spec_planned(ctx: MeltContext, p_gpa: float, t_k: float, seed: int):
    """The first coexistence run of a seed, for the progress count (its calibration is not known yet)."""
    from .classify import Calibration

    dummy = References({}, {}, ctx.inputs_dir / "solid.data", 0.0, Calibration(1, 1.0, 0.0, 0.0), None)
    spec = coexistence_spec(ctx, p_gpa, t_k, seed, dummy, "nph")
    spec.files = {}
    return spec
