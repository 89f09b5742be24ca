"""YAML configs of ``ptmlp elf generate|train`` (unknown keys are rejected, units in key names)."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Optional


from ..config_io import from_dict, read_yaml
from ..errors import InputError


@dataclass
class DftSettings:
    """GPAW settings of the reference ELF labels."""
    xc: str = "PBE"
    ecut_eV: float = 350.0
    kpts: list = field(default_factory=lambda: [2, 2, 2])
    grid_spacing_A: float = 0.1
    scf_energy_tol_eV: float = 1e-5
    te_K: Optional[float] = None  # Fermi-Dirac T_e; None = the snapshot's MD temperature (crystals: 1000 K)


@dataclass
class MdDftSettings:
    """Cheaper GPAW settings driving the MD that samples the fluid snapshots."""
    xc: str = "PBE"
    ecut_eV: float = 300.0
    kpts: list = field(default_factory=lambda: [1, 1, 1])
    scf_energy_tol_eV: float = 1e-4


@dataclass
class FluidSet:
    """Independent Langevin MD runs of H2 fluid at one density; each run is its own group."""
    name: str = "fluid"
    n_atoms: int = 32
    volume_per_atom_A3: float = 2.5
    temperature_K: float = 1500.0
    runs: int = 2
    equilibration_steps: int = 60
    production_steps: int = 120
    sample_every: int = 20
    timestep_fs: float = 0.5
    friction_per_fs: float = 0.01
    equilibration_friction_per_fs: float = 0.1


@dataclass
class CrystalSet:
    """Random cubic/hexagonal hydrogen crystals (test set)."""
    name: str = "crystal_random"
    count: int = 12
    n_atoms_min: int = 4
    n_atoms_max: int = 12
    volume_per_atom_A3_min: float = 2.3
    volume_per_atom_A3_max: float = 3.0
    min_distance_A: float = 0.7
    kpts: list = field(default_factory=lambda: [3, 3, 3])
    te_K: float = 1000.0


@dataclass
class GenerateConfig:
    output: str = "elf_data.h5"
    workdir: str = "elf_generate"
    seed: int = 0
    dft: DftSettings = field(default_factory=DftSettings)
    md_dft: MdDftSettings = field(default_factory=MdDftSettings)
    fluid: list = field(default_factory=list)  # list of FluidSet mappings
    crystals: Optional[CrystalSet] = None


@dataclass
class TrainConfig:
    """``ptmlp elf train``; defaults are the paper's (Wang et al., arXiv:2604.26445)."""
    dataset: str = "elf_data.h5"
    output: str = "elf_model.pt"
    train_groups: list = field(default_factory=list)  # group names (or prefixes ending in '*'); [] = all
    validation_groups: list = field(default_factory=list)  # held-out groups; never used for fitting
    r_cut_A: float = 3.0
    n_radial: int = 10
    l_max: int = 2
    gaussian_width_A: Optional[float] = None  # None = spacing of the Gaussian centres
    hidden: list = field(default_factory=lambda: [128, 128])
    points_per_snapshot: int = 20000
    elf_bins: int = 20  # stratification bins on [0, 1]
    epochs: int = 80
    batch_size: int = 4096
    lr: float = 3e-4
    weight_decay: float = 1e-6
    huber_beta: float = 0.03
    validation_points_per_snapshot: int = 0  # 0 = every grid point of every validation snapshot
    seed: int = 0
    threads: int = 1


def _fail_type(where: str, key: str, expected: str, value) -> InputError:
    return InputError(f"{where}: {key}={value!r} must be {expected}")


def _check_kpts(where: str, kpts) -> None:
    if not (isinstance(kpts, list) and len(kpts) == 3 and all(isinstance(k, int) and k >= 1 for k in kpts)):
        raise _fail_type(where, "kpts", "three positive integers, e.g. [2, 2, 2]", kpts)


def load_generate_config(path: str | os.PathLike) -> GenerateConfig:
    cfg = from_dict(GenerateConfig, read_yaml(path), str(path))
    if not isinstance(cfg.dft, DftSettings):
        cfg.dft = from_dict(DftSettings, cfg.dft, f"{path}.dft")
    if not isinstance(cfg.md_dft, MdDftSettings):
        cfg.md_dft = from_dict(MdDftSettings, cfg.md_dft, f"{path}.md_dft")
    if not isinstance(cfg.fluid, list):
        raise InputError(f"{path}: fluid must be a list of fluid sets (name, n_atoms, volume_per_atom_A3, ...)")
    cfg.fluid = [s if isinstance(s, FluidSet) else from_dict(FluidSet, s, f"{path}.fluid[{k}]")
                 for k, s in enumerate(cfg.fluid)]
    _check_kpts(f"{path}.dft", cfg.dft.kpts)
    _check_kpts(f"{path}.md_dft", cfg.md_dft.kpts)
    if cfg.crystals is not None:
        _check_kpts(f"{path}.crystals", cfg.crystals.kpts)
    names = [s.name for s in cfg.fluid]
    if len(set(names)) != len(names):
        raise InputError(f"{path}: fluid set names {names} must be unique")
    return cfg


def load_train_config(path: str | os.PathLike, overrides: Optional[dict] = None) -> TrainConfig:
    data = read_yaml(path) if path is not None else {}
    data = dict(data or {})
    data.update({k: v for k, v in (overrides or {}).items() if v is not None})
    cfg = from_dict(TrainConfig, data, str(path or "train options"))
    for key in ("r_cut_A", "lr", "huber_beta"):
        if not getattr(cfg, key) > 0:
            raise InputError(f"{path}: {key}={getattr(cfg, key)} must be positive")
    for key in ("n_radial", "epochs", "batch_size", "points_per_snapshot", "elf_bins", "threads"):
        if not (isinstance(getattr(cfg, key), int) and getattr(cfg, key) >= 1):
            raise InputError(f"{path}: {key}={getattr(cfg, key)!r} must be a positive integer")
    if not (isinstance(cfg.l_max, int) and 0 <= cfg.l_max <= 6):
        raise InputError(f"{path}: l_max={cfg.l_max!r} must be an integer in 0..6")
    return cfg


def to_dict(cfg) -> dict:
    return dataclasses.asdict(cfg)
