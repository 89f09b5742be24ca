"""Hydrogen networking value phi and the T_c estimate (Belli et al., Nat. Commun. 12, 5381 (2021)).

phi is the highest ELF isovalue eta at which the region ELF >= eta forms a network that spans
the periodic crystal in all three directions. Here: the region is cut into connected
components (face-connected grid points, scipy.ndimage.label without wrap-around), components
touching across each periodic face are joined while tracking the lattice translation between
them, and a component percolates in d directions when its closed loops wind around the cell
along d linearly independent lattice vectors (rank of the winding vectors). phi is found by
bisection on eta (percolation only weakens as eta grows); its uncertainty is the bisection
tolerance plus the grid discretisation (a saddle between grid points is seen at the lower value
of its neighbours).

T_c ~ 750 phi - 85 K is Belli et al.'s correlation T_c ~ (750 Phi_DOS - 85) K with
Phi_DOS = phi H_f H_DOS^(1/3), which for pure hydrogen (H_f = H_DOS = 1) is 750 phi - 85 K;
negative values mean no superconductivity predicted (0 K). The scatter of that correlation
itself is not included in the uncertainty reported here.
"""

from __future__ import annotations

from collections import deque

import numpy as np
from scipy import ndimage

from ..errors import InputError

TC_SLOPE_K = 750.0  # Belli et al. 2021
TC_OFFSET_K = -85.0


def winding_rank(mask: np.ndarray) -> int:
    """Largest number of independent directions in which one component of ``mask`` percolates (0..3)."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 3:
        raise InputError(f"percolation needs a 3-D grid, got shape {mask.shape}")
    labels, n = ndimage.label(mask)
    if n == 0:
        return 0
    edges: list[np.ndarray] = []  # rows (label_from, label_to, axis): label_to is label_from's +axis image
    for axis in range(3):
        last = np.take(labels, -1, axis=axis).ravel()
        first = np.take(labels, 0, axis=axis).ravel()
        both = (last > 0) & (first > 0)
        if both.any():
            pairs = np.unique(np.stack([last[both], first[both]], axis=1), axis=0)
            edges.append(np.column_stack([pairs, np.full(len(pairs), axis)]))
    if not edges:
        return 0
    e = np.concatenate(edges)
    adjacency: dict[int, list[tuple[int, np.ndarray]]] = {}
    for a, b, axis in e:
        shift = np.zeros(3, dtype=np.int64)
        shift[axis] = 1
        adjacency.setdefault(int(a), []).append((int(b), shift))
        adjacency.setdefault(int(b), []).append((int(a), -shift))
    offset: dict[int, np.ndarray] = {}
    best = 0
    for root in adjacency:
        if root in offset:
            continue
        offset[root] = np.zeros(3, dtype=np.int64)
        windings: list[np.ndarray] = []
        queue = deque([root])
        while queue:
            a = queue.popleft()
            for b, shift in adjacency[a]:
                target = offset[a] + shift
                if b not in offset:
                    offset[b] = target
                    queue.append(b)
                elif not np.array_equal(offset[b], target):
                    windings.append(target - offset[b])
        if windings:
            best = max(best, int(np.linalg.matrix_rank(np.array(windings, dtype=float))))
            if best == 3:
                return 3
    return best


def networking_value(elf: np.ndarray, tol: float = 1e-3, dimensions: int = 3) -> tuple[float, float]:
    """(phi, uncertainty): highest eta with {ELF >= eta} percolating in ``dimensions`` directions.

    Returns (0.0, tol) when even the whole grid does not percolate (cannot happen for a
    periodic grid whose values are all >= 0) and (max ELF, tol) when it percolates up to
    the maximum.
    """
    elf = np.asarray(elf)
    if not 1 <= dimensions <= 3:
        raise InputError(f"dimensions={dimensions} must be 1, 2 or 3")
    lo, hi = float(elf.min()), float(elf.max())
    if winding_rank(elf >= hi) >= dimensions:
        return hi, tol
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if winding_rank(elf >= mid) >= dimensions:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi), 0.5 * (hi - lo) + _grid_step(elf, 0.5 * (lo + hi))


def _grid_step(elf: np.ndarray, eta: float) -> float:
    """Typical ELF change between neighbouring grid points near the isovalue eta (discretisation error)."""
    near = np.abs(elf - eta) < 0.05
    if not near.any():
        return 0.0
    steps = [np.abs(np.diff(elf, axis=a, append=np.take(elf, [0], axis=a)))[near] for a in range(3)]
    return float(np.median(np.concatenate(steps))) * 0.5


def tc_estimate_K(phi: float, phi_err: float = 0.0) -> tuple[float, float]:
    """(T_c, uncertainty from phi) in K: max(0, 750 phi - 85) (Belli et al. 2021, pure hydrogen)."""
    tc = TC_SLOPE_K * phi + TC_OFFSET_K
    if tc <= 0:
        return 0.0, max(0.0, TC_SLOPE_K * (phi + phi_err) + TC_OFFSET_K)
    return tc, TC_SLOPE_K * phi_err
