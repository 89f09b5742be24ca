"""``ptmlp elf train``: fit an ELF model to stratified grid points of training snapshots.

Recipe (Wang et al., arXiv:2604.26445, as given in the issue): features standardised with
training statistics only; MLP 2 x 128 SiLU with sigmoid output; AdamW (lr 3e-4, weight decay
1e-6); Huber (smooth-L1) loss with beta 0.03 on the ELF; batch 4096; 80 epochs; seeded; grid
points per snapshot stratified to be roughly uniform in ELF. Validation uses *every* grid
point of the held-out snapshots (no stratification), as the paper's R^2.
"""

from __future__ import annotations

import fnmatch
import time
from typing import Callable

import numpy as np
import torch

from ..atomic import file_sha256
from ..errors import InputError
from ..jsonfile import write_json
from .config import TrainConfig
from .descriptor import ElfDescriptor
from .features import point_features
from .inference import predict_grid
from .metrics import snapshot_metrics
from .model import ElfModel
from .model_file import export_elf_model
from .sampling import stratified_indices
from .store import ElfDataset


def select_groups(groups: list[str], patterns: list[str]) -> list[int]:
    """Indices of snapshots whose group matches any pattern (fnmatch, e.g. ``fluid_*_run0``)."""
    if not patterns:
        return list(range(len(groups)))
    return [i for i, g in enumerate(groups) if any(fnmatch.fnmatchcase(g, p) for p in patterns)]


def split_snapshots(ds: ElfDataset, cfg: TrainConfig) -> tuple[list[int], list[int]]:
    groups = ds.index()["group"]
    val = select_groups(groups, cfg.validation_groups) if cfg.validation_groups else []
    train = [i for i in select_groups(groups, cfg.train_groups) if i not in set(val)]
    if not train:
        raise InputError(f"{cfg.dataset}: no training snapshots match train_groups {cfg.train_groups} "
                         f"(groups present: {sorted(set(groups))})")
    return train, val


def sample_training_points(grids, descriptor: ElfDescriptor, cfg: TrainConfig, rng: np.random.Generator
                           ) -> tuple[np.ndarray, np.ndarray]:
    """Stratified points of every snapshot -> (features [N, F] float32, ELF [N] float32)."""
    xs, ys = [], []
    for g in grids:
        idx = stratified_indices(g.elf, cfg.points_per_snapshot, cfg.elf_bins, rng)
        xs.append(point_features(descriptor, g.atoms.positions, g.atoms.cell.array, g.points_A(idx)))
        ys.append(g.elf.ravel()[idx])
    return np.concatenate(xs), np.concatenate(ys).astype(np.float32)


