"""Model v1: strictly local, species-aware power-spectrum potential.

Per edge i->j (r_ij = x_j - x_i, r < r_cut):
    radial channels  R[e, q] = sum_n W[n, s_j, q] b_n(r) u(r)     (Bessel x C^2 envelope, mixed per neighbour species)
    angular part     Y[e, lm], l <= l_max                          (real spherical harmonics)
Per atom i: power spectrum of A[i, q, lm] = sum_e R Y, standardised per species, then
    E_i = E0[s_i] + energy_scale * NN_{s_i}(features_i) + E_ZBL,i
Forces and virials come from autograd with respect to the edge vectors (done by the caller:
the C++ core in LAMMPS, :mod:`ptmlp.calculator` in Python).
"""

from __future__ import annotations

from typing import Optional

import torch
from torch import Tensor, nn

from .basis import BesselBasis, PolynomialEnvelope, SphericalHarmonics
from .config import ModelConfig
from .descriptor import PowerSpectrum
from .zbl import ZBLRepulsion


def mlp(n_in: int, widths: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for w in widths:
        layers += [nn.Linear(n_in, w), nn.SiLU()]
        n_in = w
    layers.append(nn.Linear(n_in, 1))
    return nn.Sequential(*layers)


class PtmlpV1(nn.Module):
    """See module docstring. ``forward`` follows the contract of shared/design.md."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.type_names = config.require_type_names()
        self.r_cut = float(config.r_cut)
        n_species = len(self.type_names)
        self.n_species = n_species
        self.n_radial = int(config.n_radial)
        self.n_channels = int(config.n_channels)
        self.envelope = PolynomialEnvelope(config.r_cut, config.envelope_p)
        self.bessel = BesselBasis(config.r_cut, config.n_radial)
        self.sph = SphericalHarmonics(config.l_max)
        self.power = PowerSpectrum(config.n_channels, config.l_max)
        mix = torch.randn(config.n_radial, n_species, config.n_channels, dtype=torch.float64)
        self.mix = nn.Parameter(mix / config.n_radial ** 0.5)
        n_feat = self.power.n_features
        self.has_te = bool(config.electronic_temperature)
        self.te_scale_K = float(config.te_scale_K)
        n_in = n_feat + (2 if self.has_te else 0)  # T_e enters as t = T_e / te_scale_K and t^2
        self.nets = nn.ModuleList([mlp(n_in, list(config.hidden_widths)).double() for _ in range(n_species)])
        # normalisation, set from training data by ptmlp.training.normalization
        self.register_buffer("density_scale", torch.tensor(1.0, dtype=torch.float64))
        self.register_buffer("feat_mean", torch.zeros(n_species, n_feat, dtype=torch.float64))
        self.register_buffer("feat_std", torch.ones(n_species, n_feat, dtype=torch.float64))
        self.register_buffer("energy_scale", torch.tensor(1.0, dtype=torch.float64))
        self.register_buffer("e0", torch.zeros(n_species, dtype=torch.float64))
        self.use_zbl = bool(config.zbl)
        if config.zbl:
            from ase.data import atomic_numbers, covalent_radii
            zs = [atomic_numbers[n] for n in self.type_names]
            rc = [float(covalent_radii[z]) for z in zs]
        else:
            zs = [1] * n_species
            rc = [0.0] * n_species
        self.zbl = ZBLRepulsion(zs, rc, config.zbl_inner_cov_fraction, config.zbl_outer_cov_fraction)
        if config.dtype == "float32":
            self.float()

    def density(self, edge_vec: Tensor, edge_i: Tensor, edge_j: Tensor, species: Tensor, n_local: int) -> Tensor:
        """Scaled neighbour-density coefficients A [n_local, n_channels, (l_max+1)^2].

        On CPU the LAMMPS pair style evaluates the whole model (this, :meth:`energy_from_density`
        and the backward) in C++ (cpp/fused_v1*.cpp, cpp/net_v1.cpp); tests check that both
        paths agree to round-off."""
        r = torch.sqrt((edge_vec * edge_vec).sum(-1))
        unit = edge_vec / r.unsqueeze(-1)
        n_edges = r.shape[0]
        basis = self.bessel(r) * self.envelope(r).unsqueeze(-1)  # (E, n_radial)
        every = torch.mm(basis, self.mix.reshape(self.n_radial, -1))  # (E, S*Q) channels for every species
        every = every.reshape(n_edges, self.n_species, self.n_channels)
        s_j = species.index_select(0, edge_j)
        radial = torch.gather(every, 1, s_j.view(-1, 1, 1).expand(n_edges, 1, self.n_channels)).squeeze(1)
        return self.power.density(radial, self.sph(unit), edge_i, n_local) * self.density_scale

    def standardised(self, a: Tensor, s_i: Tensor) -> Tensor:
        feats = self.power.invariants(a)
        return (feats - self.feat_mean.index_select(0, s_i)) / self.feat_std.index_select(0, s_i)

    @torch.jit.export
    def descriptors(self, edge_vec: Tensor, edge_i: Tensor, edge_j: Tensor, species: Tensor,
                    n_local: int) -> Tensor:
        """Standardised per-atom features [n_local, n_features]."""
        return self.standardised(self.density(edge_vec, edge_i, edge_j, species, n_local), species[:n_local])

    def atomic_network(self, feats: Tensor, s_i: Tensor) -> Tensor:
        """Per-species networks on standardised features -> [n_local] (dimensionless)."""
        out = feats.new_zeros(feats.shape[0])
        for s, net in enumerate(self.nets):
            idx = torch.nonzero(s_i == s).squeeze(-1)
            if idx.numel() > 0:
                out = out.index_put((idx,), net(feats.index_select(0, idx)).squeeze(-1))
        return out

    @torch.jit.export
    def energy_from_density(self, a: Tensor, s_i: Tensor, t_e: Optional[Tensor] = None) -> Tensor:
        """Per-atom energy (eV, without the ZBL term) from density coefficients ``a`` of atoms of
        species ``s_i``; ``t_e`` as in :meth:`forward`."""
        n_local = a.shape[0]
        feats = self.standardised(a, s_i)
        if self.has_te:
            if t_e is None:
                raise RuntimeError("this ptmlp model needs the electronic temperature T_e (K)")
            t = t_e.to(feats.dtype) / self.te_scale_K
            if t.dim() == 0:
                t = t.expand(n_local)
            feats = torch.cat([feats, t.unsqueeze(1), (t * t).unsqueeze(1)], dim=1)
        elif t_e is not None:
            raise RuntimeError("this ptmlp model has no electronic-temperature input")
        return self.e0.index_select(0, s_i) + self.energy_scale * self.atomic_network(feats, s_i)

    def forward(self, edge_vec: Tensor, edge_i: Tensor, edge_j: Tensor, species: Tensor,
                n_local: int, t_e: Optional[Tensor] = None) -> Tensor:
        """Per-local-atom energy [n_local] in eV.

        edge_vec: (E, 3) r_ij = x_j - x_i in angstrom; edge_i, edge_j: (E,) int64 atom indices
        (edge_i < n_local); species: (N,) int64 model species of local+ghost atoms;
        t_e: electronic temperature in K, a scalar or (n_local,) per atom, for models with
        ``electronic_temperature``; None otherwise. The energy is then the electronic free energy
        and S_e = -dF/dT_e follows by autograd.
        """
        a = self.density(edge_vec, edge_i, edge_j, species, n_local)
        energy = self.energy_from_density(a, species[:n_local], t_e)
        if self.use_zbl:
            r = torch.sqrt((edge_vec * edge_vec).sum(-1))
            energy = energy + self.zbl(r, species.index_select(0, edge_i), species.index_select(0, edge_j),
                                       edge_i, n_local)
        return energy
