"""Evaluate an ELF model (eager :class:`ElfModel` or a loaded TorchScript file) on points or grids."""

from __future__ import annotations

import numpy as np
import torch
from ase import Atoms

from ..errors import InputError
from .grid import grid_points_A
from .neighbours import PeriodicNeighbours


def check_species(atoms: Atoms, type_names: list[str], where: str = "structure") -> None:
    unknown = sorted(set(atoms.get_chemical_symbols()) - set(type_names))
    if unknown:
        raise InputError(f"{where} holds {', '.join(unknown)}; this ELF model was trained on "
                         f"{', '.join(type_names)} only")


def predict_points(model, positions_A: np.ndarray, cell_A: np.ndarray, points_A: np.ndarray,
                   batch_points: int = 16384, logit: bool = False) -> np.ndarray:
    """ELF (or its logit when ``logit``) at ``points_A`` [P, 3] -> float32 [P]."""
    out = np.empty(len(points_A), dtype=np.float32)
    nb = PeriodicNeighbours(positions_A, cell_A, float(model.r_cut))
    with torch.no_grad():
        for sel, vec, centre in nb.batches(points_A, batch_points):
            vec = vec.to(torch.float32)
            if logit:
                feats = model.descriptor(vec, centre, len(sel))
                out[sel] = model.logit_from_features(feats).numpy()
            else:
                out[sel] = model(vec, centre, len(sel)).numpy()
    return out


def predict_grid(model, atoms: Atoms, shape: tuple[int, int, int], batch_points: int = 16384) -> np.ndarray:
    """ELF on the periodic grid ``shape`` of ``atoms``' cell (convention of :mod:`ptmlp.elf.grid`)."""
    if not atoms.pbc.all():
        raise InputError("ELF prediction needs a structure periodic in all three directions")
    pts = grid_points_A(atoms.cell.array, shape)
    return predict_points(model, atoms.positions, atoms.cell.array, pts, batch_points).reshape(shape)
