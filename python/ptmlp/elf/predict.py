"""``ptmlp elf predict``: ELF grids, networking value phi and T_c for every snapshot of a trajectory.

Snapshots come from an ELF dataset (.h5, references included), from cube/ELFCAR files
(references included) or from any ASE-readable trajectory (LAMMPS dump, extxyz, ...; optional
reference cube/ELFCAR files, one per snapshot). With references: MAE/RMSE/R^2 (bootstrap over
snapshots), phi from the reference, the residual spectrum and the low-k corrected metrics.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from ..errors import InputError
from ..jsonfile import write_json
from .config import PredictConfig
from .fourier import low_k_corrected, residual_spectrum
from .grid import ElfGrid, grid_shape_for_spacing
from .inference import check_species, predict_grid
from .io import read_elf_file, write_cube_elf
from .metrics import regression_metrics, snapshot_metrics
from .model_file import load_elf_model
from .networking import networking_value, tc_estimate_K
from .store import ElfDataset


def load_snapshots(opts: PredictConfig) -> list[tuple[ElfGrid, bool, dict]]:
    """[(ElfGrid, has_reference, info)]; ElfGrid.elf is a placeholder when there is no reference."""
    out: list[tuple[ElfGrid, bool, dict]] = []
    for path in opts.inputs:
        p = str(path)
        if p.endswith((".h5", ".hdf5")):
            from .training import select_groups

            ds = ElfDataset(p)
            groups = ds.index()["group"]
            for i, g in zip(select_groups(groups, opts.groups), ds.read(select_groups(groups, opts.groups))):
                out.append((g, True, {"source": p, "index": i}))
        elif p.lower().endswith(".cube") or Path(p).name.upper().startswith("ELFCAR"):
            out.append((read_elf_file(p), True, {"source": p}))
        else:
            out.extend(_read_trajectory(p, opts))
    out = out[::max(1, int(opts.every))]
    if opts.max_snapshots:
        out = out[:int(opts.max_snapshots)]
    if not out:
        raise InputError(f"no snapshots found in {', '.join(map(str, opts.inputs))}")
    return out


def _read_trajectory(path: str, opts: PredictConfig) -> list[tuple[ElfGrid, bool, dict]]:
    from ase.io import read

    kwargs = {}
    if "dump" in Path(path).name or path.endswith((".lammpstrj", ".dump")):
        kwargs = {"format": "lammps-dump-text"}
        if opts.type_names:
            kwargs["specorder"] = list(opts.type_names)
    try:
        frames = read(path, index=":", **kwargs)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except Exception as exc:
        raise InputError(f"{path}: ASE could not read it ({type(exc).__name__}: {exc}); for a LAMMPS dump "
                         "name it *.dump or *.lammpstrj and give --type-names") from None
    refs = list(opts.references)
    if refs and len(refs) != len(frames):
        raise InputError(f"{len(refs)} reference files for {len(frames)} snapshots of {path}; give one per snapshot")
    out = []
    for k, atoms in enumerate(frames):
        atoms.pbc = True
        if refs:
            ref = read_elf_file(refs[k])
            grid = ElfGrid(atoms, ref.elf, Path(path).stem)
        else:
            grid = ElfGrid(atoms, np.zeros((1, 1, 1), np.float32), Path(path).stem)
        out.append((grid, bool(refs), {"source": path, "frame": k, "timestep": atoms.info.get("timestep")}))
    return out


def run_predict(opts: PredictConfig, log: Callable[[str], None] = print) -> dict:
    torch.set_num_threads(int(opts.threads))
    model, meta = load_elf_model(opts.model)
    outdir = Path(opts.output_dir)
    outdir.mkdir(parents=True, exist_ok=True)
    snaps = load_snapshots(opts)
    rows, preds, refs = [], [], []
    t_total = 0.0
    for k, (g, has_ref, info) in enumerate(snaps):
        check_species(g.atoms, meta["type_names"], f"snapshot {k} ({info['source']})")
        if has_ref:
            shape = g.shape
        elif opts.grid:
            shape = tuple(int(v) for v in opts.grid)
        else:
            shape = grid_shape_for_spacing(g.atoms.cell.array, opts.grid_spacing_A)
        t0 = time.perf_counter()
        pred = predict_grid(model, g.atoms, shape, opts.batch_points)
        dt = time.perf_counter() - t0
        t_total += dt
        phi, phi_err = networking_value(pred, opts.phi_tol)
        tc, tc_err = tc_estimate_K(phi, phi_err)
        row = {"snapshot": k, **{kk: v for kk, v in info.items() if v is not None}, "group": g.group,
               "n_atoms": len(g.atoms), "grid": list(shape), "predict_wall_s": round(dt, 3),
               **({"pressure_GPa": g.pressure_GPa} if np.isfinite(g.pressure_GPa) else {}),
               "phi_pred": phi, "phi_pred_err": phi_err, "Tc_pred_K": tc, "Tc_pred_err_K": tc_err}
        if has_ref:
            phi_r, phi_r_err = networking_value(g.elf, opts.phi_tol)
            tc_r, tc_r_err = tc_estimate_K(phi_r, phi_r_err)
            row.update(phi_ref=phi_r, phi_ref_err=phi_r_err, Tc_ref_K=tc_r, Tc_ref_err_K=tc_r_err,
                       metrics=regression_metrics(pred, g.elf))
            spec = residual_spectrum(pred, g.elf, g.atoms.cell.array,
                                     opts.low_k_cut_per_A or np.pi)
            row["residual_spectrum"] = {kk: spec[kk] for kk in ("residual_logit_variance", "low_k_fraction",
                                                                 "k_cut_per_A", "correlation_length_A")}
            row["_spectrum"] = spec
            if opts.low_k_cut_per_A:
                corr = low_k_corrected(pred, g.elf, g.atoms.cell.array, opts.low_k_cut_per_A)
                row["metrics_low_k_corrected"] = regression_metrics(corr, g.elf)
                row["phi_low_k_corrected"] = networking_value(corr, opts.phi_tol)[0]
            refs.append(g.elf)
        preds.append(pred)
        if opts.write_cubes:
            write_cube_elf(outdir / f"elf_pred_{k:05d}.cube", ElfGrid(g.atoms, pred, g.group))
        rows.append(row)
        log(f"snapshot {k}: grid {shape}, {dt:.2f} s, phi {phi:.3f} +- {phi_err:.3f}, T_c {tc:.0f} K"
            + (f"; reference phi {row['phi_ref']:.3f}, R^2 {row['metrics']['r2']:.4f}" if has_ref else ""))
    summary = _summarise(opts, meta, rows, preds, refs, snaps, t_total, outdir)
    for r in rows:
        r.pop("_spectrum", None)
    write_json(outdir / "elf_predict.json", {"summary": summary, "snapshots": rows})
    log(f"wrote {outdir / 'elf_predict.json'}")
    return {"summary": summary, "snapshots": rows}


def _summarise(opts, meta, rows, preds, refs, snaps, t_total, outdir: Path) -> dict:
    from . import plots

    n_points = sum(int(np.prod(r["grid"])) for r in rows)
    summary = {"model": opts.model, "n_snapshots": len(rows), "grid_points_total": n_points,
               "predict_wall_s": round(t_total, 2), "us_per_grid_point": 1e6 * t_total / max(n_points, 1),
               "threads": opts.threads, "peak_rss_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               "phi_pred_mean": float(np.mean([r["phi_pred"] for r in rows])),
               "phi_pred_std": float(np.std([r["phi_pred"] for r in rows], ddof=1)) if len(rows) > 1 else 0.0,
               "Tc_pred_K_mean": float(np.mean([r["Tc_pred_K"] for r in rows]))}
    x = [r.get("timestep", r["snapshot"]) for r in rows]
    xlabel = "timestep" if all("timestep" in r for r in rows) else "snapshot"
    with_ref = [r for r in rows if "phi_ref" in r]
    plots.phi_plot(x, [r["phi_pred"] for r in rows], [r["phi_pred_err"] for r in rows], str(outdir / "phi.png"),
                   xlabel, [r.get("phi_ref", np.nan) for r in rows] if with_ref else None)
    first = snaps[0][0]
    plots.slice_plot(preds[0], refs[0] if refs else None, str(outdir / "slice_0.png"),
                     f"snapshot 0 ({first.group})")
    if refs:
        paired = [(p, s[0]) for p, s in zip(preds, snaps) if s[1]]
        m = snapshot_metrics([p for p, _ in paired], refs)
        summary["metrics"] = m
        pr = np.array([r["phi_ref"] for r in with_ref])
        pp = np.array([r["phi_pred"] for r in with_ref])
        summary["phi"] = {"mae": float(np.abs(pp - pr).mean()), "r2": regression_metrics(pp, pr)["r2"]
                          if len(pr) > 1 else float("nan"), "n_snapshots": len(pr)}
        if opts.low_k_cut_per_A:
            corr = [low_k_corrected(p, g.elf, g.atoms.cell.array, opts.low_k_cut_per_A) for p, g in paired]
            summary["metrics_low_k_corrected"] = snapshot_metrics(corr, refs)
        summary["low_k_fraction_mean"] = float(np.mean([r["residual_spectrum"]["low_k_fraction"] for r in with_ref]))
        summary["residual_correlation_length_A_mean"] = float(np.nanmean(
            [r["residual_spectrum"]["correlation_length_A"] for r in with_ref]))
        plots.parity_plot(np.concatenate([p.ravel() for p, _ in paired]),
                          np.concatenate([r.ravel() for r in refs]), str(outdir / "parity.png"),
                          f"{len(refs)} snapshots", m)
        if len(pr) > 1:
            plots.phi_parity_plot(pr, pp, str(outdir / "phi_parity.png"), f"networking value, {len(pr)} snapshots")
        summary["by_group"] = _by_group(with_ref, paired)
        spec = _mean_spectrum([r["_spectrum"] for r in with_ref])
        plots.spectrum_plot(spec[0], spec[1], str(outdir / "residual_spectrum.png"),
                            "logit residual, mean over snapshots", 2 * np.pi / 0.74, opts.low_k_cut_per_A or np.pi)
    return summary


def _by_group(rows: list[dict], paired: list) -> dict:
    """Metrics, phi error and residual-spectrum summary per group (e.g. per density)."""
    out = {}
    for name in sorted({r["group"] for r in rows}):
        sel = [k for k, r in enumerate(rows) if r["group"] == name]
        m = snapshot_metrics([paired[k][0] for k in sel], [paired[k][1].elf for k in sel])
        press = [rows[k]["pressure_GPa"] for k in sel if "pressure_GPa" in rows[k]]
        out[name] = {"metrics": m, "phi_mae": float(np.mean([abs(rows[k]["phi_pred"] - rows[k]["phi_ref"]) for k in sel])),
                     "phi_ref_mean": float(np.mean([rows[k]["phi_ref"] for k in sel])),
                     "low_k_fraction_mean": float(np.mean([rows[k]["residual_spectrum"]["low_k_fraction"] for k in sel])),
                     "residual_logit_variance_mean": float(np.mean(
                         [rows[k]["residual_spectrum"]["residual_logit_variance"] for k in sel])),
                     **({"pressure_GPa_mean": float(np.mean(press))} if press else {})}
    return out


def _mean_spectrum(specs: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    k = np.concatenate([s["k_per_A"] for s in specs])
    p = np.concatenate([s["power_per_mode"] for s in specs])
    edges = np.linspace(0, k.max() + 1e-9, 25)
    which = np.digitize(k, edges) - 1
    cnt = np.bincount(which, minlength=24)[:24]
    tot = np.bincount(which, weights=p, minlength=24)[:24]
    ok = cnt > 0
    return 0.5 * (edges[1:] + edges[:-1])[ok], tot[ok] / cnt[ok]
