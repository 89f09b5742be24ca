"""Multi-component heat transport: decorrelating the energy flux from the independent mass
fluxes (Bertossa, Grasselli, Ercole, Baroni, Phys. Rev. Lett. 122, 255901 (2019)).

In a mixture the thermal conductivity is ``1 / (V k_B T^2 (L^-1)_00)``, with ``L`` the Onsager
matrix of Green-Kubo integrals between the energy flux ``J_0`` and the ``M-1`` independent
mass fluxes ``J_a`` (momentum conservation removes one). The same number is the plain
Green-Kubo integral of ``J_0' = J_0 - sum_a c_a J_a`` with ``c = L_0a (L_aa)^-1``: the
projection makes ``J_0'`` uncorrelated at zero frequency with every mass flux, and
``int <J_0' J_0'> = L_00 - L_0a L_aa^-1 L_a0``, the Schur complement. The coefficients are
fitted on the integrals up to the Green-Kubo cutoff and refined once with the new cutoff.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .correlation import cross_correlation, running_integral


def onsager_matrix(runs: Sequence[np.ndarray], dt_s: float, k_cut: int) -> np.ndarray:
    """Symmetrised Green-Kubo integrals ``L_ij = int_0^t_c <J_i(0) J_j(t)>`` averaged over
    Cartesian components and runs; ``runs``: list of (n, 3, n_fluxes) arrays."""
    n_flux = runs[0].shape[2]
    weights = np.array([len(r) for r in runs], dtype=float)
    weights /= weights.sum()
    lmat = np.zeros((n_flux, n_flux))
    for i in range(n_flux):
        for j in range(i, n_flux):
            acc = 0.0
            for w, r in zip(weights, runs):
                for c in range(r.shape[1]):
                    cij = cross_correlation(r[:, c, i], r[:, c, j], k_cut)
                    cji = cross_correlation(r[:, c, j], r[:, c, i], k_cut)
                    acc += w * running_integral(0.5 * (cij + cji), dt_s)[-1] / r.shape[1]
            lmat[i, j] = lmat[j, i] = acc
    return lmat


def projection_coefficients(lmat: np.ndarray) -> np.ndarray:
    """``c = L_0a (L_aa)^-1`` for the flux matrix with the energy flux first."""
    return np.linalg.solve(lmat[1:, 1:], lmat[1:, 0])


def project_out(runs: Sequence[np.ndarray], coeffs: np.ndarray) -> list[np.ndarray]:
    """``J_0 - sum_a c_a J_a`` for each run (n, 3, 1 + n_mass) -> (n, 3)."""
    return [r[:, :, 0] - r[:, :, 1:] @ coeffs for r in runs]
