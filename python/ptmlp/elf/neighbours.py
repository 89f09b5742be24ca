"""Periodic (triclinic) grid-point -> atom neighbour lists, built bin by bin with bounded memory.

The cell is cut into bins of about ``bin_width_A`` along each lattice-plane normal. For each
bin, candidate atoms (periodic images within r_cut of the bin, found with a fractional-box
test and a sphere test around the bin centre) are compared densely with the bin's points.
Points are processed in batches of at most ``batch_points``, so memory is O(batch) whatever
the grid size.
"""

from __future__ import annotations

import itertools
from typing import Iterator

import numpy as np
import torch

from ..errors import InputError


class PeriodicNeighbours:
    """Neighbour search from arbitrary points to the atoms of a periodic cell.

    >>> nb = PeriodicNeighbours(atoms.positions, atoms.cell.array, r_cut=3.0)
    >>> for sel, edge_vec, centre in nb.batches(points_A, batch_points=16384):
    ...     # sel: indices (into points_A) of this batch's points, in batch order
    ...     # edge_vec (E, 3) float64: atom minus point; centre (E,) int64: batch-local point index, sorted
    """

    def __init__(self, positions_A: np.ndarray, cell_A: np.ndarray, r_cut: float, bin_width_A: float = 1.0):
        cell = np.asarray(cell_A, dtype=float)
        if cell.shape != (3, 3) or abs(np.linalg.det(cell)) < 1e-9:
            raise InputError("ELF descriptor needs a periodic cell with three non-coplanar vectors")
        if not r_cut > 0:
            raise InputError(f"r_cut={r_cut} A must be positive")
        self.cell = cell
        self.inv = np.linalg.inv(cell)
        self.r_cut = float(r_cut)
        recip = self.inv.T  # rows b_i with a_i . b_j = delta_ij
        self.thickness = 1.0 / np.linalg.norm(recip, axis=1)  # (3,) distance between cell faces, A
        margin = self.r_cut / self.thickness  # (3,) r_cut in fractional units along each axis
        frac = np.asarray(positions_A, dtype=float) @ self.inv
        frac -= np.floor(frac)
        n_img = np.ceil(margin).astype(int)
        shifts = np.array(list(itertools.product(*[range(-k, k + 1) for k in n_img])), dtype=float)
        ext = (frac[None, :, :] + shifts[:, None, :]).reshape(-1, 3)
        keep = np.all((ext >= -margin) & (ext < 1.0 + margin), axis=1)
        self.ext_frac = ext[keep]
        self.ext_cart = self.ext_frac @ cell
        self.ext_atom = np.tile(np.arange(len(frac)), len(shifts))[keep]
        self.margin = margin
        self.n_bins = np.maximum(1, np.floor(self.thickness / bin_width_A)).astype(int)
        bin_vectors = cell / self.n_bins[:, None]
        corners = np.array(list(itertools.product((-0.5, 0.5), repeat=3))) @ bin_vectors
        self.bin_radius = float(np.linalg.norm(corners, axis=1).max())

    def _bin_of(self, frac: np.ndarray) -> np.ndarray:
        ijk = np.minimum(np.floor(frac * self.n_bins).astype(np.int64), self.n_bins - 1)
        return (ijk[:, 0] * self.n_bins[1] + ijk[:, 1]) * self.n_bins[2] + ijk[:, 2]

    def _candidates(self, b: int) -> np.ndarray:
        ijk = np.array(np.unravel_index(b, tuple(self.n_bins)))
        lo = ijk / self.n_bins - self.margin
        hi = (ijk + 1) / self.n_bins + self.margin
        idx = np.nonzero(np.all((self.ext_frac >= lo) & (self.ext_frac <= hi), axis=1))[0]
        centre = ((ijk + 0.5) / self.n_bins) @ self.cell
        d = self.ext_cart[idx] - centre
        return idx[(d * d).sum(1) <= (self.r_cut + self.bin_radius) ** 2]

    def batches(self, points_A: np.ndarray, batch_points: int = 16384
                ) -> Iterator[tuple[np.ndarray, torch.Tensor, torch.Tensor]]:
        """Yield (selected point indices, edge vectors (E,3) float64, batch-local centre (E,) int64)."""
        pts = np.asarray(points_A, dtype=float)
        frac = pts @ self.inv
        frac -= np.floor(frac)
        wrapped = frac @ self.cell  # same point, inside the cell
        bins = self._bin_of(frac)
        order = np.argsort(bins, kind="stable")
        sorted_bins = bins[order]
        bounds = np.flatnonzero(np.diff(sorted_bins)) + 1
        starts = np.concatenate([[0], bounds])
        ends = np.concatenate([bounds, [len(order)]])
        ext_cart = torch.from_numpy(self.ext_cart)
        ext_sq = (ext_cart * ext_cart).sum(1)
        wrapped_t = torch.from_numpy(wrapped)
        rc2 = self.r_cut ** 2
        batch_start = 0
        vecs: list[torch.Tensor] = []
        cents: list[torch.Tensor] = []
        for s, e in zip(starts, ends):
            if e - batch_start > batch_points and s > batch_start:
                yield order[batch_start:s], _cat(vecs, (0, 3)), _cat(cents, (0,), torch.int64)
                batch_start, vecs, cents = s, [], []
            cand = torch.from_numpy(self._candidates(int(sorted_bins[s])))
            if len(cand) == 0:
                continue
            p = wrapped_t[torch.from_numpy(order[s:e])]
            c = ext_cart[cand]
            # |c - p|^2 through one matrix product (no (P_b, C_b, 3) temporary); float64 keeps it exact to ~1e-12 A^2
            r2 = (p * p).sum(1, keepdim=True) - 2.0 * (p @ c.T) + ext_sq[cand].unsqueeze(0)
            pi, ci = torch.nonzero(r2 < rc2, as_tuple=True)
            vecs.append(c[ci] - p[pi])
            cents.append(pi + (s - batch_start))
        if len(order) > batch_start:
            yield order[batch_start:], _cat(vecs, (0, 3)), _cat(cents, (0,), torch.int64)


def _cat(parts: list, empty_shape: tuple, dtype=torch.float64) -> torch.Tensor:
    return torch.cat(parts) if parts else torch.zeros(empty_shape, dtype=dtype)
