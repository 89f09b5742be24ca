"""Training on energies, forces and virials: AdamW, learning-rate schedule, task weighting
(fixed / ramp / GradNorm), early stopping, atomic checkpoints and bit-for-bit ``resume``.

Loss = w_E <(dE/N)^2> + w_F <dF^2> + w_W <(dW/N)^2>, with E in eV, F in eV/A, W in eV;
reported RMSEs are in meV/atom, meV/A and meV/atom.
"""

from __future__ import annotations

import copy
import math
import os
import time
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np
import torch

from ..atomic import atomic_open
from ..data.frame import Frame
from ..errors import InputError
from ..graph import Graph, atoms_to_graph, batch, evaluate
from .config import TrainConfig
from .normalization import fit_normalization
from .weighting import TaskWeights


@dataclass
class Batch:
    graph: Graph
    energy: torch.Tensor  # (F,) eV
    forces: torch.Tensor  # (N, 3) eV/A
    virial: torch.Tensor  # (F, 3, 3) eV
    has_virial: torch.Tensor  # (F,) bool
    n_atoms: torch.Tensor  # (F,)


def make_batch(frames: Sequence[Frame], graphs: Sequence[Graph], dtype: torch.dtype) -> Batch:
    g = batch(list(graphs)).to("cpu", dtype)
    vir = np.stack([f.virial_eV if f.virial_eV is not None else np.zeros((3, 3)) for f in frames])
    return Batch(g, torch.tensor([f.energy_eV for f in frames], dtype=dtype),
                 torch.tensor(np.concatenate([f.forces_eV_per_A for f in frames]), dtype=dtype),
                 torch.tensor(vir, dtype=dtype),
                 torch.tensor([f.virial_eV is not None for f in frames]),
                 torch.tensor([len(f.atoms) for f in frames], dtype=dtype))


def batch_errors(model, b: Batch, create_graph: bool):
    """(dE/N (F,), dF (N,3), dW/N (F_with_virial,3,3)) of model minus labels."""
    out = evaluate(model, b.graph, forces=True, virial=bool(b.has_virial.any()), create_graph=create_graph)
    de = (out["energy"] - b.energy) / b.n_atoms
    df = out["forces"] - b.forces
    if b.has_virial.any():
        dw = ((out["virial"] - b.virial) / b.n_atoms[:, None, None])[b.has_virial]
    else:
        dw = de.new_zeros((0, 3, 3))
    return de, df, dw


def rmse_report(model, batches: Sequence[Batch]) -> dict[str, float]:
    """Energy, force and virial RMSE over batches (meV/atom, meV/A, meV/atom)."""
    se = sf = sw = 0.0
    ne = nf = nw = 0
    for b in batches:
        de, df, dw = batch_errors(model, b, create_graph=False)
        se += float((de.detach() ** 2).sum())
        sf += float((df.detach() ** 2).sum())
        sw += float((dw.detach() ** 2).sum())
        ne, nf, nw = ne + de.numel(), nf + df.numel(), nw + dw.numel()
    return {"energy_rmse_meV_per_atom": 1e3 * math.sqrt(se / max(ne, 1)),
            "force_rmse_meV_per_A": 1e3 * math.sqrt(sf / max(nf, 1)),
            "virial_rmse_meV_per_atom": 1e3 * math.sqrt(sw / max(nw, 1)) if nw else float("nan")}


def lr_at(config: TrainConfig, epoch: int) -> float:
    frac = epoch / max(config.epochs - 1, 1)
    if config.lr_schedule == "cosine":
        return config.lr_final + 0.5 * (config.lr - config.lr_final) * (1 + math.cos(math.pi * frac))
    return config.lr * (config.lr_final / config.lr) ** frac


