"""The ``ptmlp phonons`` config: one typed model (``ptmlp phonons --example`` prints it)."""

from __future__ import annotations

from typing import Annotated, Literal, Optional, Union

import numpy as np
from pydantic import Field, field_validator, model_validator

from ..config import StrictModel, field
from ..config.types import OutputPath
from ..errors import InputError
from ..potential import PotentialSpec
from ..relax import PRESSURE_LIMITS_GPA
from ..structures import StructureSpec
from .qha_fit import DEFAULT_VOLUME_STRAINS, check_volume_strains

Repeats = Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=3, max_length=3)]
Matrix = Annotated[list[Annotated[list[int], Field(min_length=3, max_length=3)]], Field(min_length=3, max_length=3)]


class TemperatureGrid(StrictModel):
    """Temperatures of the harmonic thermal properties: min_K to max_K in steps of step_K."""

    min_K: float = field(0.0, "lowest temperature (K)", ge=0)
    max_K: float = field(2000.0, "highest temperature (K)", gt=0)
    step_K: float = field(50.0, "temperature step (K)", gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> "TemperatureGrid":
        if self.max_K < self.min_K:
            raise ValueError(f"max_K {self.max_K:g} is below min_K {self.min_K:g}")
        return self

    def values(self) -> np.ndarray:
        return np.arange(self.min_K, self.max_K + 1e-9, self.step_K)


class QHASettings(StrictModel):
    """Quasi-harmonic approximation over volumes V0 (1 + strain) at pressure_GPa."""

    volume_strains: list[float] = field(list(DEFAULT_VOLUME_STRAINS), "volumes as fractions V/V0 - 1 (>= 5 "
                                        "distinct values; V(T) must stay inside them)", min_length=5)
    t_max_K: float = field(1500.0, "highest temperature (K)", gt=0)
    t_step_K: float = field(10.0, "temperature step (K)", gt=0)
    classical: bool = field(False, "classical harmonic free energies (no zero-point energy), to compare with MD")

    @field_validator("volume_strains")
    @classmethod
    def _strains(cls, value: list[float]) -> list[float]:
        try:
            check_volume_strains(value)
        except InputError as exc:
            raise ValueError(str(exc)) from None
        return value

    def temperatures_K(self) -> np.ndarray:
        """The QHA temperature grid (from t_step_K for classical runs: the classical F diverges at 0 K)."""
        return np.arange(self.t_step_K if self.classical else 0.0, self.t_max_K + self.t_step_K + 1e-9, self.t_step_K)


class PhononsConfig(StrictModel):
    """Phonons (bands, DOS, thermal properties, QHA) of a crystal, optionally against a reference potential."""

    structure: StructureSpec = field(description="the crystal (relaxed to pressure_GPa first)")
    potential: PotentialSpec = field(description="the interaction: a ptmlp model, a LAMMPS pair style or an "
                                                 "ASE calculator")
    reference: Optional[PotentialSpec] = field(None, "comparison mode: the same phonons from this potential "
                                                     "(same keys as potential), RMSEs and one shared plot")
    pressure_GPa: Optional[Annotated[float, Field(ge=PRESSURE_LIMITS_GPA[0], le=PRESSURE_LIMITS_GPA[1])]] = field(
        0.0, "relax ions and cell to this hydrostatic pressure first (GPa); null: use the structure as given")
    supercell: Union[Literal["auto"], Repeats, Matrix] = field(
        "auto", "phonon supercell: auto (smallest >= 2 x cutoff wide), three repeats, or a 3x3 matrix")
    displacement_A: float = field(0.01, "finite displacement (A)", gt=0, le=0.1)
    band_npoints: int = field(51, "q-points per band-path segment", ge=2)
    band_path: Optional[str] = field(None, "band path in ASE notation, e.g. GXWKGLUWLK,UX (null: the standard "
                                           "path of the lattice)")
    mesh: Repeats = field([20, 20, 20], "q-point mesh of the DOS and thermal properties")
    temperatures_K: TemperatureGrid = field(default_factory=TemperatureGrid,
                                            description="temperatures of the harmonic thermal properties (K)")
    imaginary_tol_THz: float = field(0.05, "frequencies below -imaginary_tol_THz count as imaginary (THz)", gt=0)
    error_estimate: bool = field(True, "repeat with twice the displacement and report the largest frequency "
                                       "change (THz)")
    qha: Optional[QHASettings] = field(None, "quasi-harmonic approximation (null: skip): volume_strains (V/V0 - 1, "
                                             ">= 5), t_max_K, t_step_K (K), classical (no zero-point energy)",
                                       examples=[QHASettings().to_dict()])
    outdir: OutputPath = field("phonons_out", "output folder (relative to this file's folder)")

    def cutoff_A(self) -> float:
        """The supercell must suit both potentials: the larger of their known interaction ranges (A)."""
        known = [c for c in (p.cutoff() for p in (self.potential, self.reference) if p is not None) if c is not None]
        return max(known) if known else self.potential.require_cutoff()  # none known: one-line error
