"""Rotation-invariant descriptor of the atoms around each grid point (TorchScript-compatible).

For grid point c and atoms j within r_cut (periodic images included), with r = |x_j - c|:

    A[c, n, lm] = sum_j g_n(r) w(r) Y_lm(unit(x_j - c))                 (n_radial x (l_max+1)^2)
    P[c, n, n', l] = sum_m A[c, n, lm] A[c, n', lm],   n <= n'          (l_max+1) N (N+1)/2 features

g_n Gaussians, w the cosine cutoff (:mod:`ptmlp.elf.basis`); the density and the power spectrum
are the potentials' code (:class:`ptmlp.models.descriptor.PowerSpectrum`) with grid points as
centres. An atom sitting exactly on a grid point (r < 1e-6 A) has no direction: it contributes
to l = 0 only, the limit of the direction average.
"""

from __future__ import annotations

from typing import Any, Optional

import torch
from torch import Tensor, nn

from ..models.basis import SphericalHarmonics
from ..models.descriptor import PowerSpectrum
from .basis import CosineCutoff, GaussianBasis

R_ON_POINT_A = 1e-6


class ElfDescriptor(nn.Module):
    """(edge vectors [E,3] grid point -> atom, centre [E] sorted, n_points) -> features [n_points, F]."""

    def __init__(self, r_cut: float = 3.0, n_radial: int = 10, l_max: int = 2, width: Optional[float] = None):
        super().__init__()
        self.r_cut = float(r_cut)
        self.n_radial = int(n_radial)
        self.l_max = int(l_max)
        self.radial = GaussianBasis(r_cut, n_radial, width)
        self.width = self.radial.width
        self.cutoff = CosineCutoff(r_cut)
        self.ylm = SphericalHarmonics(l_max)
        self.power = PowerSpectrum(n_radial, l_max)
        self.n_features = self.power.n_features
        self.r_on_point = R_ON_POINT_A

    def hyperparameters(self) -> dict[str, Any]:
        return {"r_cut_A": self.r_cut, "n_radial": self.n_radial, "l_max": self.l_max,
                "gaussian_width_A": self.width, "radial": "gaussian", "cutoff": "cosine",
                "n_features": self.n_features}

    def forward(self, edge_vec: Tensor, centre: Tensor, n_points: int) -> Tensor:
        r = torch.sqrt((edge_vec * edge_vec).sum(-1))
        on_point = r < self.r_on_point
        safe = torch.where(on_point, torch.ones_like(r), r)
        u = edge_vec / safe.unsqueeze(-1)
        y = self.ylm(u)
        keep = (~on_point).to(y.dtype).unsqueeze(-1)
        y = torch.cat([y[:, :1], y[:, 1:] * keep], dim=1)
        radial = self.radial(r) * self.cutoff(r).unsqueeze(-1)
        return self.power(radial, y, centre, n_points)
