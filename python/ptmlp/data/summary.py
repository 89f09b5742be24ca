"""Dataset summary: frames, species, P-T-T_e coverage, energy and force ranges."""

from __future__ import annotations

from collections import Counter

import numpy as np
from ase.data import chemical_symbols

from ..units import EV_PER_A3_TO_GPA
from .store import Dataset


def dataset_summary(ds: Dataset) -> dict:
    arr = ds.arrays()
    n_frames = len(arr["n_atoms"])
    out = {"path": ds.path, "n_frames": n_frames, "n_atoms_total": int(arr["n_atoms"].sum())}
    if n_frames == 0:
        return out
    species = Counter(chemical_symbols[z] for z in arr["numbers"])
    out["species_atom_counts"] = dict(sorted(species.items()))
    out["atoms_per_frame_min_max"] = [int(arr["n_atoms"].min()), int(arr["n_atoms"].max())]
    e_per_atom = arr["energy_eV"] / arr["n_atoms"]
    out["energy_eV_per_atom_min_max"] = [float(e_per_atom.min()), float(e_per_atom.max())]
    f = arr["forces_eV_per_A"]
    out["force_component_std_eV_per_A"] = float(f.std())
    out["force_norm_max_eV_per_A"] = float(np.linalg.norm(f, axis=1).max())
    vol = np.abs(np.linalg.det(arr["cell_A"]))
    vir = arr["virial_eV"]
    has_v = ~np.isnan(vir).any(axis=(1, 2)) & (vol > 0)
    out["frames_with_virial"] = int(has_v.sum())
    if has_v.any():
        p = np.trace(vir[has_v], axis1=1, axis2=2) / 3.0 / vol[has_v] * EV_PER_A3_TO_GPA
        out["static_pressure_GPa_min_max"] = [float(p.min()), float(p.max())]
    for key, label in (("te_K", "te_K"), ("temperature_K", "temperature_K")):
        v = arr[key][~np.isnan(arr[key])]
        out[f"frames_with_{label}"] = int(v.size)
        if v.size:
            out[f"{label}_values"] = sorted({round(float(x), 1) for x in v})[:20]
    groups = Counter(arr["strings"][g] for g in arr["group_id"])
    out["n_groups"] = len(groups)
    return out


def format_summary(summary: dict) -> str:
    width = max(len(k) for k in summary)
    return "\n".join(f"{k:{width}s}  {v}" for k, v in summary.items())
