"""Training configuration (``ptmlp train config.yaml``); every key documented, units in names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..errors import InputError


@dataclass
class LossWeights:
    energy: float = 1.0  # per (eV/atom)^2
    force: float = 1.0  # per (eV/angstrom)^2
    virial: float = 0.1  # per (eV/atom)^2


@dataclass
class TrainConfig:
    epochs: int = 100
    batch_frames: int = 4
    lr: float = 5e-3
    lr_final: float = 5e-5
    lr_schedule: str = "exponential"  # exponential | cosine
    weight_decay: float = 0.0  # AdamW decoupled weight decay
    #: fixed: `loss_weights`; ramp: DeePMD-style pref = limit + (start - limit) * lr / lr0 with
    #: start = `ramp_start`, limit = `loss_weights`; gradnorm: learned weights (Chen et al., ICML 2018)
    weighting: str = "fixed"
    loss_weights: LossWeights = field(default_factory=LossWeights)
    ramp_start: LossWeights = field(default_factory=lambda: LossWeights(energy=0.02, force=1000.0, virial=0.02))
    gradnorm_alpha: float = 1.5
    gradnorm_lr: float = 0.025
    gradnorm_every_steps: int = 4
    early_stopping_patience_epochs: Optional[int] = 30
    #: an epoch counts as an improvement only if E+F validation RMSE drops by this fraction
    early_stopping_min_rel_improvement: float = 1e-3
    checkpoint_every_steps: int = 50
    max_time_s: Optional[float] = None
    seed: int = 0

    def validate(self) -> None:
        checks = [
            ("epochs", self.epochs >= 1, "an integer >= 1"),
            ("batch_frames", self.batch_frames >= 1, "an integer >= 1"),
            ("lr", self.lr > 0, "positive"),
            ("lr_final", 0 < self.lr_final <= self.lr, "positive and <= lr"),
            ("lr_schedule", self.lr_schedule in ("exponential", "cosine"), "exponential or cosine"),
            ("weight_decay", self.weight_decay >= 0, ">= 0"),
            ("weighting", self.weighting in ("fixed", "ramp", "gradnorm"), "fixed, ramp or gradnorm"),
            ("checkpoint_every_steps", self.checkpoint_every_steps >= 1, ">= 1"),
            ("gradnorm_every_steps", self.gradnorm_every_steps >= 1, ">= 1"),
        ]
        for name, ok, expected in checks:
            if not ok:
                raise InputError(f"training.{name}={getattr(self, name)!r} must be {expected}")
        for w in (self.loss_weights, self.ramp_start):
            if min(w.energy, w.force, w.virial) < 0:
                raise InputError(f"loss weights {w} must be >= 0")


@dataclass
class RunConfig:
    """Top level of ``ptmlp train`` YAML."""

    dataset: str = ""  # HDF5 dataset (ptmlp data import)
    output_dir: str = "train_run"
    split: Optional[str] = None  # split JSON (ptmlp data split); default: computed from the keys below
    split_fractions: list[float] = field(default_factory=lambda: [0.8, 0.1, 0.1])
    split_by_group: bool = True
    model: Optional[dict] = None  # ModelConfig keys; type_names default to the dataset's species
    training: TrainConfig = field(default_factory=TrainConfig)
    ensemble: int = 1  # members trained with seeds seed, seed+1, ...
    bootstrap: bool = False  # each member trains on a bootstrap resample of the training frames

    def validate(self) -> None:
        if not self.dataset:
            raise InputError("config key 'dataset' (path of the HDF5 dataset) is required")
        if self.ensemble < 1:
            raise InputError(f"ensemble={self.ensemble} must be >= 1")
        self.training.validate()
