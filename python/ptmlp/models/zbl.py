"""ZBL universal screened-Coulomb repulsion, switched off smoothly (TorchScript-compatible).

Ziegler, Biersack, Littmark, "The Stopping and Range of Ions in Matter" (1985):
E(r) = k_e Z_i Z_j / r * phi(r / a),  a = 0.46850 / (Z_i^0.23 + Z_j^0.23) angstrom,
phi(x) = 0.18175 e^-3.19980x + 0.50986 e^-0.94229x + 0.28022 e^-0.40290x + 0.02817 e^-0.20162x.
The pair term is multiplied by a C^2 switch that is 1 below r_in and 0 above r_out, with
r_in/r_out fixed fractions of the summed covalent radii of the pair; each edge i->j gives
half of the pair energy to atom i.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

#: e^2 / (4 pi epsilon_0) in eV angstrom
COULOMB_EV_A = 14.399645478425668


class ZBLRepulsion(nn.Module):
    def __init__(self, atomic_numbers: list[int], covalent_radii_a: list[float],
                 inner_fraction: float, outer_fraction: float):
        super().__init__()
        z = torch.tensor(atomic_numbers, dtype=torch.float64)
        rcov = torch.tensor(covalent_radii_a, dtype=torch.float64)
        self.coulomb_ev_a = COULOMB_EV_A
        self.register_buffer("z", z)
        self.register_buffer("r_in", inner_fraction * (rcov[:, None] + rcov[None, :]))
        self.register_buffer("r_out", outer_fraction * (rcov[:, None] + rcov[None, :]))
        self.register_buffer("coef", torch.tensor([0.18175, 0.50986, 0.28022, 0.02817], dtype=torch.float64))
        self.register_buffer("expo", torch.tensor([3.19980, 0.94229, 0.40290, 0.20162], dtype=torch.float64))

    def forward(self, r: Tensor, species_i: Tensor, species_j: Tensor, centre: Tensor, n_local: int) -> Tensor:
        """Per-local-atom repulsion energy [n_local] (eV) from edge lengths r [E] (angstrom)."""
        zi = self.z.index_select(0, species_i)
        zj = self.z.index_select(0, species_j)
        r_in = self.r_in[species_i, species_j]
        r_out = self.r_out[species_i, species_j]
        # edges beyond the switch contribute exactly zero; clamp keeps their gradient finite
        t = ((r - r_in) / (r_out - r_in)).clamp(0.0, 1.0)
        switch = 1.0 - t * t * t * (10.0 - 15.0 * t + 6.0 * t * t)
        a = 0.46850 / (torch.pow(zi, 0.23) + torch.pow(zj, 0.23))
        x = (r / a).unsqueeze(-1)
        phi = (self.coef * torch.exp(-self.expo * x)).sum(-1)
        e_pair = self.coulomb_ev_a * zi * zj / r * phi * switch
        out = r.new_zeros(n_local)
        return out.index_add(0, centre, 0.5 * e_pair)
