"""Training one network: masked per-target MSE on standardised targets, equal or GradNorm task
weights (``ptmlp.training.weighting.GradNorm`` on the shared layer), Adam with exponential
learning-rate decay, early stopping on the validation loss, checkpoints every epoch (resumable)."""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np
import torch

from ..training.weighting import GradNorm
from .batching import GraphBatch, collate
from .config import TrainingSettings
from .dataset import SurfaceDataset
from .model import SurfaceCGCNN


@dataclass
class TrainResult:
    model: SurfaceCGCNN  # with the weights of the best validation epoch
    history: list[dict] = field(default_factory=list)  # per epoch: losses, task weights, lr, time
    best_epoch: int = 0
    stopped: str = ""
    time_s: float = 0.0


def fit_standardisation(model: SurfaceCGCNN, values: np.ndarray) -> None:
    """Target mean and spread of the training values (columns without data keep 0 and 1)."""
    mean = np.zeros(values.shape[1])
    std = np.ones(values.shape[1])
    for k in range(values.shape[1]):
        col = values[:, k][np.isfinite(values[:, k])]
        if len(col):
            mean[k] = col.mean()
            std[k] = col.std() if len(col) > 1 and col.std() > 0 else 1.0
    model.target_mean.copy_(torch.tensor(mean, dtype=model.target_mean.dtype))
    model.target_std.copy_(torch.tensor(std, dtype=model.target_std.dtype))


def task_losses(model: SurfaceCGCNN, batch: GraphBatch, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(per-target MSE of the standardised values over the slabs that have the target, present mask)."""
    pred = model.normalised(*batch.inputs())
    z = (y - model.target_mean) / model.target_std
    mask = torch.isfinite(z)
    diff = torch.where(mask, pred - torch.nan_to_num(z), torch.zeros_like(pred))
    count = mask.sum(0)
    losses = (diff * diff).sum(0) / count.clamp(min=1)
    return losses, count > 0


def _batches(n: int, size: int, rng: Optional[np.random.Generator]) -> list[np.ndarray]:
    order = rng.permutation(n) if rng is not None else np.arange(n)
    return [order[i:i + size] for i in range(0, n, size)]


def validation_loss(model: SurfaceCGCNN, data: SurfaceDataset, targets: Sequence[str], batch_slabs: int
                    ) -> np.ndarray:
    """Per-target standardised MSE on ``data`` (NaN for targets it lacks)."""
    values = data.targets(targets)
    sums, counts = np.zeros(len(targets)), np.zeros(len(targets))
    model.eval()
    with torch.no_grad():
        for idx in _batches(len(data), batch_slabs, None):
            batch = collate([data.graphs[i] for i in idx])
            losses, present = task_losses(model, batch, torch.tensor(values[idx], dtype=torch.float32))
            n = np.isfinite(values[idx]).sum(0)
            sums += losses.numpy() * n
            counts += n
    with np.errstate(invalid="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def train_model(model: SurfaceCGCNN, train: SurfaceDataset, val: SurfaceDataset, targets: Sequence[str],
                settings: TrainingSettings, checkpoint: Optional[Path] = None, resume: bool = False,
                standardise: bool = True, log: Callable[[str], None] = lambda s: None) -> TrainResult:
    """Train ``model`` (in place; it ends with its best validation weights)."""
    torch.set_num_threads(settings.threads)
    torch.manual_seed(settings.seed)
    y_train = train.targets(targets)
    if standardise:
        fit_standardisation(model, y_train)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay)
    gradnorm = GradNorm(len(targets), settings.gradnorm_alpha, settings.gradnorm_lr, torch.float32)
    rng = np.random.default_rng(settings.seed)
    state = {"epoch": 0, "best": math.inf, "best_epoch": 0, "since_best": 0, "history": []}
    best_weights = copy.deepcopy(model.state_dict())
    if resume and checkpoint is not None and checkpoint.is_file():
        ck = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(ck["model"])
        optimizer.load_state_dict(ck["optimizer"])
        gradnorm.load_state_dict(ck["gradnorm"])
        rng.bit_generator.state = ck["rng"]
        torch.set_rng_state(ck["torch_rng"])
        state, best_weights = ck["state"], ck["best_weights"]
        log(f"resumed from {checkpoint} after epoch {state['epoch']}")
    decay = (settings.learning_rate_final / settings.learning_rate) ** (1.0 / max(settings.epochs - 1, 1))
    t0 = time.time()
    stopped = "epochs done"
    for epoch in range(state["epoch"], settings.epochs):
        lr = settings.learning_rate * decay ** epoch
        for g in optimizer.param_groups:
            g["lr"] = lr
        model.train()
        sums, counts = np.zeros(len(targets)), np.zeros(len(targets))
        for idx in _batches(len(train), settings.batch_slabs, rng):
            batch = collate([train.graphs[i] for i in idx])
            y = torch.tensor(y_train[idx], dtype=torch.float32)
            losses, present = task_losses(model, batch, y)
            if settings.weighting == "gradnorm":
                gradnorm.update(losses, present, model.shared.weight)
            weights = gradnorm.w if settings.weighting == "gradnorm" else torch.ones(len(targets))
            total = (weights.detach() * losses).sum()
            optimizer.zero_grad()
            total.backward()
            optimizer.step()
            n = np.isfinite(y_train[idx]).sum(0)
            sums += losses.detach().numpy() * n
            counts += n
        val_losses = validation_loss(model, val, targets, settings.batch_slabs)
        score = float(np.nanmean(val_losses)) if np.isfinite(val_losses).any() else float(np.nanmean(
            sums / np.maximum(counts, 1)))
        with np.errstate(invalid="ignore"):
            train_losses = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
        row = {"epoch": epoch + 1, "lr": lr, "time_s": time.time() - t0,
               "train_loss": dict(zip(targets, train_losses.tolist())),
               "validation_loss": dict(zip(targets, val_losses.tolist())),
               "task_weights": dict(zip(targets, gradnorm.w.tolist() if settings.weighting == "gradnorm"
                                        else [1.0] * len(targets)))}
        state["history"].append(row)
        state["epoch"] = epoch + 1
        if score < state["best"]:
            state.update(best=score, best_epoch=epoch + 1, since_best=0)
            best_weights = copy.deepcopy(model.state_dict())
        else:
            state["since_best"] += 1
        log(f"epoch {epoch + 1:4d}  lr {lr:.2e}  train {np.nanmean(train_losses):.4f}  validation {score:.4f}  "
            f"weights {' '.join(f'{w:.3f}' for w in row['task_weights'].values())}")
        if checkpoint is not None:
            _save_checkpoint(checkpoint, model, optimizer, gradnorm, rng, state, best_weights)
        patience = settings.early_stopping_patience_epochs
        if patience is not None and state["since_best"] >= patience:
            stopped = f"early stopping: no validation improvement in {patience} epochs"
            break
        if settings.max_time_s is not None and time.time() - t0 > settings.max_time_s:
            stopped = f"time budget {settings.max_time_s:g} s reached"
            break
    model.load_state_dict(best_weights)
    model.eval()
    return TrainResult(model, state["history"], state["best_epoch"], stopped, time.time() - t0)


def _save_checkpoint(path: Path, model, optimizer, gradnorm, rng, state, best_weights) -> None:
    from ..atomic import atomic_open

    with atomic_open(path, "wb") as fh:
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "gradnorm": gradnorm.state_dict(), "rng": rng.bit_generator.state,
                    "torch_rng": torch.get_rng_state(), "state": state, "best_weights": best_weights}, fh)