class Trainer:
    """Train ``model`` on frames; ``run()`` returns {"history", "best", "normalization", ...}.

    With ``checkpoint_path`` the full state is saved every ``checkpoint_every_steps`` optimizer
    steps and at each epoch end; ``resume=True`` continues from it exactly where it stopped.
    """

    def __init__(self, model: torch.nn.Module, train_frames: Sequence[Frame], val_frames: Sequence[Frame],
                 config: TrainConfig, checkpoint_path: Optional[str] = None,
                 log: Callable[[str], None] = print):
        self.model, self.config, self.log = model, config, log
        self.train_frames, self.val_frames = list(train_frames), list(val_frames)
        self.checkpoint_path = checkpoint_path
        self.dtype = model.e0.dtype
        names, r_cut = list(model.type_names), float(model.r_cut)
        has_te = bool(getattr(model, "has_te", False))
        if has_te:
            missing = [k for k, f in enumerate(self.train_frames + self.val_frames) if not f.te_K > 0]
            if missing:
                raise InputError(f"{len(missing)} frames have no electronic temperature (te_K) but the model takes "
                                 "T_e as input; label them with T_e or import with --te-K")
        t0 = time.monotonic()
        self.train_graphs = [atoms_to_graph(f.atoms, names, r_cut, f.te_K if has_te else None)
                             for f in self.train_frames]
        self.val_graphs = [atoms_to_graph(f.atoms, names, r_cut, f.te_K if has_te else None)
                           for f in self.val_frames]
        self.graph_s = time.monotonic() - t0
        self.val_batches = [make_batch(self.val_frames[k:k + 8], self.val_graphs[k:k + 8], self.dtype)
                            for k in range(0, len(self.val_frames), 8)]
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        self.weights = TaskWeights(config, self.dtype)
        self.state = {"epoch": 0, "step_in_epoch": 0, "global_step": 0, "history": [], "best_score": math.inf,
                      "best": {}, "best_state": None, "epochs_since_best": 0, "wall_s": 0.0, "normalization": {},
                      "frames_trained": 0, "stopped": ""}

    # ---- checkpoints -------------------------------------------------------------
    def save_checkpoint(self) -> None:
        if self.checkpoint_path:
            with atomic_open(self.checkpoint_path, "wb") as fh:
                torch.save({"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                            "weights": self.weights.state_dict(), "state": self.state,
                            "torch_rng": torch.get_rng_state()}, fh)

    def load_checkpoint(self) -> bool:
        if not self.checkpoint_path or not os.path.exists(self.checkpoint_path):
            return False
        ck = torch.load(self.checkpoint_path, weights_only=False)
        self.model.load_state_dict(ck["model"])
        self.optimizer.load_state_dict(ck["optimizer"])
        self.weights.load_state_dict(ck["weights"])
        self.state = ck["state"]
        torch.set_rng_state(ck["torch_rng"])
        return True

    # ---- training ----------------------------------------------------------------
    def run(self, resume: bool = False) -> dict:
        cfg = self.config
        if resume and self.load_checkpoint():
            st = self.state
            self.log(f"resuming at epoch {st['epoch'] + 1}, step {st['step_in_epoch']} of that epoch")
        else:
            st = self.state
            torch.manual_seed(cfg.seed)
            st["normalization"] = fit_normalization(
                self.model, self.train_graphs, [f.energy_eV for f in self.train_frames],
                [f.forces_eV_per_A for f in self.train_frames])
            self.log(f"normalisation: {st['normalization']}")
        start = time.monotonic() - st["wall_s"]
        n_batches = math.ceil(len(self.train_frames) / cfg.batch_frames)
        while st["epoch"] < cfg.epochs and not st["stopped"]:
            epoch = st["epoch"]
            lr = lr_at(cfg, epoch)
            for group in self.optimizer.param_groups:
                group["lr"] = lr
            order = np.random.default_rng([cfg.seed, epoch]).permutation(len(self.train_frames))
            self.model.train()
            for step in range(st["step_in_epoch"], n_batches):
                idx = order[step * cfg.batch_frames:(step + 1) * cfg.batch_frames]
                self._step([self.train_frames[i] for i in idx], [self.train_graphs[i] for i in idx], lr)
                st["step_in_epoch"] = step + 1
                st["global_step"] += 1
                st["frames_trained"] += len(idx)
                if st["global_step"] % cfg.checkpoint_every_steps == 0:
                    st["wall_s"] = time.monotonic() - start
                    self.save_checkpoint()
            st["wall_s"] = time.monotonic() - start
            self._end_epoch(epoch, lr)
            st["epoch"], st["step_in_epoch"] = epoch + 1, 0
            if cfg.max_time_s is not None and st["wall_s"] > cfg.max_time_s and not st["stopped"]:
                st["stopped"] = f"wall-time budget {cfg.max_time_s} s reached at epoch {epoch + 1}"
            self.save_checkpoint()
        if st["stopped"]:
            self.log(f"stopped: {st['stopped']}")
        if st["best_state"] is not None:
            self.model.load_state_dict(st["best_state"])
        return {"history": st["history"], "best": st["best"], "normalization": st["normalization"],
                "stopped": st["stopped"] or f"completed {cfg.epochs} epochs",
                "frames_per_s": st["frames_trained"] / max(st["wall_s"], 1e-9), "graph_build_s": self.graph_s}

    def _step(self, frames, graphs, lr: float) -> None:
        b = make_batch(frames, graphs, self.dtype)
        de, df, dw = batch_errors(self.model, b, create_graph=True)
        zero = de.new_zeros(())
        losses = torch.stack([(de ** 2).mean(), (df ** 2).mean(), (dw ** 2).mean() if dw.numel() else zero])
        present = torch.tensor([True, True, dw.numel() > 0])
        if self.config.weighting == "gradnorm" and self.state["global_step"] % self.config.gradnorm_every_steps == 0:
            self.weights.gradnorm_update(losses, present, self.model.mix)
        w = self.weights.current(lr)
        loss = (w * losses * present).sum()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()

    def _end_epoch(self, epoch: int, lr: float) -> None:
        st, cfg = self.state, self.config
        self.model.eval()
        report = rmse_report(self.model, self.val_batches)
        w = self.weights.current(lr)
        report.update(epoch=epoch + 1, lr=lr, wall_s=st["wall_s"],
                      weight_energy=float(w[0]), weight_force=float(w[1]), weight_virial=float(w[2]))
        st["history"].append(report)
        score = report["energy_rmse_meV_per_atom"] + report["force_rmse_meV_per_A"]
        if score < st["best_score"]:
            improved = score < st["best_score"] * (1.0 - cfg.early_stopping_min_rel_improvement)
            st["best_score"], st["best"] = score, dict(report)
            st["best_state"] = copy.deepcopy(self.model.state_dict())
            st["epochs_since_best"] = 0 if improved else st["epochs_since_best"] + 1
        else:
            st["epochs_since_best"] += 1
        self.log(f"epoch {epoch + 1:4d}  val E {report['energy_rmse_meV_per_atom']:8.2f} meV/atom  "
                 f"F {report['force_rmse_meV_per_A']:8.1f} meV/A  W {report['virial_rmse_meV_per_atom']:8.2f} "
                 f"meV/atom  lr {lr:.1e}  w {float(w[0]):.2g}/{float(w[1]):.2g}/{float(w[2]):.2g}  "
                 f"{st['wall_s']:.0f} s")
        patience = cfg.early_stopping_patience_epochs
        if patience is not None and st["epochs_since_best"] >= patience:
            st["stopped"] = f"early stopping: no validation improvement for {patience} epochs"


def train(model: torch.nn.Module, train_frames: Sequence[Frame], val_frames: Sequence[Frame],
          config: TrainConfig, log: Callable[[str], None] = print, checkpoint_path: Optional[str] = None,
          resume: bool = False) -> dict:
    """Convenience wrapper: ``Trainer(...).run(resume)``; ``model`` ends with the best weights."""
    return Trainer(model, train_frames, val_frames, config, checkpoint_path, log).run(resume)
