"""Rotation-invariant power spectrum of a neighbour density (TorchScript-compatible).

Shared by the potentials and by any per-point descriptor (e.g. ELF grid points):
given per-edge radial channels R [E, Q] and spherical harmonics Y [E, M] of the
edge directions, the density coefficients of centre c are

    A[c, q, lm] = sum_{edges e with centre c} R[e, q] Y[e, lm]          # (n_centres, Q, M)

and the invariants are P[c, q, q', l] = sum_m A[c, q, lm] A[c, q', lm] for q <= q'.
A is formed by a batched matrix product over neighbour slots, so no (E, Q, M)
intermediate is ever stored (memory E (Q + M) instead of E Q M).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def neighbour_slots(centre: Tensor, n_centres: int) -> tuple[Tensor, Tensor, int]:
    """For edges grouped by centre, return (order, slot, max_neighbours).

    ``order`` sorts edges by centre (identity when already sorted), ``slot`` is each sorted
    edge's position among its centre's edges.
    """
    n_edges = centre.shape[0]
    if n_edges > 1 and bool((centre[1:] < centre[:-1]).any()):
        order = torch.argsort(centre, stable=True)
    else:
        order = torch.arange(n_edges, device=centre.device)
    sorted_centre = centre.index_select(0, order)
    counts = torch.bincount(sorted_centre, minlength=n_centres)
    starts = torch.cumsum(counts, 0) - counts
    slot = torch.arange(n_edges, device=centre.device) - starts.index_select(0, sorted_centre)
    k_max = int(counts.max().item()) if n_edges > 0 else 0
    return order, slot, k_max


class PowerSpectrum(nn.Module):
    """(R [E,Q], Y [E,(l_max+1)^2], centre [E], n_centres) -> features [n_centres, (l_max+1) Q (Q+1)/2]."""

    def __init__(self, n_channels: int, l_max: int):
        super().__init__()
        self.n_channels = int(n_channels)
        self.l_max = int(l_max)
        iu = torch.triu_indices(n_channels, n_channels)
        self.register_buffer("triu_flat", iu[0] * n_channels + iu[1])
        self.n_features = (l_max + 1) * int(iu.shape[1])

    def density(self, radial: Tensor, ylm: Tensor, centre: Tensor, n_centres: int) -> Tensor:
        """Density coefficients A [n_centres, Q, M]."""
        q = radial.shape[1]
        m = ylm.shape[1]
        order, slot, k_max = neighbour_slots(centre, n_centres)
        c = centre.index_select(0, order)
        r_pad = radial.new_zeros((n_centres, k_max, q)).index_put((c, slot), radial.index_select(0, order))
        y_pad = ylm.new_zeros((n_centres, k_max, m)).index_put((c, slot), ylm.index_select(0, order))
        return torch.bmm(r_pad.transpose(1, 2), y_pad)

    def invariants(self, a: Tensor) -> Tensor:
        """Power spectrum of density coefficients A [n, Q, M] -> [n, n_features]."""
        n = a.shape[0]
        out: list[Tensor] = []
        start = 0
        for l in range(self.l_max + 1):
            a_l = a[:, :, start:start + 2 * l + 1]
            p_l = torch.bmm(a_l, a_l.transpose(1, 2)).reshape(n, -1)
            out.append(p_l.index_select(1, self.triu_flat))
            start += 2 * l + 1
        return torch.cat(out, dim=1)

    def forward(self, radial: Tensor, ylm: Tensor, centre: Tensor, n_centres: int) -> Tensor:
        return self.invariants(self.density(radial, ylm, centre, n_centres))
