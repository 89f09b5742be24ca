"""``ptmlp al run config.yaml``: every key, with units in the names where they have units."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..errors import InputError
from ..training.config import TrainConfig
from .explore import ExploreConfig
from .select import SelectConfig


@dataclass
class LabelerSpec:
    kind: str = "gpaw"  # gpaw | lammps | ase
    te_K: Optional[float] = None  # GPAW Fermi-Dirac T_e when exploration has no T_e grid
    xc: str = "PBE"
    ecut_eV: float = 400.0
    kpts: Optional[list[int]] = None
    pair_style: str = ""  # kind: lammps
    pair_coeff: str = ""
    calculator: str = ""  # kind: ase, "module:function" returning an ASE calculator
    processes: int = 1
    timeout_s: Optional[float] = None


@dataclass
class ALConfig:
    workdir: str = "al_run"
    dataset: str = ""  # HDF5 dataset the loop appends to (default: <workdir>/dataset.h5)
    initial_structures: list[str] = field(default_factory=list)  # labelled (with rattled copies) if the dataset is empty
    initial_rattle_copies: int = 10
    initial_rattle_A: float = 0.05
    model: dict = field(default_factory=dict)  # ModelConfig keys
    training: TrainConfig = field(default_factory=TrainConfig)
    ensemble: int = 4
    explore: ExploreConfig = field(default_factory=ExploreConfig)
    select: SelectConfig = field(default_factory=SelectConfig)
    labeler: LabelerSpec = field(default_factory=LabelerSpec)
    max_iterations: int = 10
    target_accurate_fraction: float = 0.95  # converged when reached in two consecutive iterations ...
    rmse_improvement_tol: float = 0.05  # ... and validation force RMSE improved by less than this fraction

    def validate(self) -> None:
        if self.ensemble < 2:
            raise InputError(f"ensemble={self.ensemble}: active learning needs at least 2 members")
        if self.labeler.kind not in ("gpaw", "lammps", "ase"):
            raise InputError(f"labeler.kind={self.labeler.kind!r} must be gpaw, lammps or ase")
        if not 0 < self.target_accurate_fraction <= 1:
            raise InputError(f"target_accurate_fraction={self.target_accurate_fraction} must be in (0, 1]")
        if self.max_iterations < 1:
            raise InputError("max_iterations must be >= 1")
        self.training.validate()
        self.explore.validate()
        self.select.validate()
