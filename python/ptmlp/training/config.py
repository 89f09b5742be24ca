"""Training configuration (``ptmlp train config.yaml``); every key documented, units in names."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import model_validator

from ..config import StrictModel, field
from ..config.types import InputFile, OutputPath
from ..data.splits import SplitFractions
from ..models.config import ModelConfig


class LossWeights(StrictModel):
    """Weights of the energy, force and virial terms of the loss."""

    energy: float = field(1.0, "weight of the energy term, per (eV/atom)^2", ge=0)
    force: float = field(1.0, "weight of the force term, per (eV/A)^2", ge=0)
    virial: float = field(0.1, "weight of the virial term, per (eV/atom)^2", ge=0)


_RAMP_START = {"energy": 0.02, "force": 1000.0, "virial": 0.02}


class TrainConfig(StrictModel):
    """Optimiser, schedule, task weighting, early stopping and checkpoints of one training run."""

    epochs: int = field(100, "passes over the training frames", ge=1)
    batch_frames: int = field(4, "frames per optimizer step", ge=1)
    lr: float = field(5e-3, "initial learning rate of AdamW", gt=0)
    lr_final: float = field(5e-5, "learning rate of the last epoch (<= lr)", gt=0)
    lr_schedule: Literal["exponential", "cosine"] = field("exponential", "decay from lr to lr_final over the epochs")
    weight_decay: float = field(0.0, "AdamW decoupled weight decay", ge=0)
    weighting: Literal["fixed", "ramp", "gradnorm"] = field(
        "fixed", "fixed: loss_weights; ramp: DeePMD-style pref = loss_weights + (ramp_start - loss_weights) * "
                 "lr / lr0; gradnorm: learned weights (Chen et al., ICML 2018)")
    loss_weights: LossWeights = field(default_factory=LossWeights, description="task weights (fixed; ramp limit)")
    ramp_start: LossWeights = field(default_factory=lambda: LossWeights(**_RAMP_START), examples=[_RAMP_START],
                                    description="task weights at the first epoch of the ramp weighting")
    gradnorm_alpha: float = field(1.5, "GradNorm asymmetry exponent", ge=0)
    gradnorm_lr: float = field(0.025, "learning rate of the GradNorm weights", gt=0)
    gradnorm_every_steps: int = field(4, "GradNorm weight update every this many optimizer steps", ge=1)
    early_stopping_patience_epochs: Optional[int] = field(30, "stop after this many epochs without validation "
                                                              "improvement (null: never)", ge=1)
    early_stopping_min_rel_improvement: float = field(1e-3, "an epoch improves only if the E+F validation RMSE "
                                                            "drops by this fraction", ge=0, lt=1)
    checkpoint_every_steps: int = field(50, "save the full state every this many optimizer steps", ge=1)
    max_time_s: Optional[float] = field(None, "wall-time budget of one member (s); stops at the end of the "
                                              "epoch that passes it", gt=0)
    seed: int = field(0, "random seed (ensemble member k uses seed + k)", ge=0)

    @model_validator(mode="after")
    def _lr_order(self) -> "TrainConfig":
        if self.lr_final > self.lr:
            raise ValueError(f"lr_final {self.lr_final:g} must be <= lr {self.lr:g}")
        return self


class RunConfig(StrictModel):
    """Dataset, split, model and training of ``ptmlp train`` (one model or an ensemble)."""

    dataset: InputFile = field(description="HDF5 dataset (ptmlp data import / ptmlp label)",
                               examples=["dataset.h5"])
    output_dir: OutputPath = field("train_run", "folder for split.json, checkpoints, model files and "
                                                "train_summary.json")
    split: Optional[InputFile] = field(None, "split JSON (ptmlp data split); default: computed from "
                                             "split_fractions")
    split_fractions: SplitFractions = field(default_factory=lambda: [0.8, 0.1, 0.1],
                                            description="train, validation, test fractions (sum 1)")
    split_by_group: bool = field(True, "whole groups (source trajectories) go to one split")
    model: ModelConfig = field(default_factory=ModelConfig, description="model hyper-parameters")
    training: TrainConfig = field(default_factory=TrainConfig, description="optimiser and schedule")
    ensemble: int = field(1, "members trained with seeds seed, seed+1, ...", ge=1)
    bootstrap: bool = field(False, "each member trains on a bootstrap resample of the training frames")
