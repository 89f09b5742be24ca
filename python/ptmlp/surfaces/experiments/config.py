"""Configs of the experiments (``ptmlp surfaces ablation|cv|depth-scan|transfer|wulff|embeddings``)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import model_validator

from ...config import StrictModel, field
from ...config.types import InputFile, InputPath, OutputPath
from ..config import DatasetSpec, GraphSettings, ModelSettings, TargetName, TrainingSettings

VARIANTS = ("single_task_surface_energy", "single_task_work_function", "multi_task_equal", "multi_task_gradnorm",
            "multi_task_surface_embedding", "full")
Variant = Literal["single_task_surface_energy", "single_task_work_function", "multi_task_equal",
                  "multi_task_gradnorm", "multi_task_surface_embedding", "full"]


class ExperimentBase(StrictModel):
    dataset: DatasetSpec = field(description="the slabs and their targets")
    graph: GraphSettings = field(default_factory=GraphSettings, description="crystal-graph construction")
    model: ModelSettings = field(default_factory=ModelSettings, description="architecture (shared by all runs; the "
                                 "experiment switches surface_embedding / surface_depth_A where it varies them)")
    training: TrainingSettings = field(default_factory=TrainingSettings, description="optimiser and split (the "
                                       "experiment switches weighting where it varies it)")
    seeds: list[int] = field(default_factory=lambda: [0, 1, 2], description="initial-weight seeds of the repeats",
                             min_length=1)
    output_dir: OutputPath = field("surfaces_experiment", "folder for runs/, summary.json and plots")


class AblationConfig(ExperimentBase):
    """Single-task models, multi-task equal weights, + GradNorm, + surface embedding, full method."""

    variants: list[Variant] = field(default_factory=lambda: list(VARIANTS), description="model variants to run",
                                    min_length=1)


class CrossValidationConfig(ExperimentBase):
    """k-fold cross-validation of the method given by model/training (default: the full method)."""

    folds: int = field(5, "number of folds (each is the test set once)", ge=2)
    fold_seed: int = field(0, "seed of the random assignment of slabs to folds", ge=0)


class DepthScanConfig(ExperimentBase):
    """Full method at several surface-depth thresholds."""

    depths_A: list[float] = field(default_factory=lambda: [0.0, 1.0, 2.0, 3.0, 4.0],
                                  description="surface-depth thresholds to scan (A)", min_length=1)


class TransferTarget(StrictModel):
    dataset: DatasetSpec = field(description="the data set fine-tuned on")
    targets: list[TargetName] = field(description="its targets", min_length=1,
                                      examples=[["surface_energy_eV_per_A2", "work_function_eV"]])


class TransferConfig(ExperimentBase):
    """Pre-train on ``dataset`` (or take ``pretrained_model``), fine-tune on each of ``targets`` at
    several training fractions with fixed validation and test sets, against training from scratch."""

    pretrained_model: Optional[InputFile] = field(None, "model file to fine-tune (null: pre-train the full method "
                                                        "on dataset with seed seeds[0])")
    targets: list[TransferTarget] = field(description="data sets to transfer to", min_length=1,
                                          examples=[[{"dataset": {"source": "surface_property2.tar.gz"},
                                                      "targets": ["surface_energy_eV_per_A2", "work_function_eV"]}]])
    fractions: list[float] = field(default_factory=lambda: [0.2, 0.3, 0.4, 0.5, 0.6],
                                   description="training fractions of each transfer set", min_length=1)
    validation_fraction: float = field(0.2, "fixed validation fraction", gt=0, lt=1)
    test_fraction: float = field(0.2, "fixed test fraction", gt=0, lt=1)
    fine_tune: TrainingSettings = field(default_factory=lambda: TrainingSettings(learning_rate=1e-3,
                                                                                 learning_rate_final=1e-4),
                                        description="optimiser of the fine-tuning and from-scratch runs")

    @model_validator(mode="after")
    def _fractions(self) -> "TransferConfig":
        top = 1.0 - self.validation_fraction - self.test_fraction
        if max(self.fractions) > top + 1e-9 or min(self.fractions) <= 0:
            raise ValueError(f"fractions {self.fractions} must lie in (0, {top:g}] (1 - validation - test)")
        return self


class WulffConfig(ExperimentBase):
    """Wulff-weighted surface energy and work function of each crystal, from DFT facet values and from
    predictions of models that never saw that crystal (compounds held out in group folds)."""

    group_folds: int = field(5, "compounds are split into this many groups, each held out once (set it to the "
                                "number of compounds for strict leave-one-compound-out)", ge=2)
    init_model: Optional[InputFile] = field(None, "fine-tune this model in every fold (null: from scratch)")
    max_plots: int = field(6, "Wulff-shape plots (DFT vs predicted) of this many crystals", ge=0)


class EmbeddingsConfig(StrictModel):
    """Pearson correlation matrix of a model's element embeddings, ordered by Mendeleev number."""

    model: InputFile = field(description="model file (.pt)", examples=["surfaces_train/model.pt"])
    output_dir: OutputPath = field("surfaces_embeddings", "folder for embeddings.json and the plot")


__all__ = ["AblationConfig", "CrossValidationConfig", "DepthScanConfig", "TransferConfig", "WulffConfig",
           "EmbeddingsConfig", "VARIANTS", "InputPath"]
