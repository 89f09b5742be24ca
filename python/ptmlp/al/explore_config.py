"""``explore:`` of an active-learning config: the P-T(-T_e) grid, the runs and how they are launched."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from pydantic import Field, model_validator

from ..config import StrictModel, field, validate_config
from ..config.types import InputFile
from ..hpc.jobspec import ArrayLimit, JobName, LammpsArrayJob, LammpsLaunch, SlurmResources, format_time_limit

# job keys of ptmlp.hpc.jobspec that exploration fills in itself (refused under explore.slurm)
SLURM_OWN_KEYS = ("template", "workdir", "input", "variables", "tasks", "after", "dependency", "resume_from",
                  "stop_before_limit_s")


class ExploreSlurm(ArrayLimit, LammpsLaunch, SlurmResources):
    """``launcher: slurm``: the runs as one job array of slurm/lammps_array.sbatch (keys of
    ``ptmlp slurm render --example lammps_array`` that the exploration does not fill in itself)."""

    name: JobName = field("explore", "job name of the array (letters, digits, _ . -)")
    poll_s: float = field(10.0, "seconds between queries of SLURM while waiting", gt=0)
    wait_timeout_s: Optional[float] = field(None, "stop waiting after this many seconds: elements not finished "
                                                  "by then are cancelled and recorded as failed", gt=0)

    @model_validator(mode="before")
    @classmethod
    def _own_keys(cls, data: Any) -> Any:
        own = [k for k in data if k in SLURM_OWN_KEYS] if isinstance(data, dict) else []
        if own:
            raise ValueError(f"key {own[0]!r} is set by the exploration itself; leave it out")
        return data

    @model_validator(mode="after")
    def _request(self) -> "ExploreSlurm":
        self.check_request("lammps_array")
        return self


class RattleSpec(StrictModel):
    """Extra rattled and strained copies of each starting structure."""

    copies: int = field(0, "extra rattled/strained copies of each structure", ge=0)
    rattle_A: float = field(0.05, "standard deviation of the random displacements (A)", ge=0)
    strain: float = field(0.02, "standard deviation of the random strain components (dimensionless)", ge=0, lt=1)


class SubstitutionSpec(StrictModel):
    """Copies of each structure with a growing fraction of host atoms replaced by guest atoms."""

    host: str = field("", "species replaced (e.g. Fe)")
    guest: str = field("", "species put in its place (e.g. Ni)")
    step: float = field(0.1, "fraction step of host sites", gt=0, le=1)
    max_fraction: float = field(0.0, "largest substituted fraction of host sites (0: no substitution)", ge=0, le=1)

    @model_validator(mode="after")
    def _species(self) -> "SubstitutionSpec":
        if self.max_fraction > 0 and not (self.host and self.guest):
            raise ValueError("max_fraction > 0 needs host and guest species")
        return self


Temperature_K = Annotated[float, Field(gt=0, lt=1e5)]
Pressure_GPa = Annotated[float, Field(ge=-50, le=5000)]


class ExploreConfig(StrictModel):
    """Exploration: MD runs of the ensemble over a grid of ensembles, pressures, temperatures (and T_e)."""

    structures: list[InputFile] = field(..., "starting structures: any ASE-readable file (CIF, POSCAR, extxyz, "
                                             "lammps-data)", min_length=1, examples=[["start.extxyz"]])
    supercell: list[Annotated[int, Field(ge=1)]] = field(default_factory=lambda: [1, 1, 1],
                                                         description="repetitions of each structure along a, b, c",
                                                         min_length=3, max_length=3)
    ensembles: list[Literal["nvt", "npt"]] = field(default_factory=lambda: ["nvt"], description="MD ensembles "
                                                   "(NVT runs ignore the pressure grid)", min_length=1)
    pressures_GPa: list[Pressure_GPa] = field(default_factory=lambda: [0.0], description="pressures of the NPT "
                                              "runs (GPa, -50 to 5000)", min_length=1)
    temperatures_K: list[Temperature_K] = field(default_factory=lambda: [1000.0], description="temperatures (K, "
                                                "0 to 1e5)", min_length=1)
    te_K: Optional[list[Annotated[float, Field(gt=0)]]] = field(None, "electronic temperatures (K) of T_e models",
                                                                min_length=1)
    steps: int = field(1000, "MD steps of each run", ge=1)
    every: int = field(20, "dump and deviation interval (steps)", ge=1)
    dt_ps: float = field(0.001, "MD timestep (ps)", gt=0)
    seeds: int = field(1, "independent runs per grid point", ge=1)
    processes: int = field(1, "concurrent LAMMPS runs (local), or MPI ranks (launcher mpi)", ge=1)
    launcher: Literal["local", "mpi", "slurm"] = field(
        "local", "local: runs started from this process; mpi: one `mpirun -np processes ptmlp fanout` "
                 "allocation runs them all; slurm: one SLURM job array, one element per run (settings in slurm)")
    slurm: Optional[ExploreSlurm] = field(None, "launcher slurm: job keys of `ptmlp slurm` plus poll_s and "
                                                "wait_timeout_s (default: all defaults)")
    timeout_s: Optional[float] = field(None, "stop a run after this many seconds (also the SLURM time limit "
                                             "unless slurm.time_limit is given)", gt=0)
    rattle: RattleSpec = field(default_factory=RattleSpec, description="rattled/strained copies")
    vacancies: int = field(0, "also explore copies with this many vacancies", ge=0)
    substitution: SubstitutionSpec = field(default_factory=SubstitutionSpec, description="substituted copies")

    @model_validator(mode="after")
    def _consistent(self) -> "ExploreConfig":
        if self.steps < self.every:
            raise ValueError(f"steps={self.steps} must be >= every={self.every}")
        if self.launcher == "slurm" or self.slurm is not None:
            opts = self.slurm_settings()
            if opts is not self.slurm:  # defaults, or the time limit derived from timeout_s
                opts.check_request("lammps_array")
        return self

    def slurm_settings(self) -> ExploreSlurm:
        """``slurm`` (defaults when not given), its time limit from ``timeout_s`` unless set."""
        opts = self.slurm if self.slurm is not None else ExploreSlurm()
        if self.timeout_s is not None and "time_limit" not in opts.model_fields_set:
            limit = format_time_limit(max(60, math.ceil(self.timeout_s)))  # SLURM counts whole minutes
            opts = opts.model_copy(update={"time_limit": limit})
        return opts

    def slurm_job(self, work: Path, name: str, tasks: list[dict], explore_in: Path) -> LammpsArrayJob:
        """The job array running ``tasks`` (LAMMPS variables of each run) of ``explore_in`` in ``work``."""
        opts = self.slurm_settings()
        values = opts.model_dump(exclude={"poll_s", "wait_timeout_s"}, exclude_none=True)
        values.update(template="lammps_array", name=name, workdir=str(Path(work).resolve()), input=str(explore_in),
                      tasks=tasks, lmp_args=[*opts.lmp_args, "-screen", "screen.txt"])
        return validate_config(LammpsArrayJob, values, source="explore.slurm")
