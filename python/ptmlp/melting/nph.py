"""NPH coexistence: with the enthalpy fixed, the interface cell settles at T_m of its pressure.

Both halves start at ``nph.start_T_K``; melting absorbs and freezing releases latent heat until
T reaches T_m (Morris, Wang, Ho & Chan, Phys. Rev. B 49, 3109 (1994)). T_m is the mean
temperature after ``md.discard_ps``, averaged over the seeds; a run that melts or freezes
completely has no interface left and is repeated from a start temperature moved toward T_m
(aimed between end temperatures known to be above and below T_m, see :func:`next_start`). A
run whose T still drifts (by more than 1% of T and 3 sigma over the analysed window), or whose
solid fraction still changes (by more than 0.04 and 3 sigma), has not reached T_m yet: near a triple point the NPH relaxation time c_p / (L k) can exceed 60 ps
(measured for LJ at P = 0: T fell from 93 to 87 K over 70 ps while NPT runs put T_m at ~82 K);
it is repeated so that the next run's window begins where it ended.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..errors import InputError
from .analysis import LIQUID_GROWS, linear_trend, mean_and_error
from .config import per_pressure
from .stages import MeltContext, analysed_series, coexistence, references


#: a run whose mean T drifts by more than this fraction of T (and 3 sigma) has not reached T_m
DRIFT_LIMIT = 0.01
#: nor has one whose solid fraction changes by more than this over the window (and 3 sigma): the
#: interface still moves (measured for LJ at P = 0: T flat within 1 K at 86.8 K while 8% of the
#: solid melted; the stationary seed settled at 83.5 K)
PHI_CHANGE_LIMIT = 0.04


class NPHError(InputError):
    """Raised when every NPH run melts or freezes completely, even after the retries."""


def _one_run(ctx: MeltContext, p_gpa: float, t_start: float, seed: int) -> dict:
    refs = references(ctx, p_gpa, t_start)
    if refs.verdict is not None:
        # the pure phases alone already changed phase: t_start is far from T_m
        above = refs.verdict == LIQUID_GROWS
        # (a crystal superheats by ~10-20% before it melts on its own; a liquid needs deeper undercooling)
        return {"seed": seed, "start_T_K": t_start, "valid": False, "why": refs.note, "above_T_m": above,
                "reference_changed_phase": True, "end_T_K": round(t_start * (0.87 if above else 1.15), 1)}
    result = coexistence(ctx, p_gpa, t_start, seed, refs, "nph")
    s = analysed_series(result, refs.calibration, ctx.cfg.md.discard_ps)
    phi = s["solid_fraction"]
    k = max(len(phi) // 5, 1)
    t_end = float(s["T_K"][-k:].mean())
    end = float(phi[-k:].mean())
    base = {"seed": seed, "start_T_K": t_start, "T_first_K": float(s["T_K"][:k].mean()),
            "run": result["run"], "n_atoms": result["n_atoms"],
            "cell_A": [float(s[c][-1]) for c in ("Lx_A", "Ly_A", "Lz_A")], "solid_fraction_end": end,
            "solid_fraction_min": float(phi.min()), "solid_fraction_max": float(phi.max()),
            "calibration": refs.calibration.as_dict()}
    if phi.min() <= 0.05 or phi.max() >= 0.95:
        melted = phi.min() <= 0.05
        return dict(base, valid=False, why=f"{'melted' if melted else 'froze'} completely (T at the end "
                                           f"{t_end:.1f} K)", above_T_m=melted, end_T_K=round(t_end, 1),
                    bound_T_K=round(t_end, 1))
    t_mean, t_err = mean_and_error(s["T_K"])
    p_mean, p_err = mean_and_error(s["P_GPa"])
    drift = linear_trend(s["t_ps"], s["T_K"])
    stats = dict(T_mean_K=t_mean, T_err_K=t_err, pressure_GPa=p_mean, pressure_err_GPa=p_err,
                 T_drift_K=drift.change, T_drift_err_K=drift.change_err)
    limit = max(3.0 * drift.change_err, DRIFT_LIMIT * t_mean)
    growth = linear_trend(s["t_ps"], phi)
    stats["solid_fraction_change"] = growth.change
    stats["solid_fraction_change_err"] = growth.change_err
    phi_limit = max(3.0 * growth.change_err, PHI_CHANGE_LIMIT)
    if abs(drift.change) > limit or abs(growth.change) > phi_limit:
        # still relaxing toward T_m (slow interfaces: tau ~ c_p / (L k) can exceed the run): the mean
        # T is biased toward the start; T_m lies beyond where the run ended. Melting (the solid
        # fraction falls) means T is above T_m, freezing below it.
        if abs(drift.change) > limit:
            cooling = drift.change < 0
            why = f"T still drifting ({drift.change:+.1f} K over the run, limit {limit:.1f} K; end T {t_end:.1f} K)"
        else:
            cooling = growth.change < 0
            why = (f"solid fraction still {'falling' if cooling else 'rising'} ({growth.change:+.3f} over the "
                   f"run, limit {phi_limit:.3f}; end T {t_end:.1f} K)")
        return dict(base, **stats, valid=False, drifting=True, above_T_m=cooling, end_T_K=round(t_end, 1),
                    bound_T_K=round(t_end, 1), why=why)
    return dict(base, **stats, valid=True)


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
    """T_m at ``p_gpa`` from NPH coexistence runs (one per seed, retried when they lose the interface)."""
    cfg = ctx.cfg
    t0 = per_pressure(cfg.nph.start_T_K, cfg.pressures_GPa.index(p_gpa))
    start = {seed: float(t0) for seed in cfg.seeds}
    valid, attempts = {}, []
    for attempt in range(cfg.nph.retries + 1):
        todo = [s for s in cfg.seeds if s not in valid]
        if not todo:
            break
        with ThreadPoolExecutor(max_workers=len(todo)) as pool:
            results = list(pool.map(lambda s: _one_run(ctx, p_gpa, start[s], s), todo))
        for r in results:
            attempts.append(r)
            if r["valid"]:
                valid[r["seed"]] = r
                ctx.log(f"  P={p_gpa:g} GPa seed {r['seed']}: T = {r['T_mean_K']:.1f} +- {r['T_err_K']:.1f} K "
                        f"at {r['pressure_GPa']:.3f} GPa")
        failed = [r for r in results if not r["valid"]]
        for r in failed:
            r["next_start_T_K"] = next_start(attempts, r)
            start[r["seed"]] = r["next_start_T_K"]
            ctx.log(f"  P={p_gpa:g} GPa seed {r['seed']} from {r['start_T_K']:g} K: {r['why']}; "
                    f"next start {r['next_start_T_K']:g} K")
    note = ""
    if not valid:
        drifting = {}
        for a in attempts:  # the last drifting run of each seed: closest to T_m
            if a.get("drifting"):
                drifting[a["seed"]] = a
        if drifting:
            for seed, a in drifting.items():
                a["T_err_K"] = float(np.hypot(a["T_err_K"], a["T_drift_K"]))
                valid[seed] = a
            note = ("no run became stationary within nph.retries: T_m from the last (drifting) runs, their "
                    "drift added to the error; lengthen md.coexistence_ps or use method: bracket")
            ctx.log(f"  P={p_gpa:g} GPa: {note}")
    if not valid:
        last = attempts[-1]
        raise NPHError(f"P={p_gpa:g} GPa: no NPH run kept both phases ({len(attempts)} runs; last from "
                       f"{last['start_T_K']:g} K {last['why']}); no T_m reported. Try nph.start_T_K: "
                       f"{last['next_start_T_K']:g}, a longer cell (cell.long_over_lateral) or more retries")
    runs = [valid[s] for s in cfg.seeds if s in valid]
    t = np.array([r["T_mean_K"] for r in runs])
    te = np.array([r["T_err_K"] for r in runs])
    p = np.array([r["pressure_GPa"] for r in runs])
    pe = np.array([r["pressure_err_GPa"] for r in runs])
    n = len(runs)
    within_t = math.sqrt(float((te ** 2).sum())) / n
    within_p = math.sqrt(float((pe ** 2).sum())) / n
    t_err = max(within_t, float(t.std(ddof=1) / math.sqrt(n))) if n > 1 else within_t
    p_err = max(within_p, float(p.std(ddof=1) / math.sqrt(n))) if n > 1 else within_p
    return {"method": "nph", "pressure_target_GPa": p_gpa, "pressure_GPa": float(p.mean()),
            "pressure_err_GPa": p_err, "T_melt_K": float(t.mean()), "T_melt_err_K": t_err,
            "T_melt_stat_err_K": t_err, "n_valid_runs": n, "n_atoms": runs[0]["n_atoms"],
            "cell_A": runs[0]["cell_A"], "run_length_ps": cfg.md.coexistence_ps, "n_seeds": len(cfg.seeds),
            "note": note or ("" if n == len(cfg.seeds) else f"{len(cfg.seeds) - n} seed(s) never kept both phases"),
            "runs": attempts}
