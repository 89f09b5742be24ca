"""``ptmlp al run config.yaml`` (``ptmlp al run --example`` prints every key; units in the key names)."""

from __future__ import annotations

from typing import ClassVar, Literal, Optional

from pydantic import model_validator

from ..config import StrictModel, field
from ..config.types import InputFile, OutputPath
from ..labelers.gpaw_labeler import Kpts, Xc
from ..models.config import ModelConfig
from ..potential import PotentialSpec
from ..training.config import TrainConfig
from .explore_config import ExploreConfig
from .select import SelectConfig


class LabelerSpec(StrictModel):
    """Who labels the selected frames: GPAW (Fermi-Dirac DFT), a LAMMPS pair style or an ASE calculator."""

    kind: Literal["gpaw", "lammps", "ase"] = field("gpaw", "gpaw: DFT labels; lammps: potential.pair_style; "
                                                           "ase: potential.ase_calculator")
    te_K: Optional[float] = field(None, "GPAW Fermi-Dirac T_e (K) where the exploration has no T_e grid", gt=0,
                                  examples=[3000.0])
    xc: Xc = field("PBE", "GPAW exchange-correlation functional")
    ecut_eV: float = field(400.0, "GPAW plane-wave cutoff (eV)", ge=100)
    kpts: Optional[Kpts] = field(None, "GPAW k-point grid (null: density 3 per A^-1)")
    processes: int = field(1, "labels computed at once (worker processes)", ge=1)
    timeout_s: Optional[float] = field(None, "give up a label after this many seconds (recorded as timeout)", gt=0)
    potential: Optional[PotentialSpec] = field(
        None, "kind lammps: {pair_style, pair_coeff: [...]}; kind ase: {ase_calculator: 'module:name', ase_kwargs}")

    #: how the messages of the kind/potential rule name the keys (``ptmlp label`` names its flags)
    words: ClassVar[dict[str, str]] = {"kind": "kind", "gpaw": "potential",
                                       "lammps": "potential: {pair_style and pair_coeff: ...}",
                                       "ase": "potential: {ase_calculator: ...}"}

    @model_validator(mode="after")
    def _potential_fits_kind(self) -> "LabelerSpec":
        kind = self.words["kind"]
        if self.kind == "gpaw":
            if self.potential is not None:
                raise ValueError(f"{kind} gpaw takes no {self.words['gpaw']} (use {kind} lammps or ase for one)")
        elif self.potential is None or self.potential.kind != self.kind:
            raise ValueError(f"{kind} {self.kind} needs {self.words[self.kind]}")
        return self


class ALConfig(StrictModel):
    """Active learning: train an ensemble, explore, select, label, retrain, until converged."""

    workdir: OutputPath = field("al_run", "folder of the loop: al_state.json, iter_NNN/, status.png")
    dataset: Optional[OutputPath] = field(None, "HDF5 dataset the loop appends to (null: WORKDIR/dataset.h5)")
    initial_structures: list[InputFile] = field(default_factory=list, description="labelled (with rattled copies) "
                                                "when the dataset is empty", examples=[["start.extxyz"]])
    initial_rattle_copies: int = field(10, "rattled copies of each initial structure", ge=1)
    initial_rattle_A: float = field(0.05, "standard deviation of their random displacements (A)", ge=0)
    model: ModelConfig = field(default_factory=ModelConfig, description="model hyper-parameters (ptmlp train)")
    training: TrainConfig = field(default_factory=TrainConfig, description="training of each member (ptmlp train); "
                                  "iteration k uses seed + 100 k")
    ensemble: int = field(4, "ensemble members (the deviation needs at least 2)", ge=2)
    explore: ExploreConfig = field(..., "MD exploration of the ensemble")
    select: SelectConfig = field(default_factory=SelectConfig, description="which explored frames are labelled")
    labeler: LabelerSpec = field(default_factory=LabelerSpec, description="labels of the selected frames")
    max_iterations: int = field(10, "stop after this many iterations", ge=1)
    target_accurate_fraction: float = field(0.95, "converged when this fraction of explored frames is accurate in "
                                                  "two consecutive iterations ...", gt=0, le=1)
    rmse_improvement_tol: float = field(0.05, "... and the validation force RMSE improved by less than this "
                                              "fraction", ge=0)

    @model_validator(mode="after")
    def _gpaw_te(self) -> "ALConfig":
        if self.labeler.kind == "gpaw" and self.labeler.te_K is None and not self.explore.te_K:
            raise ValueError("GPAW labels need an electronic temperature: set labeler.te_K (K) or explore.te_K")
        return self
