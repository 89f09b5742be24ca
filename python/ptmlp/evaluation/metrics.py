"""Errors of a model on labelled frames (``ptmlp test``); units in every key."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ..calculator import PtmlpCalculator
from ..data.frame import Frame


def predict(model_path: str, frames: Sequence[Frame]) -> list[dict]:
    """Per frame: predicted and reference energy/atom, forces, virial/atom, species, P, T."""
    calc = PtmlpCalculator(model_path)
    out = []
    for fr in frames:
        atoms = fr.atoms.copy()
        if math.isfinite(fr.te_K):
            atoms.info["te_K"] = fr.te_K  # a T_e model is evaluated at each label's T_e (others ignore it)
        atoms.calc = calc
        e = atoms.get_potential_energy()
        f = atoms.get_forces()
        n = len(atoms)
        rec = {"n": n, "e_ref": fr.energy_eV / n, "e_pred": e / n, "f_ref": fr.forces_eV_per_A, "f_pred": f,
               "symbols": atoms.get_chemical_symbols(), "pressure_GPa": fr.pressure_GPa,
               "temperature_K": fr.temperature_K, "te_K": fr.te_K, "w_ref": None, "w_pred": None}
        if fr.virial_eV is not None and atoms.pbc.all():
            s = atoms.get_stress(voigt=False)
            rec["w_ref"] = fr.virial_eV / n
            rec["w_pred"] = -s * atoms.get_volume() / n
        out.append(rec)
    return out


def _stats(diff: np.ndarray, scale: float) -> dict[str, float]:
    if diff.size == 0:
        return {"mae": math.nan, "rmse": math.nan}
    return {"mae": float(np.abs(diff).mean() * scale), "rmse": float(np.sqrt((diff ** 2).mean()) * scale)}


def error_metrics(preds: Sequence[dict], pressure_bins_GPa: Sequence[float] = (0, 25, 50, 100, 200, 400),
                  temperature_bins_K: Sequence[float] = (0, 1000, 2000, 4000, 8000)) -> dict:
    """MAE/RMSE of energy (meV/atom), forces (meV/A), virial (meV/atom): overall, per species
    (forces), per pressure x temperature bin."""

    def block(recs) -> dict:
        de = np.array([r["e_pred"] - r["e_ref"] for r in recs])
        df = np.concatenate([(r["f_pred"] - r["f_ref"]).ravel() for r in recs]) if recs else np.zeros(0)
        dw = np.concatenate([(r["w_pred"] - r["w_ref"]).ravel() for r in recs if r["w_ref"] is not None]) \
            if any(r["w_ref"] is not None for r in recs) else np.zeros(0)
        e, f, w = _stats(de, 1e3), _stats(df, 1e3), _stats(dw, 1e3)
        return {"n_frames": len(recs), "energy_mae_meV_per_atom": e["mae"], "energy_rmse_meV_per_atom": e["rmse"],
                "force_mae_meV_per_A": f["mae"], "force_rmse_meV_per_A": f["rmse"],
                "virial_mae_meV_per_atom": w["mae"], "virial_rmse_meV_per_atom": w["rmse"]}

    out = block(list(preds))
    f_all = np.concatenate([r["f_ref"].ravel() for r in preds])
    out["force_std_reference_meV_per_A"] = float(f_all.std() * 1e3)
    out["force_rmse_over_std"] = out["force_rmse_meV_per_A"] / max(out["force_std_reference_meV_per_A"], 1e-12)
    species = sorted({s for r in preds for s in r["symbols"]})
    out["per_species"] = {}
    for sp in species:
        diffs = np.concatenate([(r["f_pred"] - r["f_ref"])[np.array(r["symbols"]) == sp].ravel() for r in preds])
        st = _stats(diffs, 1e3)
        out["per_species"][sp] = {"force_mae_meV_per_A": st["mae"], "force_rmse_meV_per_A": st["rmse"],
                                  "n_atoms": int(diffs.size // 3)}
    bins = {}
    for r in preds:
        p, t = r["pressure_GPa"], r["temperature_K"]
        pb = "P unknown" if math.isnan(p) else _bin_label(p, pressure_bins_GPa, "GPa")
        tb = "T unknown" if math.isnan(t) else _bin_label(t, temperature_bins_K, "K")
        bins.setdefault(f"{pb}, {tb}", []).append(r)
    out["per_PT_bin"] = {k: block(v) for k, v in sorted(bins.items())}
    return out


def _bin_label(value: float, edges: Sequence[float], unit: str) -> str:
    for lo, hi in zip(edges[:-1], edges[1:]):
        if lo <= value < hi:
            return f"{lo:g}-{hi:g} {unit}"
    return f"<{edges[0]:g} {unit}" if value < edges[0] else f">={edges[-1]:g} {unit}"
