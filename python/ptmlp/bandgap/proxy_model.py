"""The attention-based composition model that labels perturbed compositions (in the spirit of CrabNet,
Wang et al., npj Comput. Mater. 7, 77 (2021)):

- each element of a composition is a token: a linear map of its standardised Magpie properties
  (:data:`elements.MAGPIE_PROPERTIES`) plus a learned per-element embedding;
- its stoichiometry is added as CrabNet's fractional encoding: sinusoids of the fraction (first half
  of the width) and of 0.0025 (log2 fraction)^2 (second half);
- a small Transformer encoder lets the elements attend to each other;
- a residual network maps each element token to a contribution; the prediction is the fraction-weighted
  sum of the contributions (eV). Trained with the L1 loss.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .config import ProxyModelSettings, ProxySettings
from .elements import MAGPIE_PROPERTIES, Z_MAX, element_table

_RESOLUTION = 5000.0


def _standardised_properties() -> torch.Tensor:
    table = element_table()
    m = table.matrix(list(MAGPIE_PROPERTIES))[1:]
    m = (m - m.mean(0)) / np.where(m.std(0) > 0, m.std(0), 1.0)
    return torch.tensor(np.vstack([np.zeros((1, m.shape[1])), m]), dtype=torch.float32)


def _sinusoid(pos: torch.Tensor, width: int) -> torch.Tensor:
    """[..., width] sin/cos encoding of positions ``pos`` (CrabNet's, on a continuous position)."""
    i = torch.arange(0, width, 2, dtype=torch.float32)
    angle = pos.unsqueeze(-1) / torch.pow(50.0, i / width)
    out = torch.zeros(*pos.shape, width)
    out[..., 0::2] = torch.sin(angle)
    out[..., 1::2] = torch.cos(angle[..., : width // 2])
    return out


class _Residual(nn.Module):
    def __init__(self, d_in: int, widths: list[int]):
        super().__init__()
        dims = [d_in] + widths
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.skips = nn.ModuleList(nn.Identity() if a == b else nn.Linear(a, b, bias=False)
                                   for a, b in zip(dims[:-1], dims[1:]))
        self.act = nn.LeakyReLU()
        self.out = nn.Linear(dims[-1], 1)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        for lin, skip in zip(self.layers, self.skips):
            h = self.act(lin(h)) + skip(h)
        return self.out(h).squeeze(-1)


class AttentionGapModel(nn.Module):
    """Composition (atomic numbers [B, M], fractions [B, M]; 0 = padding) -> gap (eV) [B]."""

    def __init__(self, s: ProxyModelSettings):
        super().__init__()
        self.register_buffer("props", _standardised_properties())
        self.prop_map = nn.Linear(self.props.shape[1], s.d_model)
        self.embed = nn.Embedding(Z_MAX + 1, s.d_model, padding_idx=0)
        nn.init.normal_(self.embed.weight, std=0.02)
        with torch.no_grad():
            self.embed.weight[0].zero_()
        self.d_model = s.d_model
        layer = nn.TransformerEncoderLayer(s.d_model, s.heads, s.feedforward, s.dropout, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, s.layers, enable_nested_tensor=False)
        self.head = _Residual(s.d_model, [2 * s.d_model, s.d_model])

    def forward(self, z: torch.Tensor, frac: torch.Tensor) -> torch.Tensor:
        pad = z == 0
        half = self.d_model // 2
        f = frac.clamp(min=1.0 / _RESOLUTION, max=1.0)
        logf = (0.0025 * torch.log2(f) ** 2).clamp(max=1.0)
        enc = torch.cat([_sinusoid(f * _RESOLUTION, half), _sinusoid(logf * _RESOLUTION, half)], dim=-1)
        h = self.prop_map(self.props[z]) + self.embed(z) + enc
        h = self.encoder(h, src_key_padding_mask=pad)
        contrib = self.head(h).masked_fill(pad, 0.0)
        return (contrib * frac).sum(-1) / frac.sum(-1)


def train_model(z: np.ndarray, frac: np.ndarray, y: np.ndarray, s: ProxySettings, seed: int,
                threads: int) -> AttentionGapModel:
    """Fit on (compositions, gaps in eV): AdamW, one-cycle learning rate, L1 loss, fixed epochs;
    deterministic for a given seed and thread count."""
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = AttentionGapModel(s.model)
    zt, ft, yt = torch.as_tensor(z, dtype=torch.long), torch.as_tensor(frac, dtype=torch.float32), \
        torch.as_tensor(y, dtype=torch.float32)
    n = len(yt)
    steps_per_epoch = max(1, math.ceil(n / s.batch_size))
    opt = torch.optim.AdamW(model.parameters(), lr=s.learning_rate, weight_decay=s.weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=s.learning_rate, epochs=s.epochs,
                                                steps_per_epoch=steps_per_epoch)
    model.train()
    for _ in range(s.epochs):
        order = torch.randperm(n, generator=gen)
        for i in range(steps_per_epoch):
            idx = order[i * s.batch_size:(i + 1) * s.batch_size]
            loss = torch.nn.functional.l1_loss(model(zt[idx], ft[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    return model


@torch.no_grad()
def predict(model: AttentionGapModel, z: np.ndarray, frac: np.ndarray, batch: int = 4096) -> np.ndarray:
    """Gaps (eV, clipped at 0) of padded compositions."""
    model.eval()
    out = []
    for i in range(0, len(z), batch):
        zt = torch.as_tensor(z[i:i + batch], dtype=torch.long)
        ft = torch.as_tensor(frac[i:i + batch], dtype=torch.float32)
        out.append(model(zt, ft).numpy())
    return np.clip(np.concatenate(out) if out else np.zeros(0), 0.0, None).astype(float)
