"""Descriptor features of grid points for a whole snapshot, in memory-bounded batches."""

from __future__ import annotations

from typing import Iterator, Optional

import numpy as np
import torch

from .descriptor import ElfDescriptor
from .neighbours import PeriodicNeighbours


def iter_point_features(descriptor: torch.nn.Module, positions_A: np.ndarray, cell_A: np.ndarray,
                        points_A: np.ndarray, batch_points: int = 16384, dtype: torch.dtype = torch.float32,
                        bin_width_A: float = 1.0) -> Iterator[tuple[np.ndarray, torch.Tensor]]:
    """Yield (indices into ``points_A``, features [len(indices), F]) batch by batch.

    ``descriptor`` is an :class:`ElfDescriptor` (or a scripted module with the same forward).
    """
    nb = PeriodicNeighbours(positions_A, cell_A, float(descriptor.r_cut), bin_width_A)
    with torch.no_grad():
        for sel, vec, centre in nb.batches(points_A, batch_points):
            yield sel, descriptor(vec.to(dtype), centre, len(sel))


def point_features(descriptor: ElfDescriptor, positions_A: np.ndarray, cell_A: np.ndarray, points_A: np.ndarray,
                   batch_points: int = 16384, dtype: torch.dtype = torch.float32,
                   out_dtype: type = np.float32, out: Optional[np.ndarray] = None) -> np.ndarray:
    """Features [P, F] of every point; ``out_dtype=np.float16`` halves the memory (values stay < 1e3).

    ``out`` may be a preallocated (e.g. ``np.memmap``) array of shape [P, F].
    """
    n = len(points_A)
    if out is None:
        out = np.empty((n, descriptor.n_features), dtype=out_dtype)
    for sel, feats in iter_point_features(descriptor, positions_A, cell_A, points_A, batch_points, dtype):
        out[sel] = feats.numpy().astype(out.dtype, copy=False)
    return out
