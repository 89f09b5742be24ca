"""``ptmlp melt``: T_m at each pressure (bracket or NPH), the melting curve, files and plots.

Pressures run concurrently (at most ``parallel_runs`` LAMMPS processes at once); on a cluster a
SLURM job array can run one pressure per task (``--pressure-index $SLURM_ARRAY_TASK_ID``) and a
final ``ptmlp melt config.yaml`` collects them (finished runs are reused, never redone).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Optional, Sequence

from .. import __version__
from ..errors import InputError
from ..jsonfile import write_json
from .bracket import run_bracket
from .config import MeltConfig
from .curve import fit_simon_glatzel
from .nph import run_nph
from .outputs import SUMMARY_FILE, TIMESERIES_FILE, write_timeseries
from .plots import plot_curve, plot_pressure
from .stages import MeltContext, extension_ps, prepare
from .units import unit_view


def run_melt(cfg: MeltConfig, pressure_indices: Optional[Sequence[int]] = None,
             log: Callable[[str], None] = print) -> dict:
    """Run the workflow described by ``cfg``; return the summary (also written to summary.json)."""
    t0 = time.monotonic()
    if pressure_indices is not None:
        bad = [i for i in pressure_indices if not 0 <= i < len(cfg.pressures_GPa)]
        if bad:
            raise InputError(f"--pressure-index {bad} out of range 0..{len(cfg.pressures_GPa) - 1}")
        pressures = [cfg.pressures_GPa[i] for i in pressure_indices]
    else:
        pressures = list(cfg.pressures_GPa)
    ctx = prepare(cfg, log)
    work = Path(cfg.workdir)
    log(f"ptmlp melt: {cfg.method} method, {len(pressures)} pressure(s), {ctx.n_atoms}-atom interface cell "
        f"({' x '.join(map(str, ctx.reps))} cells of {ctx.unit_cell.get_chemical_formula()} {ctx.space_group}), "
        f"{ctx.potential.describe()}; work folder {work}")
    driver = run_bracket if cfg.method == "bracket" else run_nph

    def one(p: float) -> dict:
        try:
            return driver(ctx, p)
        except InputError as exc:
            log(f"  P={p:g} GPa: {exc}")
            return {"pressure_target_GPa": p, "error": str(exc)}

    with ThreadPoolExecutor(max_workers=max(1, len(pressures))) as pool:
        results = list(pool.map(one, pressures))
    ok = [r for r in results if "T_melt_K" in r]

    plots_dir = work / "plots"
    plots: list[Path] = []
    units = unit_view(cfg)
    if units.reduced:
        for r in ok:
            r["reduced_lj"] = units.summary(r)
    for r in ok:
        plots += plot_pressure(r, work, plots_dir, cfg.md.discard_ps, units)
    fit, fit_note = None, None
    if pressure_indices is None and len(ok) >= 3:
        try:
            fit = fit_simon_glatzel([r["pressure_GPa"] for r in ok], [r["T_melt_K"] for r in ok],
                                    [r["T_melt_err_K"] for r in ok], [r["pressure_err_GPa"] for r in ok],
                                    confidence=cfg.confidence)
        except (InputError, RuntimeError, ValueError) as exc:
            fit_note = f"Simon-Glatzel fit failed: {exc}"
    elif pressure_indices is None:
        fit_note = "Simon-Glatzel fit needs T_m at 3 or more pressures"
    if pressure_indices is None and len(ok) >= 2:
        plots.append(plot_curve(ok, fit, plots_dir / "melting_curve.png", units=units))
    h5 = work / (TIMESERIES_FILE if pressure_indices is None else
                 f"melt_timeseries_{'_'.join(str(i) for i in pressure_indices)}.h5")
    write_timeseries(h5, ok, work)
    summary = _summary(ctx, results, fit, fit_note, h5, plots, time.monotonic() - t0)
    name = SUMMARY_FILE if pressure_indices is None else \
        f"summary_pressure_{'_'.join(str(i) for i in pressure_indices)}.json"
    write_json(work / name, summary)
    summary["summary_file"] = str(work / name)
    return summary


def _summary(ctx: MeltContext, results, fit, fit_note, h5: Path, plots, wall_s: float) -> dict:
    cfg = ctx.cfg
    return {
        "ptmlp_version": __version__,
        "method": cfg.method,
        "structure": {"formula": ctx.unit_cell.get_chemical_formula(), "space_group": ctx.space_group,
                      "replicate": list(ctx.reps), "n_atoms": ctx.n_atoms},
        "potential": {"description": ctx.potential.describe(), "cutoff_A": ctx.cutoff_A,
                      "type_names": ctx.type_names},
        "order_parameter": {"kind": "q6 solid bonds (LAMMPS orientorder/atom + coord/atom orientorder)",
                            "shell_cutoff_rel": ctx.shells.cutoff_rel, "coordination": ctx.shells.coordination,
                            "bond_threshold": cfg.order.bond_threshold},
        "md": {"timestep_ps": cfg.md.timestep_ps, "coexistence_ps": cfg.md.coexistence_ps,
               "discard_ps": cfg.md.discard_ps, "seeds": cfg.seeds, "nprocs": cfg.nprocs},
        "units": cfg.units,
        "acceptance": {"drift_sigma": cfg.settle.drift_sigma, "solid_fraction_band": cfg.settle.solid_fraction_band,
                       "extend_ps": extension_ps(cfg), "max_extensions": cfg.settle.max_extensions,
                       "rule": "an NPH run is accepted when its T drift and solid-fraction change over the analysed "
                               "window are within drift_sigma of their own errors and its solid fraction stays in "
                               "the band; otherwise it is extended by extend_ps (at most max_extensions times), then "
                               "restarted (nph.retries). Reference runs are extended by md.reference_ps until their "
                               "volume drift is within drift_sigma."},
        "error_model": "ptmlp.uncertainty: per run block averaging with the measured statistical inefficiency and "
                       "a Student-t factor (tau_int per run in T_error_model); runs combined by scatter x "
                       "t(0.8413, n-1), never below the per-run errors; stat, sys (null: not estimated) and total "
                       "(= err) separately; all 1 sigma",
        "pressures": results,
        "melting_curve": {"simon_glatzel": fit.as_dict() if fit is not None else None, "note": fit_note},
        "files": {"timeseries_h5": str(h5), "plots": [str(p) for p in plots]},
        "runs_done": ctx.runner.n_run, "runs_reused": ctx.runner.n_reused, "wall_time_s": wall_s,
        "run_verdicts": run_verdicts(results),
        "errors": [r["error"] for r in results if "error" in r],
    }


def run_verdicts(results: list[dict]) -> list[dict]:
    """Every coexistence run of every pressure: what became of it (accepted, extended, rejected)."""
    rows = []
    for r in results:
        if r.get("method") == "nph":
            for a in r.get("runs", []):
                rows.append({"pressure_target_GPa": r["pressure_target_GPa"], "seed": a["seed"],
                             "start_T_K": a["start_T_K"], "runs": a.get("runs", []), "verdict": a.get("verdict"),
                             "extensions": a.get("extensions", 0), "why": a.get("why", "")})
        elif r.get("method") == "bracket":
            for o in r.get("temperatures", []):
                for a in o.get("runs", []):
                    rows.append({"pressure_target_GPa": r["pressure_target_GPa"], "seed": a["seed"],
                                 "T_K": o["T_K"], "runs": [a["run"]], "verdict": a["verdict"], "extensions": 0,
                                 "why": a.get("why", "")})
    return rows