def fit(model: ElfModel, x: np.ndarray, y: np.ndarray, cfg: TrainConfig, log: Callable[[str], None],
        x_val: np.ndarray | None = None, y_val: np.ndarray | None = None) -> list[dict]:
    """AdamW + smooth-L1 on (x, y); standardisation set from x. Returns per-epoch history."""
    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    yt = torch.from_numpy(np.ascontiguousarray(y, dtype=np.float32))
    model.set_standardisation(xt.mean(0), xt.std(0))
    opt = torch.optim.AdamW(model.net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    gen = torch.Generator().manual_seed(cfg.seed)
    history = []
    xv = torch.from_numpy(x_val.astype(np.float32)) if x_val is not None and len(x_val) else None
    t0 = time.time()
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        perm = torch.randperm(len(xt), generator=gen)
        total = 0.0
        for start in range(0, len(xt), cfg.batch_size):
            b = perm[start:start + cfg.batch_size]
            loss = torch.nn.functional.smooth_l1_loss(model.from_features(xt[b]), yt[b], beta=cfg.huber_beta)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
        row = {"epoch": epoch, "train_loss": total / len(xt), "wall_s": round(time.time() - t0, 1)}
        if xv is not None:
            model.eval()
            with torch.no_grad():
                pv = model.from_features(xv).numpy()
            row["val_sample_rmse"] = float(np.sqrt(np.mean((pv - y_val) ** 2)))
        history.append(row)
        if epoch == 1 or epoch % 10 == 0 or epoch == cfg.epochs:
            log(f"epoch {epoch}: loss {row['train_loss']:.5f}"
                + (f", validation-sample RMSE {row['val_sample_rmse']:.4f}" if "val_sample_rmse" in row else "")
                + f" ({row['wall_s']} s)")
    model.eval()
    return history


def evaluate(model, grids, batch_points: int = 16384) -> tuple[list[np.ndarray], dict]:
    """Predict every grid point of each snapshot; metrics overall and per group."""
    preds = [predict_grid(model, g.atoms, g.shape, batch_points) for g in grids]
    out = {"all": snapshot_metrics(preds, [g.elf for g in grids])}
    for name in sorted({g.group for g in grids}):
        sel = [k for k, g in enumerate(grids) if g.group == name]
        out[name] = snapshot_metrics([preds[k] for k in sel], [grids[k].elf for k in sel])
    return preds, out


def train(cfg: TrainConfig, log: Callable[[str], None] = print) -> dict:
    """Train, validate and export; writes ``<output>``, ``<output>.train.json`` and a parity plot."""
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    rng = np.random.default_rng(cfg.seed)
    ds = ElfDataset(cfg.dataset)
    train_idx, val_idx = split_snapshots(ds, cfg)
    train_grids = ds.read(train_idx)
    species = sorted({s for g in train_grids for s in g.atoms.get_chemical_symbols()})
    if len(species) != 1:
        raise InputError(f"{cfg.dataset}: the ELF descriptor is single-species; training snapshots hold {species}")
    t0 = time.time()
    descriptor = ElfDescriptor(cfg.r_cut_A, cfg.n_radial, cfg.l_max, cfg.gaussian_width_A)
    model = ElfModel(descriptor, cfg.hidden)
    x, y = sample_training_points(train_grids, descriptor, cfg, rng)
    t_feat = time.time() - t0
    log(f"{len(train_grids)} training snapshots, {len(x)} stratified points, {x.shape[1]} features "
        f"({t_feat:.0f} s)")
    val_grids = ds.read(val_idx) if val_idx else []
    xv = yv = None
    if val_grids:
        vcfg = cfg.model_copy(update={"points_per_snapshot": 2000})
        xv, yv = sample_training_points(val_grids, descriptor, vcfg, np.random.default_rng(cfg.seed + 1))
    history = fit(model, x, y, cfg, log, xv, yv)
    t_fit = time.time() - t0 - t_feat
    summary: dict = {"config": cfg.to_dict(), "n_train_snapshots": len(train_grids), "n_train_points": int(len(x)),
                     "train_groups": sorted({g.group for g in train_grids}),
                     "validation_groups": sorted({g.group for g in val_grids}),
                     "features_wall_s": round(t_feat, 1), "fit_wall_s": round(t_fit, 1), "history": history}
    if val_grids:
        t1 = time.time()
        preds, metrics = evaluate(model, val_grids)
        summary["validation"] = metrics
        summary["validation_wall_s"] = round(time.time() - t1, 1)
        m = metrics["all"]
        log(f"validation ({len(val_grids)} snapshots, {m['n_points']} grid points): MAE {m['mae']:.4f} "
            f"+- {m['mae_err']:.4f}, RMSE {m['rmse']:.4f} +- {m['rmse_err']:.4f}, "
            f"R^2 {m['r2']:.4f} +- {m['r2_err']:.4f}")
        from .plots import parity_plot
        parity_plot(np.concatenate([p.ravel() for p in preds]), np.concatenate([g.elf.ravel() for g in val_grids]),
                    str(cfg.output) + ".parity.png", f"held-out snapshots ({len(val_grids)})", m)
    training_meta = {"dataset": str(cfg.dataset), "dataset_sha256": file_sha256(cfg.dataset),
                     "train_groups": summary["train_groups"], "validation_groups": summary["validation_groups"],
                     "n_train_points": int(len(x)), "seed": cfg.seed,
                     "recipe": {k: getattr(cfg, k) for k in ("epochs", "batch_size", "lr", "weight_decay",
                                                            "huber_beta", "points_per_snapshot", "elf_bins")}}
    if val_grids:
        training_meta["validation"] = {k: v for k, v in summary["validation"]["all"].items()}
    export_elf_model(model, cfg.output, species, training_meta)
    write_json(str(cfg.output) + ".train.json", summary)
    log(f"wrote {cfg.output} and {cfg.output}.train.json")
    return summary
