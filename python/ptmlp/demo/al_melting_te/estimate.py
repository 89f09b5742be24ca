"""Stage estimate: T_m(P) cheaply, to place the active-learning temperatures.

A classical potential (default Mendelev et al. 2008, ``Al_mm.eam.fs``) is melted by ``ptmlp
melt`` where it holds (its pressure rises monotonically with compression only to ~35 GPa: at
a = 3.5 A it gives 1.3e4 GPa, so it cannot be run at 50-300 GPa). Its T_m at the reference
pressure is carried to every target pressure by Lindemann's law with the Debye temperature of
Moruzzi, Janak & Schwarz (theta_D^2 ~ r_WS B / M), i.e. T_m(V) ~ B(V) V, on the *DFT* cold curve
(stage eos):

    T_m(P) = T_m,ref x [B V]_DFT(P) / [B V]_DFT(P_ref)

The law is checked inside the classical world: the same potential melted at ``check_pressure_GPa``
against the law applied to its own cold curve. The grid is ``temperature_factors`` x T_m(P).
"""

from __future__ import annotations

import numpy as np

from ...melting.config import from_mapping
from ...melting.workflow import run_melt
from ...errors import InputError
from ...relax import pressure_GPa
from .eos import cold_curve_of, load_curve


def lindemann_ratio(curve, p_gpa: float, p_ref_gpa: float) -> float:
    """[B V](P) / [B V](P_ref) on a cold curve."""
    v, v_ref = curve.volume_A3(p_gpa), curve.volume_A3(p_ref_gpa)
    return curve.bulk_modulus_GPa(v) * v / (curve.bulk_modulus_GPa(v_ref) * v_ref)


def classical_melt(ctx, pressures, start_T, lattice_A: float, log) -> dict:
    e = ctx.cfg.estimate
    data = {"structure": {"name": "Al", "crystalstructure": "fcc", "a_A": lattice_A},
            "potential": e.potential.to_dict(), "method": "nph", "pressures_GPa": list(pressures),
            "nph": {"start_T_K": list(start_T), "retries": 2}, "seeds": list(e.seeds), "cell": e.cell.to_dict(),
            "md": e.md.to_dict(), "workdir": str(ctx.dir("estimate") / "melt_classical"),
            "parallel_runs": e.parallel_runs}
    data["potential"] = {k: v for k, v in data["potential"].items() if v not in (None, [], {})}
    return run_melt(from_mapping(data, source="estimate (classical melt)"), log=log)


def _points(summary: dict) -> dict[float, dict]:
    return {r["pressure_target_GPa"]: r for r in summary["pressures"] if "T_melt_K" in r}


def run_estimate(ctx, log=print) -> dict:
    cfg, e = ctx.cfg, ctx.cfg.estimate
    dft = load_curve(ctx.result("eos"))
    calc = e.potential.ase_calculator_instance(["Al"])

    def pressure(atoms):
        atoms.calc = calc
        return pressure_GPa(atoms)

    classical = cold_curve_of(pressure, [e.lattice_A * f for f in np.linspace(1.02, e.cold_curve_min_fraction, 8)])
    pressures = [e.reference_pressure_GPa] + ([e.check_pressure_GPa] if e.check_pressure_GPa is not None else [])
    start = [e.start_T_K] + [e.start_T_K * lindemann_ratio(classical, p, e.reference_pressure_GPa)
                             for p in pressures[1:]]
    log(f"classical melt of {e.potential.describe()} at {pressures} GPa (start T {[round(t) for t in start]} K)")
    summary = classical_melt(ctx, pressures, start, e.lattice_A, log)
    points = _points(summary)
    ref = points.get(e.reference_pressure_GPa)
    if ref is None:
        raise InputError(f"estimate: the classical melt at {e.reference_pressure_GPa:g} GPa gave no T_m "
                         f"({summary.get('errors')})")
    t_ref, t_ref_err = ref["T_melt_K"], ref["T_melt_err_K"]
    check = None
    if e.check_pressure_GPa is not None and e.check_pressure_GPa in points:
        got = points[e.check_pressure_GPa]
        pred = t_ref * lindemann_ratio(classical, got["pressure_GPa"], ref["pressure_GPa"])
        check = {"pressure_GPa": got["pressure_GPa"], "T_melt_K": got["T_melt_K"], "T_melt_err_K": got["T_melt_err_K"],
                 "lindemann_K": pred, "lindemann_minus_melt_K": pred - got["T_melt_K"],
                 "relative": (pred - got["T_melt_K"]) / got["T_melt_K"]}
        log(f"check at {got['pressure_GPa']:.1f} GPa: melt {got['T_melt_K']:.0f} +- {got['T_melt_err_K']:.0f} K, "
            f"Lindemann on its own cold curve {pred:.0f} K ({check['relative']:+.1%})")
    rows = []
    for p in cfg.pressures_GPa:
        ratio = lindemann_ratio(dft, p, e.reference_pressure_GPa)
        t = t_ref * ratio
        rows.append({"pressure_GPa": p, "T_m_estimate_K": t, "T_m_estimate_err_K": t_ref_err * ratio,
                     "lindemann_ratio": ratio,
                     "temperatures_K": [float(round(f * t, -1)) for f in e.temperature_factors]})
        log(f"{p:g} GPa: T_m ~ {t:.0f} K -> AL temperatures {rows[-1]['temperatures_K']}")
    result = {"method": "T_m(P) = T_m,ref x [B V]_DFT(P) / [B V]_DFT(P_ref) (Lindemann with the Moruzzi-Janak-Schwarz "
                        "Debye temperature) on the DFT cold curve; T_m,ref from ptmlp melt of the classical potential",
              "classical_potential": e.potential.describe(), "classical_cold_curve": classical.as_dict(),
              "reference": {"pressure_GPa": ref["pressure_GPa"], "T_melt_K": t_ref, "T_melt_err_K": t_ref_err},
              "check": check, "melt_summary": str(summary.get("summary_file")), "grid": rows,
              "note": "the linear-in-B scaling ignores thermal expansion at T_m; the grid spans "
                      f"{min(e.temperature_factors):g}-{max(e.temperature_factors):g} x the estimate to cover its error"}
    return ctx.save_result("estimate", result)
