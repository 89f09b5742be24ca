"""Stages initial and active_learning: labels with T_e = T_ion at every (P, T) of the estimate's grid.

The starting data are 32-atom solid (rattled fcc at the DFT cold volume) and liquid (melted by the
snapshot potential at that density) cells at every pressure, labelled at each temperature T of
that pressure with Fermi-Dirac occupations at T_e = T. Groups are named ``initial/P<P>/T<T>/<phase>/<k>``.

The loop is ``ptmlp.al.loop.ActiveLearning`` on a config written to ``active_learning/al/al.yaml``
(``ptmlp al status active_learning/al`` reads its state), with two things ``ptmlp al run`` cannot yet
express, supplied here:

- its exploration grid is the product structures x pressures x temperatures x T_e; the recipe keeps
  only the points (structure of pressure P, P, T of P, T_e = T) (:func:`grid_filter`, applied to
  ``ptmlp.al.explore.task_grid`` while the loop runs), so every exploration and every label has
  T_e equal to the ionic temperature and each pressure has its own temperatures;
- every label carries the recipe's provenance (:class:`RecipeLoop` hands the loop the recipe's
  GPAW labeler).
"""

from __future__ import annotations

import contextlib
import math
import re
from pathlib import Path

from ase.io import write

from ...al import explore as al_explore
from ...al.config import ALConfig
from ...al.loop import ActiveLearning
from ...al.report import status_table
from ...config import validate_config
from ...data.store import Dataset
from ...jsonfile import write_json
from .eos import load_curve
from .labels import TE_ION, label
from .snapshots import fcc_cell, nvt_frames, random_cell, rattled, spaced_last

DATASET = "te_ion.h5"
_NAME = re.compile(r"^(solid|liquid)_P(-?[0-9.]+)GPa")


def dataset_path(ctx) -> Path:
    return ctx.dir("data") / DATASET


def grid(ctx) -> list[dict]:
    """[{pressure_GPa, temperatures_K, T_m_estimate_K}] of the estimate stage."""
    return ctx.result("estimate")["grid"]


def start_name(phase: str, p: float) -> str:
    return f"{phase}_P{p:g}GPa"


def grid_filter(points: dict[float, list[float]]):
    """A ``task_grid`` wrapper keeping the tasks whose structure belongs to their pressure, whose T is
    one of that pressure's temperatures and whose T_e equals T."""

    def keep(task: dict) -> bool:
        m = _NAME.match(task["structure"])
        if m is None or task["ensemble"] != "npt":
            return False
        p = float(m.group(2))
        if not math.isclose(p, task["pressure_GPa"], abs_tol=1e-9) or p not in points:
            return False
        t = task["temperature_K"]
        return any(math.isclose(t, x) for x in points[p]) and math.isclose(task["te_K"], t)

    return keep


@contextlib.contextmanager
def filtered_task_grid(points: dict[float, list[float]]):
    original = al_explore.task_grid
    keep = grid_filter(points)
    al_explore.task_grid = lambda config, structures: [t for t in original(config, structures) if keep(t)]
    try:
        yield
    finally:
        al_explore.task_grid = original


class RecipeLoop(ActiveLearning):
    """The active-learning loop with the recipe's GPAW labeler (its provenance in every frame)."""

    def __init__(self, config: ALConfig, ctx, log):
        super().__init__(config, log=log)
        self.ctx = ctx

    def labeler_for(self, te_K):
        return self.ctx.labeler(te_K, "active_learning", te_rule=TE_ION)


def _starting_cells(ctx, log) -> dict:
    """Solid and liquid cells of every pressure (liquids melted at 1.5 x the highest T of the point)."""
    cfg, ini = ctx.cfg, ctx.cfg.initial
    curve = load_curve(ctx.result("eos"))
    work = ctx.dir("initial")
    cells = {}
    for row in grid(ctx):
        p = row["pressure_GPa"]
        v = curve.volume_A3(p)
        solid = fcc_cell(float((4 * v) ** (1 / 3)), ini.repeat)
        t_melt = 1.5 * max(row["temperatures_K"])
        frames = nvt_frames(random_cell(len(solid), 1.05 * v, seed=int(p) + 3), cfg.convergence.snapshot_potential,
                            t_melt, ini.md_steps, 50, work / f"liquid_P{p:g}GPa", seed=int(p) + 5)
        liquids = spaced_last(frames, len(row["temperatures_K"]) * ini.copies, 5)
        cells[p] = {"solid": solid, "liquids": liquids, "temperatures_K": row["temperatures_K"]}
        log(f"{p:g} GPa: fcc a = {(4 * v) ** (1 / 3):.4f} A, liquid NVT at {t_melt:.0f} K "
            f"({cfg.convergence.snapshot_potential.describe()}) at 1.05 x the cold volume")
    return cells


