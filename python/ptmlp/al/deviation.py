"""Ensemble model deviation, the DeePMD-kit/DP-GEN definitions (as pair_style ptmlp writes them).

Per atom i: sigma_f,i = sqrt( mean_k |F_k,i - <F_i>|^2 ); optional relative form
sigma_f,i / (|<F_i>| + level). Virial: per component c, sigma_v,c = std_k(W_k,c) / N.
Energy: std_k(E_k) / N. File columns (``model_devi.out``):
step max_devi_v min_devi_v avg_devi_v max_devi_f min_devi_f avg_devi_f devi_e
"""

from __future__ import annotations

import os
from typing import Optional, Sequence

import numpy as np
from ase import Atoms

from ..calculator import PtmlpCalculator

COLUMNS = ("step", "max_devi_v", "min_devi_v", "avg_devi_v", "max_devi_f", "min_devi_f", "avg_devi_f", "devi_e")


def read_deviation_file(path: str | os.PathLike) -> np.ndarray:
    """Rows of a deviation file as a structured array with :data:`COLUMNS` (torn last line ignored)."""
    rows = []
    with open(path) as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.split()
            if len(parts) != len(COLUMNS):
                continue
            try:
                rows.append(tuple(float(v) for v in parts))
            except ValueError:
                continue
    return np.array(rows, dtype=[(c, "f8") for c in COLUMNS])


def deviation_from_predictions(energies: np.ndarray, forces: np.ndarray, virials: Optional[np.ndarray],
                               relative_level: Optional[float] = None) -> dict[str, float]:
    """energies (K,), forces (K, N, 3), virials (K, 3, 3) of K ensemble members on one frame."""
    k, n = forces.shape[0], forces.shape[1]
    mean_f = forces.mean(0)
    sigma_f = np.sqrt(((forces - mean_f) ** 2).sum(-1).mean(0))
    if relative_level is not None:
        sigma_f = sigma_f / (np.linalg.norm(mean_f, axis=1) + relative_level)
    out = {"max_devi_f": float(sigma_f.max()), "min_devi_f": float(sigma_f.min()),
           "avg_devi_f": float(sigma_f.mean()), "devi_e": float(np.std(energies) / n),
           "atom_devi_f": sigma_f}
    if virials is not None:
        sv = virials.reshape(k, 9).std(0) / n
        out.update(max_devi_v=float(sv.max()), min_devi_v=float(sv.min()), avg_devi_v=float(sv.mean()))
    return out


class EnsembleEvaluator:
    """The ensemble members as ASE calculators (same model files as LAMMPS)."""

    def __init__(self, model_paths: Sequence[str | os.PathLike], te_K: Optional[float] = None):
        self.calcs = [PtmlpCalculator(p, te_K=te_K) for p in model_paths]

    def predictions(self, atoms: Atoms):
        e, f, w = [], [], []
        for calc in self.calcs:
            a = atoms.copy()
            a.calc = calc
            e.append(a.get_potential_energy())
            f.append(a.get_forces())
            if a.pbc.all():
                w.append(-a.get_stress(voigt=False) * a.get_volume())
        return np.array(e), np.array(f), (np.array(w) if w else None)

    def deviation(self, atoms: Atoms, relative_level: Optional[float] = None) -> dict[str, float]:
        return deviation_from_predictions(*self.predictions(atoms), relative_level=relative_level)
