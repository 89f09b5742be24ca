"""ELF model: grid descriptor -> standardised features -> MLP (SiLU) -> sigmoid (TorchScript-compatible).

Forward contract of the exported file (mirrors the potentials' edge contract, design.md):
inputs are edge vectors grid point -> atom [E, 3] (A, float32), the edge's grid-point index
[E] (int64, sorted ascending) and the number of grid points; output is the ELF [n_points].
``from_features(features)`` and ``logit_from_features(features)`` are exported too.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from .descriptor import ElfDescriptor


class ElfModel(nn.Module):
    def __init__(self, descriptor: ElfDescriptor, hidden: list[int]):
        super().__init__()
        self.descriptor = descriptor
        self.r_cut = float(descriptor.r_cut)
        n_in = descriptor.n_features
        self.register_buffer("feature_mean", torch.zeros(n_in))
        self.register_buffer("feature_std", torch.ones(n_in))
        layers: list[nn.Module] = []
        width = n_in
        for h in hidden:
            layers += [nn.Linear(width, int(h)), nn.SiLU()]
            width = int(h)
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)
        self.hidden = [int(h) for h in hidden]

    def set_standardisation(self, mean: Tensor, std: Tensor) -> None:
        """Feature statistics of the training set only; tiny std values are floored."""
        self.feature_mean.copy_(mean.to(self.feature_mean.dtype))
        self.feature_std.copy_(torch.clamp(std.to(self.feature_std.dtype), min=1e-6))

    def architecture(self) -> dict[str, Any]:
        return {"name": "elf_mlp_v1", "hidden": self.hidden, "activation": "silu", "output": "sigmoid",
                "descriptor": self.descriptor.hyperparameters()}

    @torch.jit.export
    def logit_from_features(self, features: Tensor) -> Tensor:
        x = (features.to(self.feature_mean.dtype) - self.feature_mean) / self.feature_std
        return self.net(x).squeeze(-1)

    @torch.jit.export
    def from_features(self, features: Tensor) -> Tensor:
        return torch.sigmoid(self.logit_from_features(features))

    def forward(self, edge_vec: Tensor, centre: Tensor, n_points: int) -> Tensor:
        return self.from_features(self.descriptor(edge_vec.to(self.feature_mean.dtype), centre, n_points))
