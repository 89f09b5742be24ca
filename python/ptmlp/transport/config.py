"""Config models of the ``ptmlp transport`` subcommands, one per subcommand; every key has its
meaning and its unit in its name. The command-line flags are generated from these fields
(:mod:`ptmlp.cli.transport`) and override the file: the file's mapping is overlaid with the
given flags and validated once (:func:`load_options`)."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import AfterValidator, Field, PlainValidator, field_validator, model_validator

from ..config import ConfigError, StrictModel, field, read_yaml, validate_config
from ..config.types import InputFile, InputPath, OutputPath
from ..potential import PotentialSpec
from ..structures import StructureSpec
from .constants import ARGON, EV_J
from .templates import TEMPLATES, variable_problem

ARGON_EPSILON_EV = round(ARGON.epsilon_J / EV_J, 10)


def _cutoff(value: Any) -> Union[str, float]:
    if isinstance(value, str) and value in ("noise", "first-zero"):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0:
        return float(value)
    raise ValueError("expected noise, first-zero or a cutoff time > 0 (ps)")


#: the Green-Kubo cutoff: "noise", "first-zero" or a fixed time in ps
Cutoff = Annotated[Union[str, float], PlainValidator(_cutoff)]


def _variable_value(value: Any) -> Union[bool, int, float, str]:
    if isinstance(value, (bool, int, str)) or (isinstance(value, float) and math.isfinite(value)):
        return value
    raise ValueError("expected a number, a string or true/false")


#: a value of a template variable (checked against the template's default in RunConfig)
VariableValue = Annotated[Union[bool, int, float, str], PlainValidator(_variable_value)]


def _window(value: list[float]) -> list[float]:
    if not 0 <= value[0] < value[1]:
        raise ValueError("expected [start, end] with 0 <= start < end (ps)")
    return value


#: a time window [start, end] in ps
Window = Annotated[list[float], Field(min_length=2, max_length=2), AfterValidator(_window)]


class LJParameters(StrictModel):
    """The Lennard-Jones parameters of the reduced units (default: argon, epsilon/k_B = 119.8 K)."""

    epsilon_eV: float = field(ARGON_EPSILON_EV, "LJ well depth epsilon (eV)", gt=0)
    sigma_A: float = field(3.405, "LJ length sigma (A)", gt=0)
    mass_g_per_mol: float = field(39.948, "particle mass (g/mol)", gt=0)


class ReportOptions(StrictModel):
    """Keys shared by every analysis: the units shown besides SI."""

    units: Literal["si", "lj"] = field("si", "si, or lj: also reduced Lennard-Jones units (a reduced_lj block in "
                                             "summary.json, plots in reduced units) with the parameters of lj")
    lj: LJParameters = field(default_factory=LJParameters, description="LJ parameters for units: lj "
                                                                        "{epsilon_eV, sigma_A, mass_g_per_mol}")

    @model_validator(mode="after")
    def _lj_only_with_lj_units(self) -> "ReportOptions":
        if self.units != "lj" and self.lj != LJParameters():
            raise ValueError("lj belongs to units: lj (units is si)")
        return self

    def display(self):
        """The :class:`~ptmlp.transport.display.DisplayUnits` of these options."""
        from .constants import LJUnits
        from .display import DisplayUnits

        lj = self.lj
        return DisplayUnits(LJUnits(lj.epsilon_eV, lj.sigma_A, lj.mass_g_per_mol) if self.units == "lj" else None)


class GreenKuboOptions(ReportOptions):
    """Keys shared by the Green-Kubo analyses (kappa, viscosity, conductivity)."""

    inputs: list[InputPath] = field(description="input files or run folders of the templates", min_length=1,
                                    examples=[["transport_runs/run_000", "transport_runs/run_001"]])
    max_correlation_time_ps: Optional[float] = field(
        None, "longest correlation time (ps); the runs must be >= 10x longer (default: a tenth of the run)", gt=0)
    cutoff_ps: Cutoff = field("noise", "Green-Kubo cutoff: noise (where the ACF sinks into its noise), "
                                       "first-zero, or a fixed time in ps")
    f_cut_THz: Optional[float] = field(None, "cepstral frequency cutoff F* (THz; default 2 / cutoff time)", gt=0)
    volume_A3: Optional[float] = field(None, "volume (A^3) where the runs have no run_info.yaml", gt=0)
    timestep_ps: Optional[float] = field(None, "MD time step (ps) where the runs have no run_info.yaml", gt=0)
    temperature_K: Optional[float] = field(None, "temperature (K) where the files have no temperature column", gt=0)


class KappaConfig(GreenKuboOptions):
    """ptmlp transport kappa: thermal conductivity from heat-flux files (Green-Kubo + cepstral) or NEMD runs."""

    method: Literal["green-kubo", "nemd"] = field("green-kubo", "green-kubo (heatflux.dat of gk_kappa.in) or "
                                                                "nemd (run folders of nemd_kappa.in)")
    decorrelate: bool = field(True, "green-kubo: project the mass fluxes out of the energy flux (mixtures)")
    exclude_bins: int = field(1, "nemd: slabs skipped next to each reservoir in the linear fits", ge=0)
    n_batches: int = field(10, "nemd: batches of profile blocks for the error estimate", ge=2)
    steady_steps: Optional[int] = field(None, "nemd: steps skipped before the steady state (default: the "
                                              "run's steady_steps)", ge=0)
    size_extrapolation: Literal["auto", "inverse", "linear"] = field(
        "auto", "nemd, several box lengths: the 1/L form reported as the result: auto (chosen by the stated "
                "criterion), inverse (1/kappa linear in 1/L) or linear (kappa linear in 1/L); every form is tried "
                "and reported")
    out: Optional[OutputPath] = field(None, "output folder (summary.json, HDF5, PNG); default "
                                            "transport_kappa, for nemd transport_kappa_nemd, in the current folder")

    @model_validator(mode="after")
    def _method_keys(self) -> "KappaConfig":
        return _belongs(self, {"green-kubo": ("decorrelate",),
                               "nemd": ("exclude_bins", "n_batches", "steady_steps", "size_extrapolation")},
                        ("max_correlation_time_ps", "cutoff_ps", "f_cut_THz", "volume_A3", "timestep_ps",
                         "temperature_K"), "green-kubo")


class ViscosityConfig(GreenKuboOptions):
    """ptmlp transport viscosity: shear viscosity by Green-Kubo / Einstein-Helfand or Muller-Plathe NEMD."""

    method: Literal["green-kubo", "muller-plathe"] = field(
        "green-kubo", "green-kubo (pressure.dat or thermo log of gk_viscosity.in / gk_kappa.in) or muller-plathe "
                      "(run folders of nemd_viscosity.in)")
    helfand_fit_ps: Optional[Window] = field(None, "green-kubo: Einstein-Helfand fit window [start, end] (ps; "
                                                   "default from the Green-Kubo cutoff)")
    exclude_bins: int = field(1, "muller-plathe: slabs skipped next to each reservoir in the linear fits", ge=0)
    n_batches: int = field(10, "muller-plathe: batches of profile blocks for the error estimate", ge=2)
    shear_extrapolation: Literal["auto", "sqrt", "linear"] = field(
        "auto", "muller-plathe: the zero-shear form reported as the result: auto (chosen by the stated criterion), "
                "sqrt (viscosity linear in sqrt(shear rate)) or linear (in the shear rate); every form is tried and "
                "reported")
    out: Optional[OutputPath] = field(None, "output folder (summary.json, HDF5, PNG); default "
                                            "transport_viscosity, for muller-plathe transport_viscosity_mp, in the "
                                            "current folder")

    @model_validator(mode="after")
    def _method_keys(self) -> "ViscosityConfig":
        return _belongs(self, {"green-kubo": ("helfand_fit_ps",),
                               "muller-plathe": ("exclude_bins", "n_batches", "shear_extrapolation")},
                        ("max_correlation_time_ps", "cutoff_ps", "f_cut_THz", "volume_A3", "timestep_ps",
                         "temperature_K"), "green-kubo")


class ConductivityConfig(GreenKuboOptions):
    """ptmlp transport conductivity: ionic conductivity (Green-Kubo charge current, Nernst-Einstein)."""

    inputs: list[InputPath] = field(description="run folders of msd.in or gk_kappa.in (vcm_types.dat; "
                                                "traj.lammpstrj* for Nernst-Einstein)", min_length=1,
                                    examples=[["transport_runs/run_000", "transport_runs/run_001"]])
    charges_e: dict[str, float] = field(description="formal charges of the species (e), e.g. {Mg: 2, Si: 4, O: -2}",
                                        min_length=1, examples=[{"Mg": 2, "Si": 4, "O": -2}])
    nernst_einstein: bool = field(True, "also compute the Nernst-Einstein conductivity from the dumps")
    out: Optional[OutputPath] = field(None, "output folder (summary.json, HDF5, PNG); default "
                                            "transport_conductivity in the current folder")


class DiffusionConfig(ReportOptions):
    """ptmlp transport diffusion: self-diffusion per species from MSDs (Yeh-Hummer corrected with a viscosity)."""

    inputs: list[InputPath] = field(description="dumps (id type xu yu zu) or run folders, one per independent run",
                                    min_length=1, examples=[["transport_runs/run_000", "transport_runs/run_001"]])
    timestep_ps: Optional[float] = field(None, "MD time step (ps) where the runs have no run_info.yaml", gt=0)
    temperature_K: Optional[float] = field(None, "temperature (K) for the Yeh-Hummer correction (default: each "
                                                 "run's measured mean temperature, else its target)", gt=0)
    viscosity_Pa_s: Optional[float] = field(None, "shear viscosity (Pa s) for the Yeh-Hummer correction", gt=0)
    viscosity_std_err_Pa_s: float = field(0.0, "its standard error (Pa s)", ge=0)
    viscosity_summary: Optional[InputFile] = field(None, "summary.json of 'ptmlp transport viscosity' (instead of "
                                                         "viscosity_Pa_s)")
    max_fit_fraction: float = field(0.3, "fit the MSD up to this fraction of the run", gt=0, le=1)
    beta_tolerance: float = field(0.1, "diffusive where |dlog MSD / dlog t - 1| < this", gt=0)
    fit_window_ps: Optional[Window] = field(None, "fixed MSD fit window [start, end] (ps) instead of the "
                                                  "automatic one")
    out: Optional[OutputPath] = field(None, "output folder (summary.json, HDF5, PNG); default "
                                            "transport_diffusion in the current folder")

    @model_validator(mode="after")
    def _one_viscosity(self) -> "DiffusionConfig":
        if self.viscosity_summary is not None and self.viscosity_Pa_s is not None:
            raise ValueError("give viscosity_Pa_s or viscosity_summary, not both")
        if _changed(self, "viscosity_std_err_Pa_s") and self.viscosity_Pa_s is None:
            raise ValueError("viscosity_std_err_Pa_s belongs to viscosity_Pa_s")
        return self


class RunConfig(StrictModel):
    """ptmlp transport run: run an inputs/ template (independent seeds) for a potential and a structure."""

    template: Literal[TEMPLATES] = field(description="inputs/ template to run", examples=["msd"])
    potential: PotentialSpec = field(description="the interaction: {pair_style, pair_coeff: [...], extra_commands: "
                                                 "[...]} (LAMMPS defaults, e.g. no energy shift) or {model: m.pt, te_K}; "
                                                 "type_names, cutoff_A, label", examples=[
        {"pair_style": "eam/fs", "pair_coeff": ["* * {potentials}/Al_mm.eam.fs Al"]}])
    structure: StructureSpec = field(description="starting structure: {name, crystalstructure, a_A, c_A, covera, "
                                                 "cell} or {file, format, index}; repeat: [nx, ny, nz]",
                                     examples=[{"name": "Al", "crystalstructure": "fcc", "a_A": 4.25,
                                                "repeat": [4, 4, 4]}])
    n_runs: int = field(1, "independent runs (seeds first_seed, first_seed + 1, ...)", ge=1)
    first_seed: int = field(1, "seed of the first run", ge=1)
    nprocs: int = field(1, "MPI ranks per run", ge=1)
    workdir: OutputPath = field("transport_runs", "folder for run_000, run_001, ... and summary.json")
    variables: dict[str, VariableValue] = field(
        default_factory=dict, description="the template's variables (its 'variable NAME index DEFAULT' lines), "
                                          "e.g. {T: 1000, dt: 0.002, run_steps: 100000}",
        examples=[{"T": 1000, "dt": 0.002, "T_melt": 2000, "melt_steps": 5000, "equil_steps": 5000,
                   "run_steps": 20000, "dump_every": 50}])

    @field_validator("potential")
    @classmethod
    def _lammps_potential(cls, value: PotentialSpec) -> PotentialSpec:
        if value.kind == "ase":
            raise ValueError("LAMMPS templates need a ptmlp model (model: ...) or a pair_style, not an ASE calculator")
        return value

    @model_validator(mode="after")
    def _template_variables(self) -> "RunConfig":
        for name, value in self.variables.items():
            problem = variable_problem(self.template, name, value)
            if problem:
                raise ValueError(problem)
        return self


def _changed(cfg: StrictModel, key: str) -> bool:
    return getattr(cfg, key) != type(cfg).model_fields[key].default


def _belongs(cfg: StrictModel, only: dict[str, tuple], shared_gk: tuple, gk_method: str) -> StrictModel:
    """Refuse a key set (to other than its default) for the other method, e.g. steady_steps with
    method green-kubo."""
    for method, keys in {**only, gk_method: only.get(gk_method, ()) + shared_gk}.items():
        wrong = [k for k in keys if _changed(cfg, k) and cfg.method != method]
        if wrong:
            raise ValueError(f"{wrong[0]} belongs to method {method} (method is {cfg.method})")
    return cfg


MODELS: dict[str, type[StrictModel]] = {"kappa": KappaConfig, "viscosity": ViscosityConfig,
                                        "diffusion": DiffusionConfig, "conductivity": ConductivityConfig,
                                        "run": RunConfig}

_KEY = re.compile(r"^([A-Za-z0-9_]+)")


def load_options(command: str, config: Optional[str | Path] = None, flags: Optional[dict] = None) -> StrictModel:
    """The validated options of ``ptmlp transport <command>``: the config file's mapping (if any)
    overlaid with the command-line ``flags`` (None = not given), validated once. Relative paths
    in the file are relative to its folder; paths in ``flags`` must already be absolute."""
    model = MODELS[command]
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    data = read_yaml(config) if config else {}
    if not isinstance(data, dict):
        raise ConfigError(f"{config}: expected a mapping of keys (key: value), got {type(data).__name__}")
    data.update(flags)
    marker = "\x00source\x00"
    try:
        return validate_config(model, data, source=marker,
                               base_dir=Path(config).resolve().parent if config else Path.cwd())
    except ConfigError as exc:  # name where the bad key came from: the file or the command line
        text = str(exc)
        rest = text[len(marker) + 2:] if text.startswith(marker) else text
        key = _KEY.match(rest)
        source = "command line" if (key and key.group(1) in flags) or not config else str(config)
        raise ConfigError(text.replace(marker, source)) from None
