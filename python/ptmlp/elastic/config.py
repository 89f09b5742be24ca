"""The ``ptmlp elastic`` config: one typed model (``ptmlp elastic --example`` prints it)."""

from __future__ import annotations

from typing import Annotated, Literal, Optional, Union

from pydantic import Field, model_validator

from ..config import StrictModel, field
from ..config.types import OutputPath
from ..potential import PotentialSpec
from ..relax import PRESSURE_LIMITS_GPA
from ..structures import StructureSpec
from .symmetry import SYMMETRY_REQUESTS

Direction = Annotated[list[float], Field(min_length=3, max_length=3)]
Repeats = Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=3, max_length=3)]


class StaticSettings(StrictModel):
    """0 K elastic constants (temperatures_K 0): finite strains with relaxed ions, any ASE calculator."""

    strain: float = field(0.005, "engineering strain step (dimensionless); amplitudes +-strain x 1..n_amplitudes",
                          gt=0, le=0.05)
    n_amplitudes: int = field(2, "strain amplitudes per sign (>= 2: quadratic fit with a standard error)", ge=1)
    relax_ions: bool = field(True, "relax the ions in each strained cell (internal strain)")
    fmax_eV_per_A: float = field(1e-5, "force tolerance of the ionic relaxations (eV/A)", gt=0)


class MDSteps(StrictModel):
    """Run lengths of inputs/elastic.in, in MD time steps."""

    nequil: int = field(5000, "NPT equilibration at (T, P) (steps)", ge=0)
    navg: int = field(5000, "NPT averaging of the reference box (steps)", ge=1)
    nequil_strain: int = field(1000, "NVT equilibration of each strained box (steps)", ge=0)
    nrun: int = field(10000, "NVT stress sampling of each strain state (steps)", ge=1)
    nevery: int = field(10, "stress sampling interval (steps)", ge=1)

    @model_validator(mode="after")
    def _samples(self) -> "MDSteps":
        if self.nrun < 10 * self.nevery:
            raise ValueError(f"nrun {self.nrun} must hold at least 10 stress samples (nrun >= 10 nevery = "
                             f"{10 * self.nevery})")
        return self


class MDSettings(StrictModel):
    """Elastic constants at T > 0: strain-stress MD in LAMMPS (inputs/elastic.in)."""

    supercell: Union[Literal["auto"], Repeats] = field(
        "auto", "repeats of the structure: auto (smallest >= 2 x cutoff wide) or [nx, ny, nz]")
    strain: float = field(0.01, "engineering strain of the +- deformations (dimensionless)", ge=1e-4, le=0.05)
    seeds: list[int] = field([4928459, 7238117], "one independent run per velocity seed (>= 2 for a seed "
                                                 "error bar)", min_length=1)
    timestep_ps: float = field(0.001, "MD time step (ps)", gt=0)
    nprocs: int = field(1, "MPI ranks of each LAMMPS run", ge=1)
    barostat: Optional[Literal["iso", "aniso", "tri", "none"]] = field(
        None, "NPT coupling (null: iso for cubic, aniso for hexagonal/tetragonal/orthorhombic, else tri)")
    steps: MDSteps = field(default_factory=MDSteps, description="run lengths (MD steps)")


class ElasticConfig(StrictModel):
    """Elastic constants at (P, T), Born stability, VRH moduli, seismic velocities vs PREM."""

    structure: StructureSpec = field(description="the crystal (relaxed to each pressure at 0 K; NPT start for MD)")
    potential: PotentialSpec = field(description="the interaction: a ptmlp model or a LAMMPS pair style (0 K and "
                                                 "MD), or an ASE calculator (0 K only)")
    pressures_GPa: list[Annotated[float, Field(ge=PRESSURE_LIMITS_GPA[0], le=PRESSURE_LIMITS_GPA[1])]] = field(
        [0.0], "hydrostatic pressures of the states (GPa)", min_length=1)
    temperatures_K: list[Annotated[float, Field(ge=0)]] = field(
        [0.0], "temperatures of the states (K): 0 = static (relaxed ions), > 0 = MD in LAMMPS", min_length=1)
    symmetry: Literal[SYMMETRY_REQUESTS] = field(
        "auto", "crystal system imposed on C_ij: auto (detected), none, or the structure's own system")
    symprec_A: float = field(1e-3, "symmetry tolerance of spglib (A)", gt=0)
    directions: list[Direction] = field([[1, 0, 0], [1, 1, 0], [1, 1, 1]],
                                        "propagation directions (input frame) of the Christoffel velocities")
    static: StaticSettings = field(default_factory=StaticSettings, description="0 K finite-strain settings")
    md: MDSettings = field(default_factory=MDSettings, description="MD settings (temperatures_K > 0)")
    outdir: OutputPath = field("elastic_out", "output folder (relative to this file's folder)")

    @model_validator(mode="after")
    def _consistent(self) -> "ElasticConfig":
        if any(sum(x * x for x in d) == 0 for d in self.directions):
            raise ValueError(f"directions {self.directions} must be non-zero 3-vectors")
        if max(self.temperatures_K) > 0 and self.potential.kind == "ase":
            raise ValueError("temperatures_K > 0 run MD in LAMMPS: potential must be a ptmlp model or a "
                             "pair_style, not an ase_calculator")
        return self
