"""Configs of ``ptmlp elf generate|train|predict`` (``--example`` prints each with every key).

Paths are relative to the config file's folder; units are in the key names.
"""

from __future__ import annotations

from typing import Annotated, Optional

from pydantic import Field, model_validator

from ..config import StrictModel, field
from ..config.types import InputFile, OutputPath
from ..labelers.gpaw_labeler import Kpts, Xc


class DftSettings(StrictModel):
    """GPAW settings of the reference ELF labels."""

    xc: Xc = field("PBE", "exchange-correlation functional")
    ecut_eV: float = field(350.0, "plane-wave cutoff (eV)", ge=100)
    kpts: Kpts = field(default_factory=lambda: [2, 2, 2], description="k-point grid of the fluid labels")
    grid_spacing_A: float = field(0.1, "spacing of the ELF grid (A)", gt=0)
    scf_energy_tol_eV: float = field(1e-5, "SCF energy convergence (eV)", gt=0)
    te_K: Optional[float] = field(None, "Fermi-Dirac T_e (K); null: the snapshot's MD temperature", gt=0)


class MdDftSettings(StrictModel):
    """Cheaper GPAW settings driving the MD that samples the fluid snapshots."""

    xc: Xc = field("PBE", "exchange-correlation functional")
    ecut_eV: float = field(300.0, "plane-wave cutoff (eV)", ge=100)
    kpts: Kpts = field(default_factory=lambda: [1, 1, 1], description="k-point grid of the MD forces")
    scf_energy_tol_eV: float = field(1e-4, "SCF energy convergence (eV)", gt=0)


class FluidSet(StrictModel):
    """Independent Langevin MD runs of H2 fluid at one density; each run is its own group."""

    name: str = field("fluid", "group name prefix (groups NAME_run0, NAME_run1, ...)", min_length=1)
    n_atoms: int = field(32, "H atoms per cell (even: H2 molecules)", ge=2, multiple_of=2)
    volume_per_atom_A3: float = field(2.5, "volume per atom (A^3)", gt=0)
    temperature_K: float = field(1500.0, "MD temperature (K)", gt=0)
    runs: int = field(2, "independent MD runs", ge=1)
    equilibration_steps: int = field(60, "MD steps before sampling", ge=0)
    production_steps: int = field(120, "MD steps sampled", ge=1)
    sample_every: int = field(20, "a snapshot every this many production steps", ge=1)
    timestep_fs: float = field(0.5, "MD timestep (fs)", gt=0)
    friction_per_fs: float = field(0.01, "Langevin friction of the production run (1/fs)", ge=0)
    equilibration_friction_per_fs: float = field(0.1, "Langevin friction of the equilibration (1/fs)", ge=0)

    @model_validator(mode="after")
    def _samples(self) -> "FluidSet":
        if self.sample_every > self.production_steps:
            raise ValueError(f"sample_every={self.sample_every} is above production_steps={self.production_steps}: "
                             "no snapshot would be taken")
        return self


class CrystalSet(StrictModel):
    """Random cubic/hexagonal hydrogen crystals (test set)."""

    name: str = field("crystal_random", "group name", min_length=1)
    count: int = field(12, "number of crystals", ge=1)
    n_atoms_min: int = field(4, "fewest atoms per cell", ge=1)
    n_atoms_max: int = field(12, "most atoms per cell", ge=1)
    volume_per_atom_A3_min: float = field(2.3, "smallest volume per atom (A^3)", gt=0)
    volume_per_atom_A3_max: float = field(3.0, "largest volume per atom (A^3)", gt=0)
    min_distance_A: float = field(0.7, "smallest distance between atoms (A)", gt=0)
    kpts: Kpts = field(default_factory=lambda: [3, 3, 3], description="k-point grid of the crystal labels")
    te_K: float = field(1000.0, "Fermi-Dirac T_e of the labels (K)", gt=0)

    @model_validator(mode="after")
    def _ranges(self) -> "CrystalSet":
        if self.n_atoms_max < self.n_atoms_min:
            raise ValueError(f"n_atoms_max={self.n_atoms_max} is below n_atoms_min={self.n_atoms_min}")
        if self.volume_per_atom_A3_max < self.volume_per_atom_A3_min:
            raise ValueError(f"volume_per_atom_A3_max={self.volume_per_atom_A3_max} is below "
                             f"volume_per_atom_A3_min={self.volume_per_atom_A3_min}")
        return self


