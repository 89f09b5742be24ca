"""Stage convergence: plane-wave cutoff, k-points and cell size at the highest density.

Test cells at the cold volume of the highest pressure: a rattled 32-atom fcc crystal and a 32-atom
liquid (melted by the snapshot potential at that density). Series, each against its own
reference (the largest value tested):

- cutoff at k = base_kpts and the hottest T_e;
- k-points (n x n x n) at base_ecut_eV, for every T_e of ``convergence.te_K`` (the blind
  relabelling's low T_e is the hard case for a metal);
- cell size: liquid snapshots of 32 and ``size_atoms`` atoms at the same density, labelled last at
  the chosen settings (the same k grid on both cells: the larger one is sampled more densely).
  The classical potential is a control variate: the size effect on a DFT mean is
  <E_DFT - E_cl>_big - <E_DFT - E_cl>_32 + (<E_cl>_big - <E_cl>_32 over the whole runs), which
  needs a few snapshots instead of hundreds.

The criterion follows the issue: settings hold energies to ``energy_tol_meV_per_atom`` and
pressures to ``pressure_tol_GPa``. The energy tested is the liquid - solid difference (a constant
shift per atom changes no force, no pressure and no phase equilibrium of one element); the absolute
shifts are in the table too. Each (cutoff, k, T_e) is its own small dataset in ``labels/``:
rerunning relabels nothing.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

import numpy as np

from ...data.store import Dataset
from ...relax import pressure_GPa
from ...uncertainty import series_error
from .eos import load_curve
from .labels import label
from .snapshots import fcc_cell, random_cell, nvt_frames, rattled, spaced_last

def _key(ecut: float, k: int, te: float) -> str:
    return f"ecut{ecut:g}_k{k}_te{te:g}"


class Cells:
    """The test cells (deterministic for a config): solid, liquid and the size-test snapshots."""

    def __init__(self, ctx, log):
        cfg, c = ctx.cfg, ctx.cfg.convergence
        curve = load_curve(ctx.result("eos"))
        self.pressure_GPa = cfg.highest_pressure_GPa
        self.volume = curve.volume_A3(self.pressure_GPa)
        a = float(np.cbrt(4.0 * self.volume))
        work = ctx.dir("convergence")
        self.small = 4 * c.repeat ** 3
        self.solid = rattled(fcc_cell(a, c.repeat), c.solid_rattle_A, seed=11)
        steps, every = 6000, 50
        self.runs = {}
        for n in (self.small, c.size_atoms):
            log(f"liquid NVT run of {n} atoms at {self.volume:.3f} A^3/atom, {c.liquid_T_K:g} K "
                f"({c.snapshot_potential.describe()})")
            self.runs[n] = nvt_frames(random_cell(n, self.volume, seed=n), c.snapshot_potential, c.liquid_T_K, steps, every,
                                      work / f"liquid_{n}", seed=7 + n)
        spacing = 20  # 1000 steps (1 ps) between snapshots
        self.snap = {n: spaced_last(frames, c.size_snapshots + (1 if n == self.small else 0), spacing)
                     for n, frames in self.runs.items()}
        self.liquid = self.snap[self.small][-1]  # the liquid of the cutoff and k series
        self.snap[self.small] = self.snap[self.small][:-1]


def _plan(c) -> list[tuple[float, int, float, list[str]]]:
    """(ecut, k, T_e, which cells) in the order they are run: what the choice needs first."""
    hot = max(c.te_K)
    plan = [(c.base_ecut_eV, c.base_kpts, hot, ["solid", "liquid"])]
    plan += [(e, c.base_kpts, hot, ["solid", "liquid"]) for e in sorted(c.ecut_eV) if e != c.base_ecut_eV]
    for te in sorted(c.te_K, reverse=True):
        plan += [(c.base_ecut_eV, k, te, ["solid", "liquid"]) for k in sorted(c.kpts)
                 if not (k == c.base_kpts and te == hot)]
    return plan


def _label_all(ctx, cells: Cells, plan, log) -> dict:
    labels = ctx.dir("convergence") / "labels"
    labels.mkdir(exist_ok=True)
    wall = {}
    for ecut, k, te, which in plan:
        structures, groups = [], []
        if "solid" in which:
            structures += [cells.solid, cells.liquid]
            groups += ["solid", "liquid"]
        if "size" in which:
            for n, snaps in cells.snap.items():
                structures += snaps
                groups += [f"size{n}/{j}" for j in range(len(snaps))]
        path = labels / f"{_key(ecut, k, te)}.h5"
        rep = label(ctx, structures, ctx.labeler(te, "convergence", ecut_eV=ecut, kpts=[k, k, k]), path, groups, log,
                    f"{_key(ecut, k, te)} {'+'.join(which)}")
        wall[_key(ecut, k, te) + ("_size" if "size" in which else "")] = rep.wall_s
    return wall


def _frames_by_group(path: Path, te: float) -> dict:
    if not path.exists():
        return {}
    ds = Dataset(path)
    frames = ds.read()
    return {f.group: f for f in frames if math.isclose(f.te_K, te)}


def _row(labels: Path, ecut: float, k: int, te: float, ref: dict) -> dict:
    got = _frames_by_group(labels / f"{_key(ecut, k, te)}.h5", te)
    row = {"ecut_eV": ecut, "kpts": k, "te_K": te}
    for name in ("solid", "liquid"):
        f = got.get(name)
        row[f"{name}_energy_eV_per_atom"] = None if f is None else f.energy_eV / len(f.atoms)
        row[f"{name}_pressure_GPa"] = None if f is None else f.pressure_GPa
        row[f"_{name}_forces"] = None if f is None else f.forces_eV_per_A
    if not ref:
        return row
    ok = all(row[f"{n}_energy_eV_per_atom"] is not None and ref[f"{n}_energy_eV_per_atom"] is not None
             for n in ("solid", "liquid"))
    if ok:
        for n in ("solid", "liquid"):
            row[f"d_{n}_energy_meV_per_atom"] = 1e3 * (row[f"{n}_energy_eV_per_atom"] - ref[f"{n}_energy_eV_per_atom"])
            row[f"d_{n}_pressure_GPa"] = row[f"{n}_pressure_GPa"] - ref[f"{n}_pressure_GPa"]
            df = np.asarray(row[f"_{n}_forces"]) - np.asarray(ref[f"_{n}_forces"])
            row[f"d_{n}_force_rms_meV_per_A"] = float(1e3 * np.sqrt(np.mean(df ** 2)))
        row["d_liquid_minus_solid_meV_per_atom"] = (row["d_liquid_energy_meV_per_atom"]
                                                    - row["d_solid_energy_meV_per_atom"])
    return row


def _converged(row: dict, c) -> bool | None:
    if "d_liquid_minus_solid_meV_per_atom" not in row:
        return None
    return (abs(row["d_liquid_minus_solid_meV_per_atom"]) <= c.energy_tol_meV_per_atom
            and abs(row["d_solid_pressure_GPa"]) <= c.pressure_tol_GPa
            and abs(row["d_liquid_pressure_GPa"]) <= c.pressure_tol_GPa)


def _public(row: dict) -> dict:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _series(labels: Path, values, make, c) -> tuple[list[dict], float | None]:
    """Rows of one series (reference: the last of ``values``) and the smallest converged value."""
    ref = _row(labels, *make(values[-1]), {})
    rows, choice = [], None
    ref_ok = ref["solid_energy_eV_per_atom"] is not None and ref["liquid_energy_eV_per_atom"] is not None
    for v in values:
        row = _row(labels, *make(v), ref if ref_ok else {})
        row["converged"] = _converged(row, c) if v != values[-1] else (True if ref_ok else None)
        rows.append(_public(row))
    for v, row in zip(values, rows):
        if row["converged"]:
            choice = v
            break
    if not ref_ok:
        choice = None
    return rows, choice


def size_effect(ctx, cells: Cells, ecut: float, k: int) -> dict:
    """DFT mean E/atom and P of big minus small liquids at (ecut, k x k x k), with the classical
    control variate."""
    c = ctx.cfg.convergence
    labels = ctx.dir("convergence") / "labels"
    hot = max(c.te_K)
    got = _frames_by_group(labels / f"{_key(ecut, k, hot)}.h5", hot)
    calc = c.snapshot_potential.ase_calculator_instance(["Al"])
    out = {"sizes_atoms": [cells.small, c.size_atoms], "te_K": hot, "ecut_eV": ecut, "kpts": k}
    parts = {}
    for n, snaps in cells.snap.items():
        d_e, d_p = [], []
        for j, atoms in enumerate(snaps):
            f = got.get(f"size{n}/{j}")
            if f is None:
                continue
            a = f.atoms.copy()
            a.calc = calc
            d_e.append(f.energy_eV / n - a.get_potential_energy() / n)
            d_p.append(f.pressure_GPa - pressure_GPa(a))
        run = cells.runs[n][len(cells.runs[n]) // 2:]
        e_cl, p_cl = [], []
        for a in run:
            a = a.copy()
            a.calc = calc
            e_cl.append(a.get_potential_energy() / n)
            p_cl.append(pressure_GPa(a))
        se, sp = series_error(e_cl), series_error(p_cl)
        parts[n] = {"n_dft_snapshots": len(d_e), "dft_minus_classical_energy_eV_per_atom": d_e,
                    "dft_minus_classical_pressure_GPa": d_p,
                    "classical_mean_energy_eV_per_atom": se.mean, "classical_mean_energy_err_eV_per_atom": se.stat_err,
                    "classical_mean_pressure_GPa": sp.mean, "classical_mean_pressure_err_GPa": sp.stat_err,
                    "classical_frames": len(run)}
    out["per_size"] = {str(n): v for n, v in parts.items()}
    small, big = parts[cells.small], parts[c.size_atoms]
    if small["n_dft_snapshots"] >= 2 and big["n_dft_snapshots"] >= 2:
        for what, unit, scale in (("energy", "meV_per_atom", 1e3), ("pressure", "GPa", 1.0)):
            key = "dft_minus_classical_energy_eV_per_atom" if what == "energy" else "dft_minus_classical_pressure_GPa"
            mkey = "classical_mean_energy_eV_per_atom" if what == "energy" else "classical_mean_pressure_GPa"
            ekey = "classical_mean_energy_err_eV_per_atom" if what == "energy" else "classical_mean_pressure_err_GPa"
            a, b = np.asarray(small[key]), np.asarray(big[key])
            diff = b.mean() - a.mean() + big[mkey] - small[mkey]
            err = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b) + (big[ekey] or 0) ** 2
                            + (small[ekey] or 0) ** 2)
            out[f"size_effect_{what}_{unit}"] = scale * diff
            out[f"size_effect_{what}_err_{unit}"] = scale * err
        out["within_tolerance"] = bool(abs(out["size_effect_energy_meV_per_atom"]) <= c.energy_tol_meV_per_atom
                                       + out["size_effect_energy_err_meV_per_atom"]
                                       and abs(out["size_effect_pressure_GPa"]) <= c.pressure_tol_GPa
                                       + out["size_effect_pressure_err_GPa"])
    return out


def table_markdown(result: dict) -> str:
    def f(v, fmt):
        return "—" if v is None else format(v, fmt)

    lines = ["| series | cutoff (eV) | k | T_e (K) | ΔE_liq−sol (meV/atom) | ΔE_sol (meV/atom) | ΔP_sol (GPa) | "
             "ΔP_liq (GPa) | ΔF_rms liq (meV/Å) | holds |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, rows in (("cutoff", result["cutoff_series"]),
                       *[(f"k, T_e {te}", rows) for te, rows in result["kpoint_series"].items()]):
        for r in rows:
            lines.append(f"| {name} | {r['ecut_eV']:g} | {r['kpts']}³ | {r['te_K']:g} | "
                         f"{f(r.get('d_liquid_minus_solid_meV_per_atom'), '+.2f')} | "
                         f"{f(r.get('d_solid_energy_meV_per_atom'), '+.1f')} | {f(r.get('d_solid_pressure_GPa'), '+.2f')} | "
                         f"{f(r.get('d_liquid_pressure_GPa'), '+.2f')} | {f(r.get('d_liquid_force_rms_meV_per_A'), '.1f')} | "
                         f"{'ref' if r is rows[-1] else {True: 'yes', False: 'no', None: 'pending'}[r['converged']]} |")
    s = result["size"]
    if "size_effect_energy_meV_per_atom" in s:
        lines.append(f"\nCell size (liquid, {s['sizes_atoms'][1]} − {s['sizes_atoms'][0]} atoms, control variate "
                     f"{result['snapshot_potential']}): ΔE = {s['size_effect_energy_meV_per_atom']:+.1f} ± "
                     f"{s['size_effect_energy_err_meV_per_atom']:.1f} meV/atom, ΔP = {s['size_effect_pressure_GPa']:+.2f} ± "
                     f"{s['size_effect_pressure_err_GPa']:.2f} GPa.")
    return "\n".join(lines)


def series_tables(labels: Path, c) -> tuple[list[dict], Optional[float], dict[str, list[dict]], Optional[int]]:
    """(cutoff rows, chosen cutoff, k-point rows per T_e, chosen k) from the labels in ``labels``;
    a (cutoff, k, T_e) not labelled yet gives a row with null values and ``converged: null``, and
    no choice is made from a series whose reference is missing."""
    hot = max(c.te_K)
    cut_rows, ecut_choice = _series(labels, sorted(c.ecut_eV), lambda e: (e, c.base_kpts, hot), c)
    k_rows, k_choices = {}, []
    for te in sorted(c.te_K):
        rows, choice = _series(labels, sorted(c.kpts), lambda k: (c.base_ecut_eV, k, te), c)
        k_rows[f"{te:g}"] = rows
        k_choices.append(choice)
    k_choice = None if any(k is None for k in k_choices) else max(k_choices)
    return cut_rows, ecut_choice, k_rows, k_choice


def run_convergence(ctx, log=print) -> dict:
    c = ctx.cfg.convergence
    cells = Cells(ctx, log)
    wall = _label_all(ctx, cells, _plan(c), log)
    labels = ctx.dir("convergence") / "labels"
    hot = max(c.te_K)
    ecuts, ks = sorted(c.ecut_eV), sorted(c.kpts)
    cut_rows, ecut_choice, k_rows, k_choice = series_tables(labels, c)
    # the size test at the chosen settings (the references where nothing was within tolerance)
    size_ecut, size_k = ecut_choice or ecuts[-1], k_choice or ks[-1]
    wall.update(_label_all(ctx, cells, [(size_ecut, size_k, hot, ["size"])], log))
    result = {"pressure_GPa": cells.pressure_GPa, "volume_A3_per_atom": cells.volume,
              "cells": {"solid": f"{cells.small}-atom fcc, rattled {c.solid_rattle_A:g} A",
                        "liquid": f"{cells.small}-atom liquid, NVT {c.liquid_T_K:g} K with the snapshot potential"},
              "snapshot_potential": c.snapshot_potential.describe(),
              "criterion": {"energy_tol_meV_per_atom": c.energy_tol_meV_per_atom,
                            "pressure_tol_GPa": c.pressure_tol_GPa,
                            "rule": "smallest value whose liquid-solid energy difference and both pressures are "
                                    "within tolerance of the series' reference (largest value); k-points: the "
                                    "largest of the choices over the T_e tested"},
              "cutoff_series": cut_rows, "kpoint_series": k_rows, "size": size_effect(ctx, cells, size_ecut, size_k),
              "chosen": {"ecut_eV": ecut_choice, "kpts": None if k_choice is None else [k_choice] * 3,
                         "note": "" if ecut_choice is not None and k_choice is not None else
                         "nothing within tolerance in the range tested (or references missing): widen the series "
                         "or set dft.ecut_eV / dft.kpts"},
              "labels_wall_s": wall}
    result["table_markdown"] = table_markdown(result)
    log("chosen: cutoff {} eV, k {}".format(ecut_choice, result["chosen"]["kpts"]))
    return ctx.save_result("convergence", result)
