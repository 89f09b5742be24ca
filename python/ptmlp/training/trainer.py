"""Training on energies, forces and virials (Adam, cosine learning rate, best-on-validation).

Loss per batch = w_E <(dE/N)^2> + w_F <|dF|^2>/3 + w_W <(dW/N)^2>/9 with E in eV, F in eV/A,
W in eV; reported RMSEs are in meV/atom, meV/A and meV/atom.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np
import torch

from ..graph import Graph, atoms_to_graph, batch, evaluate
from ..data.frame import Frame
from .normalization import fit_normalization


@dataclass
class TrainConfig:
    epochs: int = 100
    batch_frames: int = 4
    lr: float = 5e-3
    lr_final: float = 5e-5
    weight_energy: float = 1.0
    weight_force: float = 1.0
    weight_virial: float = 0.1
    seed: int = 0
    max_time_s: Optional[float] = None  # stop after this wall time (best model is kept)


@dataclass
class _Batch:
    graph: Graph
    energy: torch.Tensor  # (F,)
    forces: torch.Tensor  # (N, 3)
    virial: torch.Tensor  # (F, 3, 3)
    has_virial: torch.Tensor  # (F,) bool
    n_atoms: torch.Tensor  # (F,)


def _make_batch(frames: Sequence[Frame], graphs: Sequence[Graph], dtype: torch.dtype) -> _Batch:
    g = batch(list(graphs)).to("cpu", dtype)
    vir = np.stack([f.virial_eV if f.virial_eV is not None else np.zeros((3, 3)) for f in frames])
    return _Batch(g, torch.tensor([f.energy_eV for f in frames], dtype=dtype),
                  torch.tensor(np.concatenate([f.forces_eV_per_A for f in frames]), dtype=dtype),
                  torch.tensor(vir, dtype=dtype),
                  torch.tensor([f.virial_eV is not None for f in frames]),
                  torch.tensor([len(f.atoms) for f in frames], dtype=dtype))


def _errors(model, b: _Batch, create_graph: bool):
    out = evaluate(model, b.graph, forces=True, virial=bool(b.has_virial.any()), create_graph=create_graph)
    de = (out["energy"] - b.energy) / b.n_atoms
    df = out["forces"] - b.forces
    if b.has_virial.any():
        dw = ((out["virial"] - b.virial) / b.n_atoms[:, None, None])[b.has_virial]
    else:
        dw = de.new_zeros((0, 3, 3))
    return de, df, dw


def rmse_report(model, batches: Sequence[_Batch]) -> dict[str, float]:
    """Energy, force and virial RMSE over batches (meV/atom, meV/A, meV/atom)."""
    se = sf = sw = 0.0
    ne = nf = nw = 0
    for b in batches:
        de, df, dw = _errors(model, b, create_graph=False)
        se += float((de.detach() ** 2).sum())
        sf += float((df.detach() ** 2).sum())
        sw += float((dw.detach() ** 2).sum())
        ne, nf, nw = ne + de.numel(), nf + df.numel(), nw + dw.numel()
    return {"energy_rmse_meV_per_atom": 1e3 * math.sqrt(se / max(ne, 1)),
            "force_rmse_meV_per_A": 1e3 * math.sqrt(sf / max(nf, 1)),
            "virial_rmse_meV_per_atom": 1e3 * math.sqrt(sw / max(nw, 1)) if nw else float("nan")}


def train(model: torch.nn.Module, train_frames: Sequence[Frame], val_frames: Sequence[Frame],
          config: TrainConfig, log: Callable[[str], None] = print) -> dict:
    """Fit normalisation on ``train_frames``, then train; ``model`` ends with the best validation
    weights. Returns {"history": [...], "best": {...}, "normalization": {...}}."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    dtype = model.e0.dtype
    r_cut, names = float(model.r_cut), list(model.type_names)
    train_graphs = [atoms_to_graph(f.atoms, names, r_cut) for f in train_frames]
    val_graphs = [atoms_to_graph(f.atoms, names, r_cut) for f in val_frames]
    norm = fit_normalization(model, train_graphs, [f.energy_eV for f in train_frames],
                             [f.forces_eV_per_A for f in train_frames])
    log(f"normalisation: {norm}")
    val_batches = [_make_batch(val_frames[k:k + 8], val_graphs[k:k + 8], dtype) for k in range(0, len(val_frames), 8)]
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    gamma = (config.lr_final / config.lr) ** (1.0 / max(config.epochs - 1, 1))
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma)
    best_score, best_state, best = float("inf"), copy.deepcopy(model.state_dict()), {}
    history = []
    start = time.monotonic()
    for epoch in range(config.epochs):
        model.train()
        order = rng.permutation(len(train_frames))
        for k in range(0, len(order), config.batch_frames):
            idx = order[k:k + config.batch_frames]
            b = _make_batch([train_frames[i] for i in idx], [train_graphs[i] for i in idx], dtype)
            de, df, dw = _errors(model, b, create_graph=True)
            loss = config.weight_energy * (de ** 2).mean() + config.weight_force * (df ** 2).mean()
            if dw.numel():
                loss = loss + config.weight_virial * (dw ** 2).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        sched.step()
        model.eval()
        report = rmse_report(model, val_batches)
        report.update(epoch=epoch + 1, lr=opt.param_groups[0]["lr"], wall_s=time.monotonic() - start)
        history.append(report)
        score = report["energy_rmse_meV_per_atom"] + report["force_rmse_meV_per_A"]
        if score < best_score:
            best_score, best_state, best = score, copy.deepcopy(model.state_dict()), dict(report)
        log(f"epoch {epoch + 1:4d}  val E {report['energy_rmse_meV_per_atom']:8.2f} meV/atom  "
            f"F {report['force_rmse_meV_per_A']:8.1f} meV/A  W {report['virial_rmse_meV_per_atom']:8.2f} meV/atom  "
            f"lr {report['lr']:.1e}  {report['wall_s']:.0f} s")
        if config.max_time_s is not None and time.monotonic() - start > config.max_time_s:
            log(f"stopping at epoch {epoch + 1}: wall-time budget {config.max_time_s} s reached")
            break
    model.load_state_dict(best_state)
    return {"history": history, "best": best, "normalization": norm}