def run_initial(ctx, log=print) -> dict:
    cfg, ini = ctx.cfg, ctx.cfg.initial
    cells = _starting_cells(ctx, log)
    starts = ctx.dir("active_learning") / "structures"
    starts.mkdir(exist_ok=True)
    by_te: dict[float, tuple[list, list]] = {}
    for p, c in cells.items():
        write(starts / f"{start_name('solid', p)}.extxyz", c["solid"], format="extxyz")
        write(starts / f"{start_name('liquid', p)}.extxyz", c["liquids"][-1], format="extxyz")
        for i, t in enumerate(c["temperatures_K"]):
            for k in range(ini.copies):
                seed = int(1000 * p + t) + k
                s, g = by_te.setdefault(t, ([], []))
                s.append(rattled(c["solid"], ini.solid_rattle_A, seed))
                g.append(f"initial/P{p:g}/T{t:g}/solid/{k}")
                s.append(c["liquids"][i * ini.copies + k])
                g.append(f"initial/P{p:g}/T{t:g}/liquid/{k}")
    reports = {}
    for te, (structures, groups) in sorted(by_te.items()):
        rep = label(ctx, structures, ctx.labeler(te, "initial", te_rule=TE_ION), dataset_path(ctx), groups, log,
                    f"T_e = T = {te:g} K")
        reports[f"{te:g}"] = {"labelled": rep.labelled, "already_done": rep.skipped_done, "failed": rep.failed,
                              "wall_s": rep.wall_s}
    n = len(Dataset(dataset_path(ctx)))
    return ctx.save_result("initial", {"dataset": str(dataset_path(ctx)), "frames": n, "per_te_K": reports,
                                       "start_structures": str(starts)})


def al_config(ctx) -> tuple[ALConfig, dict[float, list[float]]]:
    """The loop's config (also written as al.yaml) and the (P -> temperatures) points it explores."""
    cfg, a = ctx.cfg, ctx.cfg.active_learning
    ecut, kpts = ctx.dft_settings()
    points = {row["pressure_GPa"]: row["temperatures_K"] for row in grid(ctx)}
    starts = ctx.dir("active_learning") / "structures"
    structures = [str(starts / f"{start_name(ph, p)}.extxyz") for p in points for ph in ("solid", "liquid")]
    temps = sorted({t for ts in points.values() for t in ts})
    data = {"workdir": str(ctx.dir("active_learning") / "al"), "dataset": str(dataset_path(ctx)),
            "initial_structures": [], "model": a.model.to_dict(), "training": a.training.to_dict(),
            "ensemble": a.ensemble,
            "explore": {"structures": structures, "ensembles": ["npt"], "pressures_GPa": sorted(points),
                        "temperatures_K": temps, "te_K": temps, "steps": a.steps, "every": a.every,
                        "dt_ps": a.dt_ps, "processes": a.processes},
            "select": a.select.to_dict(),
            "labeler": {"kind": "gpaw", "xc": cfg.dft.xc, "ecut_eV": ecut, "kpts": kpts,
                        "processes": cfg.dft.processes, "timeout_s": cfg.dft.timeout_s},
            "max_iterations": a.max_iterations, "target_accurate_fraction": a.target_accurate_fraction,
            "rmse_improvement_tol": a.rmse_improvement_tol}
    config = validate_config(ALConfig, data, source="active_learning (recipe)")
    return config, points


def run_active_learning(ctx, log=print) -> dict:
    import yaml

    from ...atomic import atomic_write_text

    config, points = al_config(ctx)
    al_dir = Path(config.workdir)
    al_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(al_dir / "al.yaml", "# written by python -m ptmlp.demo.al_melting_te, which explores only the "
                      "(P, T, T_e = T) points of explore_points.json (ptmlp al run alone explores the whole "
                      "product of the grid)\n" + yaml.safe_dump(config.to_dict(), sort_keys=False))
    write_json(al_dir / "explore_points.json", {f"{p:g}": t for p, t in points.items()})
    with filtered_task_grid(points):
        state = RecipeLoop(config, ctx, log).run()
    iterations = [{"index": it["index"], "labels_added": it.get("labels_added", 0),
                   "label_failures": it.get("label_failures", {}),
                   "accurate_fraction": it.get("selection", {}).get("accurate_fraction"),
                   "candidate_fraction": it.get("selection", {}).get("candidate_fraction"),
                   "failed_fraction": it.get("selection", {}).get("failed_fraction"),
                   "validation_force_rmse_meV_per_A": it.get("validation_force_rmse_meV_per_A"),
                   "validation_energy_rmse_meV_per_atom": it.get("validation_energy_rmse_meV_per_atom"),
                   "test": it.get("test"), "dataset_frames": it.get("dataset_frames")}
                  for it in state["iterations"]]
    return ctx.save_result("active_learning", {
        "converged": state["converged"], "stopped": state["stopped"], "iterations": iterations,
        "dataset": str(dataset_path(ctx)), "frames": len(Dataset(dataset_path(ctx))),
        "points": {f"{p:g}": t for p, t in points.items()}, "status_table": status_table(state),
        "al_folder": str(al_dir)})
