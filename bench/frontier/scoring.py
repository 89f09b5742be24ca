"""Errors of one model's predictions on labelled frames: overall and per ``group``.

Energy per atom (meV/atom), force components (meV/A), stress components (GPa, the six independent
components of frames that carry a stress), each as MAE and RMSE. Every model is scored by this
one function on the same frames.
"""

from __future__ import annotations

import numpy as np

UPPER = np.triu_indices(3)


def reference(frames) -> dict:
    """Labels of ``frames`` (ASE Atoms with a SinglePointCalculator, info['group'])."""
    from predict import EV_PER_A3_IN_GPA

    e, f, s, n, groups = [], [], [], [], []
    for a in frames:
        e.append(a.get_potential_energy())
        f.append(a.get_forces())
        try:
            s.append(a.get_stress(voigt=False) * EV_PER_A3_IN_GPA)
        except Exception:
            s.append(np.full((3, 3), np.nan))
        n.append(len(a))
        groups.append(str(a.info.get("group", "all")))
    return {"energy_eV": np.array(e), "forces_eV_per_A": np.concatenate(f), "stress_GPa": np.array(s),
            "atoms": np.array(n), "group": np.array(groups)}


def _stats(diff: np.ndarray, scale: float) -> dict:
    diff = diff[np.isfinite(diff)]
    if diff.size == 0:
        return {"mae": None, "rmse": None}
    return {"mae": float(np.abs(diff).mean() * scale), "rmse": float(np.sqrt(np.mean(diff ** 2)) * scale)}


def _block(ref: dict, pred: dict, frames: np.ndarray) -> dict:
    atom_of_frame = np.repeat(np.arange(len(ref["atoms"])), ref["atoms"])
    atoms = np.isin(atom_of_frame, frames)
    de = (pred["energy_eV"][frames] - ref["energy_eV"][frames]) / ref["atoms"][frames]
    df = (pred["forces_eV_per_A"][atoms] - ref["forces_eV_per_A"][atoms]).ravel()
    ds = np.stack([(pred["stress_GPa"][k] - ref["stress_GPa"][k])[UPPER] for k in frames]).ravel()
    e, f, s = _stats(de, 1e3), _stats(df, 1e3), _stats(ds, 1.0)
    return {"frames": int(len(frames)), "atoms": int(ref["atoms"][frames].sum()),
            "energy_mae_meV_per_atom": e["mae"], "energy_rmse_meV_per_atom": e["rmse"],
            "force_mae_meV_per_A": f["mae"], "force_rmse_meV_per_A": f["rmse"],
            "stress_mae_GPa": s["mae"], "stress_rmse_GPa": s["rmse"]}


def score(ref: dict, pred: dict) -> dict:
    """{"all": {...}, "per_group": {group: {...}}} (keys carry their units)."""
    n = len(ref["atoms"])
    if len(pred["energy_eV"]) != n or len(pred["forces_eV_per_A"]) != int(ref["atoms"].sum()):
        raise SystemExit(f"predictions for {len(pred['energy_eV'])} frames / {len(pred['forces_eV_per_A'])} atoms, "
                         f"expected {n} / {int(ref['atoms'].sum())}")
    out = {"all": _block(ref, pred, np.arange(n)), "per_group": {}}
    for g in sorted(set(ref["group"])):
        out["per_group"][g] = _block(ref, pred, np.flatnonzero(ref["group"] == g))
    return out