class GenerateConfig(StrictModel):
    """``ptmlp elf generate``: GPAW reference ELF data of fluid-H MD snapshots and random crystals."""

    output: OutputPath = field("elf_data.h5", "ELF dataset written (HDF5; appended to, resumable)")
    workdir: OutputPath = field("elf_generate", "folder of the MD trajectories and generate_summary.json")
    seed: int = field(0, "random seed of structures and MD", ge=0)
    dft: DftSettings = field(default_factory=DftSettings, description="GPAW settings of the ELF labels")
    md_dft: MdDftSettings = field(default_factory=MdDftSettings, description="GPAW settings of the sampling MD")
    fluid: list[FluidSet] = field(default_factory=list, description="fluid sets, one per density "
                                  "(keys as in the example)", examples=[[FluidSet().to_dict()]])
    crystals: Optional[CrystalSet] = field(None, "random crystals (keys as in the example); null: none",
                                           examples=[CrystalSet().to_dict()])

    @model_validator(mode="after")
    def _unique(self) -> "GenerateConfig":
        names = [s.name for s in self.fluid]
        if len(set(names)) != len(names):
            raise ValueError(f"fluid set names {names} must be unique")
        return self


class TrainConfig(StrictModel):
    """``ptmlp elf train``; defaults are the paper's (Wang et al., arXiv:2604.26445)."""

    dataset: InputFile = field("elf_data.h5", "ELF dataset (HDF5, from ptmlp elf generate or import)")
    output: OutputPath = field("elf_model.pt", "model file written (.pt); also OUTPUT.train.json")
    train_groups: list[str] = field(default_factory=list, description="groups fitted (fnmatch patterns, e.g. "
                                    "fluid_*_run0); [] = all but the validation groups")
    validation_groups: list[str] = field(default_factory=list, description="held-out groups, never fitted")
    r_cut_A: float = field(3.0, "descriptor cutoff (A)", gt=0)
    n_radial: int = field(10, "Gaussian radial functions", ge=1)
    l_max: int = field(2, "largest angular momentum of the descriptor", ge=0, le=6)
    gaussian_width_A: Optional[float] = field(None, "Gaussian width (A); null: the spacing of their centres", gt=0)
    hidden: list[Annotated[int, Field(ge=1)]] = field(default_factory=lambda: [128, 128],
                                                      description="hidden layer widths of the MLP", min_length=1)
    points_per_snapshot: int = field(20000, "stratified training grid points per snapshot", ge=1)
    elf_bins: int = field(20, "stratification bins on [0, 1]", ge=1)
    epochs: int = field(80, "passes over the training points", ge=1)
    batch_size: int = field(4096, "grid points per batch", ge=1)
    lr: float = field(3e-4, "AdamW learning rate", gt=0)
    weight_decay: float = field(1e-6, "AdamW weight decay", ge=0)
    huber_beta: float = field(0.03, "smooth-L1 (Huber) beta on the ELF", gt=0)
    validation_points_per_snapshot: int = field(0, "0: every grid point of every validation snapshot", ge=0)
    seed: int = field(0, "random seed", ge=0)
    threads: int = field(1, "torch threads", ge=1)


class PredictConfig(StrictModel):
    """``ptmlp elf predict``: ELF grids, networking value phi and T_c per snapshot."""

    model: InputFile = field(..., "ELF model file (ptmlp elf train)", examples=["elf_model.pt"])
    inputs: list[InputFile] = field(..., "trajectories (LAMMPS dump, extxyz, ...), ELF datasets (.h5) or "
                                         "cube/ELFCAR files", min_length=1, examples=[["traj.dump"]])
    output_dir: OutputPath = field("elf_predict", "folder of elf_predict.json, plots and cube files")
    grid_spacing_A: float = field(0.1, "grid spacing of trajectory snapshots (A)", gt=0)
    grid: Optional[Kpts] = field(None, "explicit grid [n1, n2, n3] instead of grid_spacing_A")
    references: list[InputFile] = field(default_factory=list, description="reference cube/ELFCAR files, one "
                                        "per trajectory snapshot")
    type_names: Optional[list[str]] = field(None, "LAMMPS dump: element of type 1, 2, ...", min_length=1)
    groups: list[str] = field(default_factory=list, description="ELF dataset inputs: only these groups "
                              "(fnmatch patterns)")
    every: int = field(1, "use every N-th snapshot", ge=1)
    max_snapshots: Optional[int] = field(None, "use at most this many snapshots", ge=1)
    write_cubes: bool = field(False, "write elf_pred_NNNNN.cube files")
    low_k_cut_per_A: Optional[float] = field(None, "apply and report the low-k Fourier correction of the "
                                                   "logit residual below this |k| (1/A; needs references)", gt=0)
    phi_tol: float = field(1e-3, "bisection tolerance on phi", gt=0)
    batch_points: int = field(16384, "grid points per model call", ge=1)
    threads: int = field(1, "torch threads", ge=1)
