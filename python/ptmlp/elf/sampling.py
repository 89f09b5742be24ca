"""Grid-point sampling of training snapshots, stratified to be roughly uniform in ELF value."""

from __future__ import annotations

import numpy as np

from ..errors import InputError


def stratified_indices(elf: np.ndarray, n_points: int, n_bins: int, rng: np.random.Generator) -> np.ndarray:
    """Flat indices of up to ``n_points`` grid points, about equally many per ELF bin on [0, 1].

    Bins with fewer points than their share give all they have; the shortfall is spread over
    the other bins, so the total is ``min(n_points, elf.size)``. Indices are returned sorted.
    """
    if n_points < 1 or n_bins < 1:
        raise InputError(f"points per snapshot ({n_points}) and ELF bins ({n_bins}) must be >= 1")
    values = np.asarray(elf).ravel()
    n_points = min(n_points, values.size)
    bins = np.minimum((np.clip(values, 0.0, 1.0) * n_bins).astype(np.int64), n_bins - 1)
    members = [np.flatnonzero(bins == b) for b in range(n_bins)]
    available = np.array([len(m) for m in members])
    take = np.zeros(n_bins, dtype=np.int64)
    remaining = n_points
    open_bins = available > 0
    while remaining > 0 and open_bins.any():
        share = max(1, remaining // int(open_bins.sum()))
        for b in np.flatnonzero(open_bins):
            extra = min(share, available[b] - take[b], remaining)
            take[b] += extra
            remaining -= extra
            if take[b] == available[b]:
                open_bins[b] = False
            if remaining == 0:
                break
    chosen = [rng.choice(m, size=k, replace=False) for m, k in zip(members, take) if k > 0]
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)
