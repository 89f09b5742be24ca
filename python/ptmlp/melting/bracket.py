"""NPT bracket + bisection: at fixed P, is T above or below T_m?

At each temperature the interface cell runs in NPT (one run per seed); the solid fraction grows
below T_m and shrinks above it. The bracket [T_low, T_high] must show "solid grows" at T_low and
"liquid grows" at T_high; bisection then halves it down to ``bracket.tolerance_K`` (when the midpoint
shows no clear trend, the two quarter points are tried to narrow the bracket around it). T_m is the
root of a weighted straight-line fit of the growth rate d(phi)/dt against T over the runs inside
the final bracket (interface velocity ~ T_m - T near T_m); its statistical error is the fit's
standard error, its method systematic the final bracket width (w / sqrt(12), a uniform
distribution over the bracket), kept apart in the summary (:class:`ptmlp.uncertainty.Estimate`).
The growth rate at one T is the seeds' rates combined by :func:`ptmlp.uncertainty.combine_runs`.
A bracket that does not bracket is reported with a suggested new one, never turned into a T_m.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Optional

import numpy as np

from ..errors import InputError
from ..uncertainty import Estimate, combine_runs
from .analysis import LIQUID_GROWS, SOLID_GROWS, STABLE, classify_trend, mean_and_error
from .config import per_pressure
from .stages import MeltContext, analysed_series, coexistence, coexistence_spec, references


class BracketError(InputError):
    """Raised when the temperatures of a bracket do not enclose T_m (every one melts, or every one
    freezes, or the ends show no clear trend); the message suggests a new bracket."""


@dataclass
class TemperatureOutcome:
    T_K: float
    verdict: str
    rate_per_ps: float  # mean d(solid fraction)/dt over the seeds (nan when decided by a reference)
    rate_err_per_ps: float
    note: str
    runs: list = field(default_factory=list)  # per seed: verdict, trend, mean P, run folder
    calibration: Optional[dict] = None

    def as_dict(self) -> dict:
        return asdict(self)


def evaluate_temperature(ctx: MeltContext, p_gpa: float, t_k: float) -> TemperatureOutcome:
    """References, then one NPT coexistence run per seed at (P, T), and the combined verdict."""
    cfg = ctx.cfg
    refs = references(ctx, p_gpa, t_k)
    if refs.verdict is not None:
        ctx.log(f"  P={p_gpa:g} GPa T={t_k:g} K: {refs.verdict} ({refs.note})")
        return TemperatureOutcome(t_k, refs.verdict, float("nan"), float("nan"), refs.note)

    def classify(result: dict):
        s = analysed_series(result, refs.calibration, cfg.md.discard_ps)
        return s, classify_trend(s["t_ps"], s["solid_fraction"], cfg.bracket.min_change, cfg.bracket.significance)

    def say(result: dict) -> str:
        _, (verdict, trend, why) = classify(result)
        return f"{verdict} ({why}; d phi/dt {trend.slope_per_ps:+.4f} +- {trend.slope_err_per_ps:.4f} /ps)"

    def one(seed: int) -> dict:
        result = coexistence(ctx, p_gpa, t_k, seed, refs, "npt", verdict=say)
        s, (verdict, trend, why) = classify(result)
        dt = float(np.median(np.diff(s["t_ps"]))) if len(s["t_ps"]) > 1 else 1.0
        p_mean, p_err = mean_and_error(s["P_GPa"], dt)
        return {"seed": seed, "verdict": verdict, "why": why, "trend": trend.as_dict(), "run": result["run"],
                "pressure_GPa": p_mean, "pressure_err_GPa": p_err, "T_mean_K": float(s["T_K"].mean()),
                "n_atoms": result["n_atoms"], "cell_A": [float(np.mean(s[k])) for k in ("Lx_A", "Ly_A", "Lz_A")],
                "z_period_A": float(refs.solid["cell_A"][2]) / ctx.reps[2]}

    for seed in cfg.seeds:  # counted in the progress lines and the ETA from now on
        ctx.runner.plan(coexistence_spec(ctx, p_gpa, t_k, seed, refs, "npt"))
    with ThreadPoolExecutor(max_workers=len(cfg.seeds)) as pool:
        runs = list(pool.map(one, cfg.seeds))
    rate_est = combine_runs([r["trend"]["slope_per_ps"] for r in runs], [r["trend"]["slope_err_per_ps"] for r in runs])
    rate, rate_err = rate_est.value, rate_est.stat_err
    votes = {r["verdict"] for r in runs}
    if len(votes) == 1:
        verdict = votes.pop()
        note = "; ".join(f"seed {r['seed']}: {r['why']}" for r in runs)
    elif SOLID_GROWS in votes and LIQUID_GROWS in votes:
        verdict, note = STABLE, "seeds disagree"
    else:
        duration = float(np.mean([r["trend"]["duration_ps"] for r in runs]))
        change, change_err = rate * duration, rate_err * duration
        threshold = max(cfg.bracket.min_change, cfg.bracket.significance * change_err)
        verdict = SOLID_GROWS if change > threshold else LIQUID_GROWS if change < -threshold else STABLE
        note = f"combined change {change:+.3f} (threshold {threshold:.3f})"
    ctx.log(f"  P={p_gpa:g} GPa T={t_k:g} K: {verdict} (d phi/dt = {rate:+.4f} +- {rate_err:.4f} /ps; {note})")
    return TemperatureOutcome(t_k, verdict, rate, rate_err, note, runs, refs.calibration.as_dict())


def run_bracket(ctx: MeltContext, p_gpa: float) -> dict:
    """Bracket and bisect T_m at pressure ``p_gpa``; return the per-pressure result."""
    b = ctx.cfg.bracket
    outcomes: dict[float, TemperatureOutcome] = {}

    def ev(t: float) -> TemperatureOutcome:
        t = round(t, 1)
        if t not in outcomes:
            outcomes[t] = evaluate_temperature(ctx, p_gpa, t)
        return outcomes[t]

    k = ctx.cfg.pressures_GPa.index(p_gpa)
    lo = float(per_pressure(b.T_low_K, k))
    hi = float(per_pressure(b.T_high_K, k))
    with ThreadPoolExecutor(max_workers=2) as pool:
        o_lo, o_hi = pool.map(ev, (lo, hi))
    _check_bracket(p_gpa, o_lo, o_hi)
    stop = "tolerance reached"
    for _ in range(b.max_bisections):
        if hi - lo <= b.tolerance_K:
            break
        mid = round(0.5 * (lo + hi), 1)
        o = ev(mid)
        if o.verdict == SOLID_GROWS:
            lo = mid
        elif o.verdict == LIQUID_GROWS:
            hi = mid
        else:
            # T_m is within the noise of mid: try the quarter points to narrow the bracket around it
            q_lo, q_hi = round(0.5 * (lo + mid), 1), round(0.5 * (mid + hi), 1)
            with ThreadPoolExecutor(max_workers=2) as pool:
                o1, o2 = pool.map(ev, (q_lo, q_hi))
            moved = False
            if o1.verdict == SOLID_GROWS and q_lo > lo:
                lo, moved = q_lo, True
            if o2.verdict == LIQUID_GROWS and q_hi < hi:
                hi, moved = q_hi, True
            if not moved:
                stop = f"no clear trend at {q_lo:g}, {mid:g} and {q_hi:g} K (T_m within the noise of them)"
                break
    else:
        if hi - lo > b.tolerance_K:
            stop = f"max_bisections={b.max_bisections} reached"
    return _estimate(ctx, p_gpa, outcomes, lo, hi, stop)


def _check_bracket(p_gpa: float, o_lo: TemperatureOutcome, o_hi: TemperatureOutcome) -> None:
    lo, hi = o_lo.T_K, o_hi.T_K
    w = hi - lo
    seen = f"{lo:g} K: {o_lo.verdict}; {hi:g} K: {o_hi.verdict}"
    where = f"P={p_gpa:g} GPa: "
    if o_lo.verdict == SOLID_GROWS and o_hi.verdict == LIQUID_GROWS:
        return
    if o_lo.verdict == LIQUID_GROWS and o_hi.verdict == LIQUID_GROWS:
        raise BracketError(f"{where}every bracket temperature melts ({seen}), T_m is below {lo:g} K; no T_m "
                           f"reported. Try bracket.T_low_K: {max(lo - 2 * w, 1.0):g}, bracket.T_high_K: {lo:g}")
    if o_lo.verdict == SOLID_GROWS and o_hi.verdict == SOLID_GROWS:
        raise BracketError(f"{where}every bracket temperature freezes ({seen}), T_m is above {hi:g} K; no T_m "
                           f"reported. Try bracket.T_low_K: {hi:g}, bracket.T_high_K: {hi + 2 * w:g}")
    if o_lo.verdict == LIQUID_GROWS and o_hi.verdict == SOLID_GROWS:
        raise BracketError(f"{where}inconsistent bracket ({seen}): the low end melts and the high end freezes; "
                           "lengthen md.coexistence_ps or check the potential and structure")
    if o_lo.verdict == STABLE and o_hi.verdict != SOLID_GROWS:
        raise BracketError(f"{where}no clear trend at the low end ({seen}), T_m is near or below {lo:g} K; no T_m "
                           f"reported. Try bracket.T_low_K: {max(lo - w, 1.0):g}, bracket.T_high_K: {hi:g}")
    raise BracketError(f"{where}no clear trend at the high end ({seen}), T_m is near or above {hi:g} K; no T_m "
                       f"reported. Try bracket.T_low_K: {lo:g}, bracket.T_high_K: {hi + w:g}")


def rate_root(temps, rates, errs) -> tuple[float, float, float]:
    """Root of the weighted line rate(T) = a + b (T - Tc) and its standard error (delta method)."""
    t = np.asarray(temps, float)
    r = np.asarray(rates, float)
    s = np.asarray(errs, float)
    w = 1.0 / s ** 2
    tc = float((w * t).sum() / w.sum())
    A = np.vstack([np.ones_like(t), t - tc]).T
    cov = np.linalg.inv(A.T @ (A * w[:, None]))
    a, b = cov @ (A.T @ (w * r))
    # with fewer than 3 points the fit is exact: scale by the residual only when it has dof
    if len(t) > 2:
        chi2 = float(((r - A @ np.array([a, b])) ** 2 * w).sum() / (len(t) - 2))
        cov = cov * max(chi2, 1.0)
    root = tc - a / b
    g = np.array([-1.0 / b, a / b ** 2])  # d root / d(a, b)
    return float(root), float(math.sqrt(max(g @ cov @ g, 0.0))), float(b)


def _estimate(ctx: MeltContext, p_gpa: float, outcomes: dict, lo: float, hi: float, stop: str) -> dict:
    inside = [o for t, o in sorted(outcomes.items()) if lo - 1e-9 <= t <= hi + 1e-9 and math.isfinite(o.rate_per_ps)]
    width = hi - lo
    bracket_sigma = width / math.sqrt(12.0)
    note = stop
    t_m, stat = 0.5 * (lo + hi), 0.0
    if len(inside) >= 2:
        root, stat, slope = rate_root([o.T_K for o in inside], [o.rate_per_ps for o in inside],
                                      [max(o.rate_err_per_ps, 1e-9) for o in inside])
        if slope < 0 and math.isfinite(root):
            t_m = min(max(root, lo), hi)
            if t_m != root:
                note += f"; rate-fit root {root:.1f} K clipped to the bracket"
        else:
            note += "; growth rate does not fall with T across the bracket: bracket midpoint used"
            stat = 0.0
    else:
        note += "; fewer than two rates inside the bracket: bracket midpoint used"
    t_est = Estimate(t_m, stat, details={"statistical": "standard error of the root of the growth-rate fit",
                                         "n_temperatures_fitted": len(inside)})
    t_est = t_est.with_systematic(bracket_sigma, "final bracket width / sqrt(12)")
    runs = [r for o in outcomes.values() for r in o.runs if lo - 1e-9 <= o.T_K <= hi + 1e-9]
    if runs:
        p_est = combine_runs([r["pressure_GPa"] for r in runs], [r["pressure_err_GPa"] for r in runs])
        cell = np.array([r["cell_A"] for r in runs])
        cell_est = [combine_runs(cell[:, k], [0.0] * len(runs)) for k in range(3)]
    else:
        p_est, cell_est = Estimate(p_gpa, float("nan")), []
    first = next((r for o in outcomes.values() for r in o.runs), {})
    return {"method": "bracket", "pressure_target_GPa": p_gpa, **p_est.as_dict("pressure_GPa", unit="GPa"),
            **t_est.as_dict("T_melt_K", unit="K"),
            "bracket_K": [lo, hi], "bracket_half_width_K": 0.5 * width, "note": note,
            "n_atoms": first.get("n_atoms", ctx.n_atoms),
            "cell_A": [c.value for c in cell_est] or None, "cell_err_A": [c.stat_err for c in cell_est] or None,
            "cell_note": "mean box lengths over the analysed window of the runs inside the final bracket, averaged "
                         "over them (error: their scatter x Student-t)",
            "run_length_ps": ctx.cfg.md.coexistence_ps, "n_seeds": len(ctx.cfg.seeds),
            "temperatures": [o.as_dict() for _, o in sorted(outcomes.items())]}
