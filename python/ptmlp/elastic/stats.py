"""Statistical errors of time series from MD: block averaging."""

from __future__ import annotations

import numpy as np


def block_mean_error(x: np.ndarray, n_blocks: int = 10) -> tuple[float, float]:
    """Mean of ``x`` and its standard error from ``n_blocks`` contiguous blocks (Flyvbjerg &
    Petersen, J. Chem. Phys. 91, 461 (1989)): valid when blocks are longer than the correlation time."""
    x = np.asarray(x, float)
    n = len(x) // n_blocks * n_blocks
    if n_blocks < 2 or n < n_blocks:
        return float(x.mean()), float("nan")
    blocks = x[-n:].reshape(n_blocks, -1).mean(axis=1)
    return float(x.mean()), float(blocks.std(ddof=1) / np.sqrt(n_blocks))
