"""Radial functions of the ELF grid descriptor (Wang et al., arXiv:2604.26445): Gaussians with
centres uniform on [0, r_cut] times the cosine cutoff w(r) = (cos(pi r / r_cut) + 1) / 2.

TorchScript-compatible; buffers are float64 and cast to the input dtype.
"""

from __future__ import annotations

import math
from typing import Optional

import torch
from torch import Tensor, nn


class CosineCutoff(nn.Module):
    """w(r) = (cos(pi r / r_cut) + 1) / 2 for r < r_cut, 0 beyond; w and w' vanish at r_cut."""

    def __init__(self, r_cut: float):
        super().__init__()
        self.r_cut = float(r_cut)

    def forward(self, r: Tensor) -> Tensor:
        w = 0.5 * (torch.cos(r * (math.pi / self.r_cut)) + 1.0)
        return torch.where(r < self.r_cut, w, torch.zeros_like(w))


class GaussianBasis(nn.Module):
    """g_n(r) = exp(-(r - mu_n)^2 / (2 sigma^2)), mu_n = n r_cut / (N - 1), n = 0..N-1 -> [E, N].

    ``width`` sigma defaults to the spacing of the centres, so neighbouring Gaussians overlap
    at about e^-1/8 of their height: the expansion resolves distances to ~sigma.
    """

    def __init__(self, r_cut: float, n_radial: int, width: Optional[float] = None):
        super().__init__()
        if n_radial < 2:
            raise ValueError("GaussianBasis needs n_radial >= 2")
        spacing = float(r_cut) / (n_radial - 1)
        self.width = float(width) if width is not None else spacing
        self.register_buffer("centres", torch.linspace(0.0, float(r_cut), n_radial, dtype=torch.float64))

    def forward(self, r: Tensor) -> Tensor:
        x = (r.unsqueeze(-1) - self.centres.to(r.dtype)) / self.width
        return torch.exp(-0.5 * x * x)
