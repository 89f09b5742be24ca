"""Typed configs of ``ptmlp surfaces ...`` (every key documented, units in the names)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import model_validator

from ..config import StrictModel, field
from ..config.types import InputFile, InputPath, OutputPath
from ..data.splits import fractions_problem

#: unit of each known target (the unit is also in the name)
TARGET_UNITS = {"surface_energy_eV_per_A2": "eV/A^2", "work_function_eV": "eV"}
TargetName = Literal["surface_energy_eV_per_A2", "work_function_eV"]
DEFAULT_CACHE = "~/.cache/ptmlp/surfaces"


class DatasetSpec(StrictModel):
    """A folder (or .tar.gz of one) with ``id_prop.csv`` (id, value, ...) and one ``<id>.cif`` per slab."""

    source: InputPath = field(description="dataset folder, or a .tar.gz holding one (unpacked into cache_dir)",
                              examples=["../shared/data/surfaces/surface_property1.tar.gz"])
    columns: list[TargetName] = field(default_factory=lambda: ["surface_energy_eV_per_A2", "work_function_eV"],
                                      description="what the value columns of id_prop.csv hold, in order",
                                      min_length=1)
    id_prop: str = field("id_prop.csv", "name of the id/value CSV file inside the folder")
    max_slabs: Optional[int] = field(None, "use only this many slabs (a random subset drawn with subset_seed; "
                                           "null: all)", ge=2)
    subset_seed: int = field(0, "seed of the random subset of max_slabs", ge=0)
    cache_dir: str = field(DEFAULT_CACHE, "folder for unpacked archives and crystal-graph caches")

    @model_validator(mode="after")
    def _unique(self) -> "DatasetSpec":
        if len(set(self.columns)) != len(self.columns):
            raise ValueError(f"columns {self.columns} repeat a name")
        return self


class GraphSettings(StrictModel):
    """How a slab becomes a crystal graph."""

    max_neighbours: int = field(12, "neighbours per atom (the nearest; ties with the last are kept)", ge=1)
    radius_A: float = field(12.0, "neighbours are searched within this distance (A)", gt=0)
    min_vacuum_A: float = field(5.0, "a gap of at least this (A) along exactly one lattice direction makes a slab",
                                gt=0)


class ModelSettings(StrictModel):
    """Architecture of the network."""

    embedding_dim: int = field(64, "width of the element embedding and of the atom features", ge=1)
    conv_layers: int = field(3, "gated graph convolutions", ge=0)
    hidden_dim: int = field(128, "width of the shared fully connected layer after pooling", ge=1)
    head_hidden_layers: int = field(0, "hidden layers of each property head", ge=0)
    gaussian_step_A: float = field(0.2, "spacing and width of the Gaussian distance expansion (A)", gt=0)
    surface_embedding: bool = field(True, "concatenate the surface-atom flag to every atom's input")
    surface_depth_A: float = field(2.0, "atoms within this depth (A) of either surface are flagged", ge=0)


class TrainingSettings(StrictModel):
    """Optimiser, task weighting, early stopping, split and seeds."""

    epochs: int = field(100, "passes over the training slabs", ge=1)
    batch_slabs: int = field(64, "slabs per optimizer step", ge=1)
    learning_rate: float = field(3e-3, "initial learning rate of Adam", gt=0)
    learning_rate_final: float = field(3e-4, "learning rate of the last epoch (exponential decay)", gt=0)
    weight_decay: float = field(0.0, "Adam L2 weight decay", ge=0)
    weighting: Literal["equal", "gradnorm"] = field("gradnorm", "task weights: equal (fixed 1) or GradNorm "
                                                                "(Chen et al., ICML 2018)")
    gradnorm_alpha: float = field(1.5, "GradNorm asymmetry exponent alpha", ge=0)
    gradnorm_lr: float = field(0.025, "learning rate of the GradNorm weights", gt=0)
    early_stopping_patience_epochs: Optional[int] = field(20, "stop after this many epochs without validation "
                                                              "improvement (null: never)", ge=1)
    split_fractions: list[float] = field(default_factory=lambda: [0.6, 0.2, 0.2],
                                         description="train, validation, test fractions (sum 1)",
                                         min_length=3, max_length=3)
    split_seed: int = field(0, "seed of the random train/validation/test split", ge=0)
    seed: int = field(0, "seed of the initial weights and of the batch order", ge=0)
    threads: int = field(1, "torch CPU threads", ge=1)
    max_time_s: Optional[float] = field(None, "wall-time budget (s); stops after the epoch that passes it", gt=0)

    @model_validator(mode="after")
    def _checks(self) -> "TrainingSettings":
        problem = fractions_problem(self.split_fractions)
        if problem:
            raise ValueError(f"split_fractions {problem}")
        if self.learning_rate_final > self.learning_rate:
            raise ValueError(f"learning_rate_final {self.learning_rate_final:g} must be <= learning_rate "
                             f"{self.learning_rate:g}")
        return self


class TrainConfig(StrictModel):
    """``ptmlp surfaces train``: one model (or a seed ensemble) on one dataset."""

    dataset: DatasetSpec = field(description="the slabs and their targets")
    targets: list[TargetName] = field(default_factory=lambda: ["surface_energy_eV_per_A2", "work_function_eV"],
                                      description="properties the model predicts (one head each)", min_length=1)
    graph: GraphSettings = field(default_factory=GraphSettings, description="crystal-graph construction")
    model: ModelSettings = field(default_factory=ModelSettings, description="architecture")
    training: TrainingSettings = field(default_factory=TrainingSettings, description="optimiser and split")
    init_model: Optional[InputFile] = field(None, "fine-tune this model file (.pt) instead of starting from "
                                                  "random weights; its architecture and graph settings are used")
    ensemble: int = field(1, "members trained with seeds seed, seed+1, ... (mean and spread = the uncertainty)",
                          ge=1)
    output_dir: OutputPath = field("surfaces_train", "folder for models, checkpoints, split, summary and plots")

    @model_validator(mode="after")
    def _checks(self) -> "TrainConfig":
        if len(set(self.targets)) != len(self.targets):
            raise ValueError(f"targets {self.targets} repeat a name")
        if self.init_model is not None and ({"model", "graph"} & self.model_fields_set):
            raise ValueError("with init_model the architecture and graph settings come from the model file: "
                             "remove the model and graph sections")
        return self


class TestConfig(StrictModel):
    """``ptmlp surfaces test``: errors of one model or an ensemble on a dataset."""

    models: list[InputFile] = field(description="model files (.pt); several = a seed ensemble", min_length=1,
                                    examples=[["surfaces_train/model.pt"]])
    dataset: DatasetSpec = field(description="the slabs and their reference values")
    split_file: Optional[InputFile] = field(None, "split.json of the training run: test on its test slabs and "
                                                  "calibrate the ensemble spread on its validation slabs "
                                                  "(null: every slab)")
    output_dir: OutputPath = field("surfaces_test", "folder for test_summary.json, predictions and plots")
    threads: int = field(1, "torch CPU threads", ge=1)


class SlabEnumeration(StrictModel):
    """Low-index slabs of a bulk crystal (pymatgen SlabGenerator)."""

    max_miller_index: int = field(1, "largest Miller index of the facets", ge=1, le=3)
    min_slab_A: float = field(10.0, "minimum slab thickness (A)", gt=0)
    vacuum_A: float = field(15.0, "vacuum between periodic images of the slab (A)", gt=0)
    max_atoms: int = field(300, "skip slabs with more atoms than this", ge=1)


class PredictConfig(StrictModel):
    """``ptmlp surfaces predict``: properties (with uncertainties) of slabs, or of the low-index facets of
    bulk crystals with their Wulff-shape averages."""

    models: list[InputFile] = field(description="model files (.pt); several = a seed ensemble", min_length=1,
                                    examples=[["surfaces_train/model.pt"]])
    slabs: list[InputFile] = field(default_factory=list, description="slab structure files (CIF, POSCAR, ...)",
                                   examples=[["slab.cif"]])
    bulk: list[InputFile] = field(default_factory=list, description="bulk crystal files: their low-index slabs "
                                                                    "are enumerated and predicted")
    enumeration: SlabEnumeration = field(default_factory=SlabEnumeration, description="slabs of the bulk crystals")
    sigma_scale: float = field(1.0, "multiply the ensemble spread by this (calibration.sigma_scale of ptmlp "
                                    "surfaces test)", gt=0)
    output_dir: OutputPath = field("surfaces_predict", "folder for predictions.json and plots")
    threads: int = field(1, "torch CPU threads", ge=1)

    @model_validator(mode="after")
    def _something(self) -> "PredictConfig":
        if not self.slabs and not self.bulk:
            raise ValueError("give slabs or bulk structure files")
        return self
