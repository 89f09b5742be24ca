"""Stages melt and entropy: T_m(P) of both potentials, Delta T_m(P), and the entropies that explain it.

melt: ``ptmlp melt`` (NPH coexistence, ``melt.seeds``, the acceptance and error model of
``ptmlp.melting``) for each potential at each pressure, one work folder per (potential, P) so a
cluster can run them as separate jobs (a point whose runs fail is recorded with its error and the
others go on; ``--redo melt`` retries it, reusing every finished run); the T_e-aware model runs as ``pair_style ptmlp/tel ... tel
c_thermo_temp``. Simon-Glatzel fits (``ptmlp.melting.curve``) with their bands; Delta T_m at each
pressure = T_m(aware) - T_m(blind) - slope x (P_aware - P_blind) (the measured coexistence
pressures differ a little; slope of the blind fit), errors added in quadrature. Size check: the
aware model at ``melt.size_check_pressure_GPa`` in ``melt.size_check_cell``.

entropy: NPT of the solid and of the liquid at T_m and P (``inputs/al_te/phase_npt.in``) with each
model: enthalpy and volume; with the aware one also S_e and T S_e (``compute ptmlp/tel/entropy``).
For the aware model the Hamiltonian F(R, T_e = T) depends on T, so its enthalpy is
<K + F + PV> + <T S_e> (U = F + T S_e), Delta S_m = Delta H_m / T_m. To first order in the electronic
free energy (Sommerfeld, S_e ~ T: F_e(T) - F_e(0) = -T S_e / 2),
    Delta G_aware(T) ~ Delta G_blind(T) - T Delta S_e / 2   =>   Delta T_m ~ -T_m Delta S_e / (2 Delta S_m,blind),
with Delta S_e = S_e(liquid) - S_e(solid): electronic entropy lowers T_m when the liquid's is larger.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ...errors import InputError, PtmlpError
from ...atomic import atomic_write_text
from ...jsonfile import read_json, write_json
from ...lammps_env import run_lammps
from ...melting.config import from_mapping
from ...melting.curve import fit_simon_glatzel
from ...melting.workflow import run_melt as ptmlp_melt
from ...potential import PotentialSpec
from ...resources import input_template
from ...thermo import read_thermo
from ...uncertainty import series_error
from ...units import BAR_TO_GPA, KB_EV_PER_K
from .eos import load_curve

MODELS = ("aware", "blind")


def potential_of(ctx, name: str) -> PotentialSpec:
    path = ctx.result("train")["models"][name]
    return PotentialSpec(model=path, te_source="c_thermo_temp") if name == "aware" else PotentialSpec(model=path)


def _melt_one(ctx, name: str, p: float, start_T: float, folder: Path, cell, log) -> dict:
    m = ctx.cfg.melt
    a = load_curve(ctx.result("eos")).fcc_lattice_A(p)
    pot = potential_of(ctx, name).to_dict()
    data = {"structure": {"name": "Al", "crystalstructure": "fcc", "a_A": a},
            "potential": {k: v for k, v in pot.items() if v not in (None, [], {})}, "method": "nph",
            "pressures_GPa": [p], "nph": {"start_T_K": start_T, "retries": m.retries}, "seeds": list(m.seeds),
            "cell": cell.to_dict(), "md": m.md.to_dict(), "settle": m.settle.to_dict(), "workdir": str(folder),
            "parallel_runs": m.parallel_runs, "nprocs": m.nprocs}
    try:
        summary = ptmlp_melt(from_mapping(data, source=f"melt {name} {p:g} GPa (recipe)"), log=log)
    except PtmlpError as exc:  # one point that cannot be melted (e.g. a LAMMPS error) does not stop the others
        return {"pressure_target_GPa": p, "error": str(exc)}
    r = summary["pressures"][0]
    if "T_melt_K" not in r:
        return {"pressure_target_GPa": p, "error": r.get("error", "no T_m")}
    return {k: r[k] for k in ("pressure_target_GPa", "pressure_GPa", "pressure_err_GPa", "T_melt_K", "T_melt_err_K",
                              "n_valid_runs", "n_atoms")} | {"summary": str(folder / "summary.json"),
                                                            "wall_s": summary["wall_time_s"]}


def fit(points: list[dict], confidence: float = 0.68):
    ok = [r for r in points if "T_melt_K" in r]
    if len(ok) < 3:
        return None, "a Simon-Glatzel fit needs T_m at 3 or more pressures"
    try:
        return fit_simon_glatzel([r["pressure_GPa"] for r in ok], [r["T_melt_K"] for r in ok],
                                 [r["T_melt_err_K"] for r in ok], [r["pressure_err_GPa"] for r in ok],
                                 confidence=confidence), ""
    except (InputError, RuntimeError, ValueError) as exc:
        return None, f"Simon-Glatzel fit failed: {exc}"


def delta_tm(aware: dict, blind: dict, slope_K_per_GPa: float) -> dict:
    """T_m(aware) - T_m(blind) at one target pressure, corrected to the aware pressure."""
    dp = aware["pressure_GPa"] - blind["pressure_GPa"]
    value = aware["T_melt_K"] - blind["T_melt_K"] - slope_K_per_GPa * dp
    err = math.sqrt(aware["T_melt_err_K"] ** 2 + blind["T_melt_err_K"] ** 2
                    + (slope_K_per_GPa * math.hypot(aware["pressure_err_GPa"], blind["pressure_err_GPa"])) ** 2)
    return {"pressure_GPa": aware["pressure_GPa"], "delta_T_m_K": value, "delta_T_m_err_K": err,
            "pressure_mismatch_GPa": dp, "slope_K_per_GPa": slope_K_per_GPa}


def run_melt(ctx, log=print) -> dict:
    cfg = ctx.cfg
    work = ctx.dir("melt")
    estimate = {row["pressure_GPa"]: row["T_m_estimate_K"] for row in ctx.result("estimate")["grid"]}
    results: dict[str, list[dict]] = {m: [] for m in MODELS}
    for p in cfg.pressures_GPa:
        for name in MODELS:
            done = [r for m in MODELS for r in results[m] if r.get("pressure_target_GPa") == p and "T_melt_K" in r]
            start = done[0]["T_melt_K"] if done else estimate[p]
            r = _melt_one(ctx, name, p, start, work / name / f"P{p:g}GPa", cfg.melt.cell, log)
            results[name].append(r)
            log(f"{name} {p:g} GPa: " + (f"T_m = {r['T_melt_K']:.0f} +- {r['T_melt_err_K']:.0f} K at "
                                        f"{r['pressure_GPa']:.1f} GPa" if "T_melt_K" in r else r["error"]))
    fits = {m: fit(results[m]) for m in MODELS}
    size = None
    if cfg.melt.size_check_pressure_GPa is not None:
        p = cfg.melt.size_check_pressure_GPa
        small = next((r for r in results["aware"] if r["pressure_target_GPa"] == p and "T_melt_K" in r), None)
        big = _melt_one(ctx, "aware", p, small["T_melt_K"] if small else estimate[p],
                        work / "aware_size" / f"P{p:g}GPa", cfg.melt.size_check_cell, log)
        size = {"small": small, "large": big}
        if small and "T_melt_K" in big:
            d = big["T_melt_K"] - small["T_melt_K"]
            e = math.hypot(big["T_melt_err_K"], small["T_melt_err_K"])
            size.update(difference_K=d, difference_err_K=e, agrees_within_error=bool(abs(d) <= e))
    deltas = []
    blind_fit = fits["blind"][0]
    for a, b in zip(results["aware"], results["blind"]):
        if "T_melt_K" in a and "T_melt_K" in b:
            slope = 0.0
            if blind_fit is not None:
                h = 1e-3 * max(abs(b["pressure_GPa"]), 1.0)
                slope = float((blind_fit(b["pressure_GPa"] + h) - blind_fit(b["pressure_GPa"] - h)) / (2 * h))
            deltas.append({"pressure_target_GPa": a["pressure_target_GPa"], **delta_tm(a, b, slope)})
    return ctx.save_result("melt", {
        "points": results, "delta_T_m": deltas, "size_check": size,
        "simon_glatzel": {m: (f.as_dict() if f is not None else None) for m, (f, _) in fits.items()},
        "fit_notes": {m: note for m, (_, note) in fits.items()},
        "settings": {"seeds": cfg.melt.seeds, "cell": cfg.melt.cell.to_dict(), "md": cfg.melt.md.to_dict()}})


# ---------------------------------------------------------------- entropy

def _phase_run(ctx, name: str, phase: str, p: float, t: float, folder: Path) -> dict:
    e = ctx.cfg.entropy
    folder.mkdir(parents=True, exist_ok=True)
    pot = potential_of(ctx, name)
    pot.write_include(folder / "pot.mod", ["Al"], masses=False)
    extra = (["compute S all ptmlp/tel/entropy", "variable Se equal c_S", "variable TSe equal c_S[3]"]
             if name == "aware" else ["variable Se equal 0.0", "variable TSe equal 0.0"])
    atomic_write_text(folder / "extra.mod", "\n".join(extra) + "\n")
    steps = {k: int(round(getattr(e, f"{k}_ps") / e.timestep_ps)) for k in ("equilibration", "production")}
    result_path = folder / "phase.json"
    n_atoms = 4 * e.repeat ** 3
    if not result_path.exists():
        a = load_curve(ctx.result("eos")).fcc_lattice_A(p)
        run_lammps(input_template("al_te/phase_npt.in"), folder, variables={
            "potential": "pot.mod", "extra": "extra.mod", "a": a, "n": e.repeat, "P": p, "T": t,
            "melt_factor": e.melt_factor if phase == "liquid" else 1.0, "n_melt": steps["equilibration"],
            "dt": e.timestep_ps, "n_equil": steps["equilibration"], "n_prod": steps["production"], "nout": 20})
        th = read_thermo(folder / "log.lammps")
        stats = {}
        for key, col, scale in (("T_K", "Temp", 1.0), ("P_GPa", "Press", BAR_TO_GPA),
                                ("volume_A3_per_atom", "Volume", 1.0 / n_atoms),
                                ("enthalpy_eV_per_atom", "Enthalpy", 1.0 / n_atoms),
                                ("S_e_kB_per_atom", "v_Se", 1.0 / n_atoms / KB_EV_PER_K),
                                ("TS_e_eV_per_atom", "v_TSe", 1.0 / n_atoms)):
            s = series_error(th[col] * scale)
            stats[key] = s.mean
            stats[key.replace("_per_atom", "_err_per_atom") if "per_atom" in key else key + "_err"] = s.stat_err
        stats["msd_final_A2"] = float(th["c_msd[4]"][-1])
        write_json(result_path, stats)
    return read_json(result_path)


def _err(*errs) -> float:
    return float(math.sqrt(sum((x or 0.0) ** 2 for x in errs)))


def phase_differences(solid: dict, liquid: dict, t_m: float) -> dict:
    """Liquid - solid per atom: enthalpy (U = F + T S_e for a T_e model), volume, S_e; Delta S_m = Delta H / T_m."""
    dh = (liquid["enthalpy_eV_per_atom"] + liquid["TS_e_eV_per_atom"]) - \
        (solid["enthalpy_eV_per_atom"] + solid["TS_e_eV_per_atom"])
    dh_err = _err(liquid["enthalpy_eV_err_per_atom"], solid["enthalpy_eV_err_per_atom"],
                  liquid["TS_e_eV_err_per_atom"], solid["TS_e_eV_err_per_atom"])
    ds = dh / (KB_EV_PER_K * t_m)
    dv = liquid["volume_A3_per_atom"] - solid["volume_A3_per_atom"]
    dv_err = _err(liquid["volume_A3_err_per_atom"], solid["volume_A3_err_per_atom"])
    dse = liquid["S_e_kB_per_atom"] - solid["S_e_kB_per_atom"]
    dse_err = _err(liquid["S_e_kB_err_per_atom"], solid["S_e_kB_err_per_atom"])
    # Clausius-Clapeyron: dT/dP = Delta V / Delta S  (A^3 / k_B -> K/GPa)
    cc = dv / (ds * KB_EV_PER_K) / 160.21766208 if ds else float("nan")
    return {"T_m_K": t_m, "delta_H_m_eV_per_atom": dh, "delta_H_m_err_eV_per_atom": dh_err,
            "delta_S_m_kB_per_atom": ds, "delta_S_m_err_kB_per_atom": dh_err / (KB_EV_PER_K * t_m),
            "delta_V_m_A3_per_atom": dv, "delta_V_m_err_A3_per_atom": dv_err,
            "delta_S_e_kB_per_atom": dse, "delta_S_e_err_kB_per_atom": dse_err,
            "clausius_clapeyron_K_per_GPa": cc,
            "liquid_diffuses": bool(liquid["msd_final_A2"] > 5.0 * max(solid["msd_final_A2"], 0.2))}


def run_entropy(ctx, log=print) -> dict:
    melt = ctx.result("melt")
    work = ctx.dir("entropy")
    rows = []
    for a, b in zip(melt["points"]["aware"], melt["points"]["blind"]):
        p = a["pressure_target_GPa"]
        row = {"pressure_GPa": p}
        for name, r in (("aware", a), ("blind", b)):
            if "T_melt_K" not in r:
                continue
            t = r["T_melt_K"]
            phases = {ph: _phase_run(ctx, name, ph, p, t, work / name / f"P{p:g}GPa" / ph) for ph in ("solid", "liquid")}
            row[name] = {**phases, "differences": phase_differences(phases["solid"], phases["liquid"], t)}
            d = row[name]["differences"]
            log(f"{name} {p:g} GPa, T_m {t:.0f} K: Delta H_m {d['delta_H_m_eV_per_atom'] * 1e3:.0f} meV/atom, "
                f"Delta S_m {d['delta_S_m_kB_per_atom']:.2f} k_B, Delta V {d['delta_V_m_A3_per_atom']:.3f} A^3, "
                f"S_e sol/liq {phases['solid']['S_e_kB_per_atom']:.3f}/{phases['liquid']['S_e_kB_per_atom']:.3f} k_B"
                + ("" if d["liquid_diffuses"] else "  [liquid does not diffuse: recrystallised?]"))
        if "aware" in row and "blind" in row:
            da, db = row["aware"]["differences"], row["blind"]["differences"]
            pred = -0.5 * da["T_m_K"] * da["delta_S_e_kB_per_atom"] / db["delta_S_m_kB_per_atom"]
            rel = _err(da["delta_S_e_err_kB_per_atom"] / (abs(da["delta_S_e_kB_per_atom"]) or 1e-12),
                       db["delta_S_m_err_kB_per_atom"] / (abs(db["delta_S_m_kB_per_atom"]) or 1e-12))
            row["first_order_delta_T_m_K"] = pred
            row["first_order_delta_T_m_err_K"] = abs(pred) * rel
            measured = next((d for d in melt["delta_T_m"] if d["pressure_target_GPa"] == p), None)
            row["measured_delta_T_m_K"] = measured["delta_T_m_K"] if measured else None
            row["measured_delta_T_m_err_K"] = measured["delta_T_m_err_K"] if measured else None
        rows.append(row)
    return ctx.save_result("entropy", {
        "rows": rows, "first_order": "Delta T_m ~ -T_m Delta S_e / (2 Delta S_m,blind), Sommerfeld S_e ~ T",
        "settings": ctx.cfg.entropy.to_dict()})


def curve_band(fit_dict: dict | None, pressures) -> dict | None:
    """The fitted curve and its band half-width on ``pressures`` (for the plot and the table)."""
    if fit_dict is None:
        return None
    from ...melting.curve import SimonGlatzelFit

    f = SimonGlatzelFit(**{k: v for k, v in fit_dict.items() if k != "formula"})
    half, t = f.band(np.asarray(pressures, float))
    return {"pressure_GPa": list(map(float, pressures)), "T_K": t.tolist(), "band_half_width_K": half.tolist()}
