"""Radial and angular basis functions (TorchScript-compatible)."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


class PolynomialEnvelope(nn.Module):
    """Smooth cutoff u(r) = 1 - (p+1)(p+2)/2 x^p + p(p+2) x^(p+1) - p(p+1)/2 x^(p+2), x = r/r_cut.

    u, u' and u'' vanish at r_cut, so forces go to zero continuously with continuous derivative.
    """

    def __init__(self, r_cut: float, p: int = 6):
        super().__init__()
        self.r_cut = float(r_cut)
        self.p = int(p)

    def forward(self, r: Tensor) -> Tensor:
        p = float(self.p)
        x = r / self.r_cut
        xp = torch.pow(x, self.p)
        u = 1.0 - 0.5 * (p + 1.0) * (p + 2.0) * xp + p * (p + 2.0) * xp * x - 0.5 * p * (p + 1.0) * xp * x * x
        return torch.where(x < 1.0, u, torch.zeros_like(u))


class BesselBasis(nn.Module):
    """b_n(r) = sqrt(2/r_cut) sin(n pi r / r_cut) / r, n = 1..n_radial  -> [E, n_radial]."""

    def __init__(self, r_cut: float, n_radial: int):
        super().__init__()
        self.r_cut = float(r_cut)
        self.prefactor = math.sqrt(2.0 / r_cut)
        self.register_buffer("freq", torch.arange(1, n_radial + 1, dtype=torch.float64) * math.pi / r_cut)

    def forward(self, r: Tensor) -> Tensor:
        r = r.unsqueeze(-1)
        return self.prefactor * torch.sin(self.freq * r) / r


def _sh_norms(l_max: int) -> list[float]:
    """Orthonormalisation constants of the real spherical harmonics, ordered (l, m=-l..l)."""
    out: list[float] = []
    for l in range(l_max + 1):
        for m in range(-l, l + 1):
            am = abs(m)
            n = math.sqrt((2 * l + 1) / (4 * math.pi) * math.factorial(l - am) / math.factorial(l + am))
            out.append(n * (math.sqrt(2.0) if m != 0 else 1.0))
    return out


class SphericalHarmonics(nn.Module):
    """Real, orthonormal spherical harmonics of unit vectors up to l_max -> [E, (l_max+1)^2].

    Y_lm = N_lm Q_l^|m|(z) {Re (x+iy)^m for m > 0; 1 for m = 0; Im (x+iy)^|m| for m < 0},
    with Q_l^m = P_l^m / (1-z^2)^(m/2) a polynomial in z, so the result is a polynomial
    in (x, y, z): smooth everywhere on the sphere, poles included. Signs of individual
    (l, m) may differ from other conventions; every l block is orthonormal, which is all
    rotation-invariant contractions need.
    """

    def __init__(self, l_max: int):
        super().__init__()
        self.l_max = int(l_max)
        self.register_buffer("norm", torch.tensor(_sh_norms(l_max), dtype=torch.float64))

    def forward(self, u: Tensor) -> Tensor:
        x = u[:, 0]
        y = u[:, 1]
        z = u[:, 2]
        one = torch.ones_like(z)
        re: list[Tensor] = [one]
        im: list[Tensor] = [torch.zeros_like(z)]
        for m in range(1, self.l_max + 1):
            re.append(x * re[m - 1] - y * im[m - 1])
            im.append(x * im[m - 1] + y * re[m - 1])
        # q[m][l - m] = Q_l^m(z)
        q: list[list[Tensor]] = []
        dfact = 1.0
        for m in range(self.l_max + 1):
            if m > 0:
                dfact *= 2.0 * m - 1.0
            col: list[Tensor] = [dfact * one]
            if m + 1 <= self.l_max:
                col.append((2.0 * m + 1.0) * z * col[0])
            for l in range(m + 2, self.l_max + 1):
                col.append(((2.0 * l - 1.0) * z * col[l - m - 1] - (l + m - 1.0) * col[l - m - 2]) / (l - m))
            q.append(col)
        out: list[Tensor] = []
        for l in range(self.l_max + 1):
            for m in range(-l, l + 1):
                if m < 0:
                    out.append(q[-m][l + m] * im[-m])
                elif m == 0:
                    out.append(q[0][l])
                else:
                    out.append(q[m][l - m] * re[m])
        return torch.stack(out, dim=-1) * self.norm.to(u.dtype)
