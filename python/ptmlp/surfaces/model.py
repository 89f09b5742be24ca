"""The surface-emphasised multi-task crystal graph network (TorchScript-able).

Atom inputs: a learned element embedding, concatenated (surface embedding) with a flag that is 1
for atoms within ``surface_depth_A`` of either surface along the slab normal. Edges: Gaussian
expansion u_ij of the distance. Each convolution (Xie & Grossman 2018, eq. 5):
``v_i <- v_i + sum_j sigmoid(z_ij W_f + b_f) * softplus(z_ij W_s + b_s)``, ``z_ij = v_i + v_j + u_ij``
(concatenated); z W is evaluated as v_i W_i + v_j W_j + u_ij W_u, the same product without
building z; the v entering z and the pooling are layer-normalised (pre-norm residual updates, so
the sum over twelve neighbours cannot blow up the features layer after layer). Mean pooling over the atoms of each slab, one shared fully connected layer (the layer
GradNorm balances), one head per target. Outputs are in the targets' units (the standardisation
of the training targets is a buffer of the model).
"""

from __future__ import annotations

from typing import List

import torch
from torch import nn

#: atomic numbers 1..N_ELEMENTS-1 have an embedding row (row 0 unused)
N_ELEMENTS = 104


def surface_flags(depth_A: torch.Tensor, threshold_A: float) -> torch.Tensor:
    """1.0 for atoms within ``threshold_A`` (Å, 1e-6 Å slack) of either surface, else 0.0."""
    return (depth_A <= threshold_A + 1e-6).to(depth_A.dtype)


class GatedConvolution(nn.Module):
    def __init__(self, atom_dim: int, edge_dim: int):
        super().__init__()
        self.atom_dim = atom_dim
        self.norm = nn.LayerNorm(atom_dim)
        self.centre = nn.Linear(atom_dim, 2 * atom_dim)
        self.neighbour = nn.Linear(atom_dim, 2 * atom_dim, bias=False)
        self.edge = nn.Linear(edge_dim, 2 * atom_dim, bias=False)

    def forward(self, v: torch.Tensor, u: torch.Tensor, centre: torch.Tensor, neighbour: torch.Tensor) -> torch.Tensor:
        h = self.norm(v)
        z = self.centre(h)[centre] + self.neighbour(h)[neighbour] + self.edge(u)  # (n_edges, 2 * atom_dim)
        gate, core = z.split(self.atom_dim, dim=1)
        message = torch.sigmoid(gate) * nn.functional.softplus(core)
        return v + torch.zeros_like(v).index_add_(0, centre, message)


class SurfaceCGCNN(nn.Module):
    """``forward(numbers, depth_A, centre, neighbour, distance_A, graph_index, n_graphs)`` ->
    (n_graphs, n_targets) predictions in the targets' units."""

    def __init__(self, n_targets: int, embedding_dim: int = 64, conv_layers: int = 3, hidden_dim: int = 128,
                 head_hidden_layers: int = 0, radius_A: float = 12.0, gaussian_step_A: float = 0.2,
                 surface_embedding: bool = True, surface_depth_A: float = 2.0):
        super().__init__()
        self.n_targets = n_targets
        self.surface_embedding = surface_embedding
        self.surface_depth_A = surface_depth_A
        self.element_embedding = nn.Embedding(N_ELEMENTS, embedding_dim)
        self.atom_input = nn.Linear(embedding_dim + 1, embedding_dim)
        self.register_buffer("gaussian_centres_A", torch.arange(0.0, radius_A + gaussian_step_A / 2, gaussian_step_A))
        self.gaussian_width_A = gaussian_step_A
        self.convolutions = nn.ModuleList([GatedConvolution(embedding_dim, len(self.gaussian_centres_A))
                                           for _ in range(conv_layers)])
        self.out_norm = nn.LayerNorm(embedding_dim)
        self.shared = nn.Linear(embedding_dim, hidden_dim)  # the last shared layer (GradNorm)
        self.heads = nn.ModuleList()
        for _ in range(n_targets):
            layers: List[nn.Module] = []
            for _ in range(head_hidden_layers):
                layers += [nn.Linear(hidden_dim, hidden_dim), nn.Softplus()]
            layers.append(nn.Linear(hidden_dim, 1))
            self.heads.append(nn.Sequential(*layers))
        self.register_buffer("target_mean", torch.zeros(n_targets))
        self.register_buffer("target_std", torch.ones(n_targets))

    def atom_features(self, numbers: torch.Tensor, depth_A: torch.Tensor) -> torch.Tensor:
        flag = surface_flags(depth_A, self.surface_depth_A)
        if not self.surface_embedding:
            flag = torch.zeros_like(flag)
        return self.atom_input(torch.cat([self.element_embedding(numbers), flag.unsqueeze(1)], dim=1))

    def pooled(self, numbers: torch.Tensor, depth_A: torch.Tensor, centre: torch.Tensor, neighbour: torch.Tensor,
               distance_A: torch.Tensor, graph_index: torch.Tensor, n_graphs: int) -> torch.Tensor:
        """(n_graphs, hidden_dim) output of the shared layers."""
        v = self.atom_features(numbers, depth_A)
        u = torch.exp(-((distance_A.unsqueeze(1) - self.gaussian_centres_A) / self.gaussian_width_A) ** 2)
        for conv in self.convolutions:
            v = conv(v, u, centre, neighbour)
        v = self.out_norm(v)
        total = torch.zeros(n_graphs, v.shape[1], dtype=v.dtype, device=v.device).index_add_(0, graph_index, v)
        count = torch.zeros(n_graphs, dtype=v.dtype, device=v.device).index_add_(
            0, graph_index, torch.ones_like(graph_index, dtype=v.dtype))
        return nn.functional.softplus(self.shared(total / count.clamp(min=1.0).unsqueeze(1)))

    def normalised(self, numbers: torch.Tensor, depth_A: torch.Tensor, centre: torch.Tensor, neighbour: torch.Tensor,
                   distance_A: torch.Tensor, graph_index: torch.Tensor, n_graphs: int) -> torch.Tensor:
        """(n_graphs, n_targets) standardised predictions (what the loss sees)."""
        h = self.pooled(numbers, depth_A, centre, neighbour, distance_A, graph_index, n_graphs)
        return torch.cat([head(h) for head in self.heads], dim=1)

    def forward(self, numbers: torch.Tensor, depth_A: torch.Tensor, centre: torch.Tensor, neighbour: torch.Tensor,
                distance_A: torch.Tensor, graph_index: torch.Tensor, n_graphs: int) -> torch.Tensor:
        y = self.normalised(numbers, depth_A, centre, neighbour, distance_A, graph_index, n_graphs)
        return y * self.target_std + self.target_mean
