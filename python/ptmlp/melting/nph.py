"""NPH coexistence: with the enthalpy fixed, the interface cell settles at T_m of its pressure.

Both halves start at ``nph.start_T_K``; melting absorbs and freezing releases latent heat until
T reaches T_m (Morris, Wang, Ho & Chan, Phys. Rev. B 49, 3109 (1994)). T_m is the mean
temperature after ``md.discard_ps``, averaged over the seeds; a run that melts or freezes
completely has no interface left and is repeated from a start temperature moved toward T_m.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..errors import InputError
from .analysis import LIQUID_GROWS, mean_and_error
from .stages import MeltContext, analysed_series, coexistence, references


class NPHError(InputError):
    """Raised when every NPH run melts or freezes completely, even after the retries."""


def _one_run(ctx: MeltContext, p_gpa: float, t_start: float, seed: int) -> dict:
    refs = references(ctx, p_gpa, t_start)
    if refs.verdict is not None:
        # the pure phases alone already changed phase: t_start is far from T_m
        factor = 0.85 if refs.verdict == LIQUID_GROWS else 1.15
        return {"seed": seed, "start_T_K": t_start, "valid": False, "why": refs.note,
                "next_start_T_K": round(t_start * factor, 1)}
    result = coexistence(ctx, p_gpa, t_start, seed, refs, "nph")
    s = analysed_series(result, refs.calibration, ctx.cfg.md.discard_ps)
    phi = s["solid_fraction"]
    k = max(len(phi) // 5, 1)
    t_end = float(s["T_K"][-k:].mean())
    end = float(phi[-k:].mean())
    base = {"seed": seed, "start_T_K": t_start, "run": result["run"], "n_atoms": result["n_atoms"],
            "cell_A": [float(s[c][-1]) for c in ("Lx_A", "Ly_A", "Lz_A")], "solid_fraction_end": end,
            "solid_fraction_min": float(phi.min()), "solid_fraction_max": float(phi.max()),
            "calibration": refs.calibration.as_dict()}
    if phi.min() <= 0.05 or phi.max() >= 0.95:
        melted = phi.min() <= 0.05
        return dict(base, valid=False, why=f"{'melted' if melted else 'froze'} completely (T at the end "
                                           f"{t_end:.1f} K)", next_start_T_K=round(t_end, 1))
    t_mean, t_err = mean_and_error(s["T_K"])
    p_mean, p_err = mean_and_error(s["P_GPa"])
    return dict(base, valid=True, T_mean_K=t_mean, T_err_K=t_err, pressure_GPa=p_mean, pressure_err_GPa=p_err)


def run_nph(ctx: MeltContext, p_gpa: float) -> dict:
    """T_m at ``p_gpa`` from NPH coexistence runs (one per seed, retried when they lose the interface)."""
    cfg = ctx.cfg
    start = {seed: float(cfg.nph.start_T_K) for seed in cfg.seeds}
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
            else:
                start[r["seed"]] = r["next_start_T_K"]
                ctx.log(f"  P={p_gpa:g} GPa seed {r['seed']} from {r['start_T_K']:g} K: {r['why']}; "
                        f"next start {r['next_start_T_K']:g} K")
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
            "note": "" if n == len(cfg.seeds) else f"{len(cfg.seeds) - n} seed(s) never kept both phases",
            "runs": attempts}
