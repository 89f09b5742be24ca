"""``ptmlp melt`` configuration: typed sections of :class:`MeltConfig` (``ptmlp melt --example``
prints every key with its default and meaning).

Every length is in angstrom, time in ps, temperature in K and pressure in GPa; the unit is in the
key name. ``structure:`` is the one :class:`~ptmlp.structures.StructureSpec` and ``potential:``
the one :class:`~ptmlp.potential.PotentialSpec` of every workflow; ``allow_p1`` (accept a
structure without symmetry) is a top-level key because the crystallinity check is melting's own.
Paths are relative to the config file's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional, Union

from pydantic import AfterValidator, Field, ValidationError, WrapValidator, field_validator, model_validator

from ..config import StrictModel, field, load_config, validate_config
from ..config.types import OutputPath
from ..potential import PotentialSpec
from ..structures import StructureSpec

#: sane ranges: the workflow refuses values outside them (a typo such as 3300 instead of 330 GPa)
PRESSURE_RANGE_GPA = (-20.0, 2000.0)
TEMPERATURE_RANGE_K = (1.0, 100000.0)
#: LAMMPS random seeds must be positive and below 900 million (velocity, fix langevin)
SEED_RANGE = (1, 899999999)


def _sane(lo: float, hi: float, unit: str, hint: str = ""):
    def check(value: float) -> float:
        if not lo <= value <= hi:
            raise ValueError(f"out of the sane range [{lo:g}, {hi:g}] {unit}{hint}")
        return value
    return AfterValidator(check)


def _one_or_per_pressure(value, handler):
    """A number or a list of numbers: report only the problem of the form that was given (the
    number's when a number was given, the list's when a list was)."""
    try:
        return handler(value)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        given = [e for e in errors if (len(e["loc"]) > 1 or str(e["loc"][0]).startswith("list")) == isinstance(value, list)]
        err = (given or errors)[0]
        item = next((f"item [{p}] = {err['input']!r}: " for p in err["loc"] if isinstance(p, int)), "")
        if err["type"] == "value_error":
            raise ValueError(item + str(err["msg"]).removeprefix("Value error, ")) from None
        raise ValueError(item + "expected a number, or a list of numbers (one per entry of pressures_GPa)") from None


PressureGPa = Annotated[float, _sane(*PRESSURE_RANGE_GPA, "GPa", " (pressures are in GPa, not bar)")]
TemperatureK = Annotated[float, _sane(*TEMPERATURE_RANGE_K, "K")]
#: one temperature for every pressure, or one per entry of pressures_GPa
PerPressureK = Annotated[Optional[Union[TemperatureK, list[TemperatureK]]], WrapValidator(_one_or_per_pressure)]
Seed = Annotated[int, Field(ge=SEED_RANGE[0], le=SEED_RANGE[1])]


def per_pressure(value, index: int):
    """``value`` for pressure number ``index``: a single number applies to every pressure."""
    return value[index] if isinstance(value, list) else value


def _no_duplicates(values: list) -> list:
    if len(set(values)) != len(values):
        raise ValueError("has duplicates")
    return values


class CellConfig(StrictModel):
    """Size of the coexistence cell; the interface is normal to z (the long axis)."""

    replicate: Optional[list[Annotated[int, Field(ge=1)]]] = field(
        None, "explicit [nx, ny, nz] of the conventional cell (default: sized from the cutoff)",
        min_length=3, max_length=3)
    min_lateral_A: float = field(0.0, "lateral sides at least this (A; always >= 2 x cutoff + 1 A)", ge=0.0, le=1e4)
    long_over_lateral: float = field(3.0, "Lz / max(Lx, Ly) of the interface cell", ge=1.0, le=50.0)


class MDConfig(StrictModel):
    """Run lengths, time step and thermostat / barostat damping of every LAMMPS run."""

    timestep_ps: float = field(0.001, "MD time step (ps)", ge=1e-5, le=0.1)
    solid_equilibration_ps: float = field(10.0, "t_solid: NPT of the crystal at (P, T) (ps)", ge=0.0, le=1e6)
    melt_ps: float = field(10.0, "t_melt: upper half at melt_factor x T, lower half held (ps)", gt=0.0, le=1e6)
    cool_ps: float = field(5.0, "t_cool: liquid half brought to T (ps)", ge=0.0, le=1e6)
    coexistence_ps: float = field(50.0, "t_coex: the coexistence run (ps)", gt=0.0)
    discard_ps: float = field(5.0, "start of the coexistence run left out of the analysis (ps)", ge=0.0, le=1e6)
    reference_ps: float = field(10.0, "sampling time of the pure-solid / pure-liquid calibration runs (ps)", gt=0.0)
    melt_factor: float = field(1.6, "the upper half melts at melt_factor x T", ge=1.05, le=5.0)
    thermostat_damp_ps: float = field(0.1, "thermostat damping time (ps)", gt=0.0)
    barostat_damp_ps: float = field(1.0, "barostat damping time (ps)", gt=0.0)
    sample_every_steps: int = field(100, "time-series sampling interval (steps)", ge=1, le=10**7)

    @model_validator(mode="after")
    def _enough_samples(self) -> "MDConfig":
        if self.discard_ps >= self.coexistence_ps:
            raise ValueError(f"discard_ps = {self.discard_ps:g} ps must be shorter than coexistence_ps = "
                             f"{self.coexistence_ps:g} ps")
        n_samples = (self.coexistence_ps - self.discard_ps) / (self.timestep_ps * self.sample_every_steps)
        if n_samples < 10:
            raise ValueError(f"only {n_samples:.0f} samples after discard_ps; lengthen coexistence_ps or lower "
                             "sample_every_steps (need >= 10)")
        return self


class OrderConfig(StrictModel):
    """Phase classifier: q6 solid bonds (compute orientorder/atom + coord/atom orientorder)."""

    cutoff_A: Optional[float] = field(None, "neighbour shell (A); default: mid-gap of the crystal's shells", gt=0.0)
    bond_threshold: float = field(0.5, "normalised q6(i).q6(j) of a solid bond", ge=0.0, le=1.0)
    types: list[Annotated[int, Field(ge=1)]] = field(default_factory=list,
                                                     description="LAMMPS types classified ([] = all atoms)")
    max_misclassification: float = field(0.15, "refuse a calibration worse than this (solid + liquid fraction)",
                                         ge=0.0, le=1.0)


class BracketConfig(StrictModel):
    """NPT bracket: T_low (solid must grow) and T_high (liquid must grow), then bisection."""

    T_low_K: PerPressureK = field(None, "method bracket: the solid grows here (K); one value or one per "
                                        "entry of pressures_GPa [1..100000]", examples=[1700.0])
    T_high_K: PerPressureK = field(None, "method bracket: the liquid grows here (K); one value or one per "
                                         "entry of pressures_GPa [1..100000]", examples=[1850.0])
    tolerance_K: float = field(10.0, "stop when T_high - T_low <= tolerance_K (K)", gt=0.0)
    max_bisections: int = field(6, "at most this many bisection steps", ge=0, le=30)
    min_change: float = field(0.04, "|change of the solid fraction| over a run needed for a verdict", ge=0.0, le=1.0)
    significance: float = field(3.0, "|change| / its standard error needed for a verdict", gt=0.0)


class NPHConfig(StrictModel):
    """NPH coexistence: both phases start near T_m; the cell settles at T_m."""

    start_T_K: PerPressureK = field(None, "method nph: both phases start here, near T_m (K); one value or one "
                                          "per entry of pressures_GPa [1..100000]")
    retries: int = field(2, "restarts from a corrected start T when a run melts or freezes completely", ge=0, le=10)


class SettleConfig(StrictModel):
    """When a run counts as settled, and how it is extended when it has not (ptmlp.uncertainty.trend)."""

    drift_sigma: float = field(2.0, "an NPH coexistence run is settled when its T drift and solid-fraction change "
                                    "over the analysed window are within this many of their own errors; a "
                                    "reference run when its volume drift is", gt=0.0, le=10.0)
    solid_fraction_band: list[Annotated[float, Field(ge=0.0, le=1.0)]] = field(
        default_factory=lambda: [0.1, 0.9], min_length=2, max_length=2,
        description="an NPH run whose solid fraction leaves [low, high] in the analysed window has (nearly) lost "
                    "an interface: it restarts from a corrected start T instead of being extended")
    extend_ps: Optional[float] = field(None, "length of one extension of an unsettled NPH run (ps; default: the "
                                             "analysed window, coexistence_ps - discard_ps); the analysed window "
                                             "moves to the end of the extended run", gt=0.0)
    max_extensions: int = field(2, "extensions of an unsettled run (NPH coexistence: then it restarts from where "
                                   "it ended; reference: then it is used with a warning)", ge=0, le=20)

    @model_validator(mode="after")
    def _band_order(self) -> "SettleConfig":
        lo, hi = self.solid_fraction_band
        if not lo < hi:
            raise ValueError(f"solid_fraction_band [{lo:g}, {hi:g}]: low must be below high")
        return self


class MeltConfig(StrictModel):
    """Melting temperature(s) by solid-liquid coexistence (``ptmlp melt``)."""

    structure: StructureSpec = field(description="the crystal (ase.build.bulk or a file); its conventional "
                                                 "cell is replicated into the interface cell")
    potential: PotentialSpec = field(description="the interaction in LAMMPS: a ptmlp model or any pair_style")
    allow_p1: bool = field(False, "accept a structure in which spglib finds no symmetry (a genuine P1 crystal)")
    method: Literal["bracket", "nph"] = field("bracket", "bracket (NPT runs + bisection) or nph (coexistence "
                                                         "in NPH)")
    pressures_GPa: list[PressureGPa] = field(default_factory=lambda: [0.0], min_length=1,
                                             description="pressures (GPa), one T_m each [-20..2000]")
    bracket: BracketConfig = field(default_factory=BracketConfig, description="method bracket")
    nph: NPHConfig = field(default_factory=NPHConfig, description="method nph")
    seeds: list[Seed] = field(default_factory=lambda: [1], min_length=1,
                              description="independent repeats, one coexistence run each [1..899999999]")
    cell: CellConfig = field(default_factory=CellConfig, description="the interface cell")
    md: MDConfig = field(default_factory=MDConfig, description="run lengths and damping")
    settle: SettleConfig = field(default_factory=SettleConfig, description="acceptance of runs and their "
                                                                           "extensions")
    order: OrderConfig = field(default_factory=OrderConfig, description="the solid/liquid label")
    workdir: OutputPath = field("melt_run", "work folder: every run, summary.json, time series, plots")
    nprocs: int = field(1, "MPI ranks per LAMMPS run", ge=1, le=100000)
    parallel_runs: int = field(1, "LAMMPS runs at once on this machine", ge=1, le=1000)
    run_timeout_s: Optional[float] = field(None, "wall-clock limit of one LAMMPS run (s)", gt=0.0)
    confidence: float = field(0.68, "confidence level of the Simon-Glatzel band", ge=0.01, le=0.999)
    units: Literal["metal", "lj"] = field("metal", "units of the summary and plots: metal (K, GPa) or lj (also "
                                                   "reduced T* = k T / epsilon, P* = P sigma^3 / epsilon, from an "
                                                   "lj/* pair_coeff)")

    @field_validator("pressures_GPa", "seeds")
    @classmethod
    def _distinct(cls, values: list) -> list:
        return _no_duplicates(values)

    @model_validator(mode="after")
    def _method_needs(self) -> "MeltConfig":
        if self.potential.kind == "ase":
            raise ValueError("potential.ase_calculator: ptmlp melt runs LAMMPS; give potential.model or "
                             "potential.pair_style")
        n_p = len(self.pressures_GPa)
        if self.method == "bracket":
            b = self.bracket
            if b.T_low_K is None or b.T_high_K is None:
                raise ValueError("method bracket needs bracket.T_low_K and bracket.T_high_K (K)")
            _check_length("bracket.T_low_K", b.T_low_K, n_p)
            _check_length("bracket.T_high_K", b.T_high_K, n_p)
            for k in range(n_p):
                lo, hi = per_pressure(b.T_low_K, k), per_pressure(b.T_high_K, k)
                if not lo < hi:
                    raise ValueError(f"bracket.T_low_K = {lo:g} K must be below bracket.T_high_K = {hi:g} K")
        if self.units == "lj":
            lj_parameters(self.potential)  # refuses a potential that is not Lennard-Jones
        if self.method == "nph":
            if self.nph.start_T_K is None:
                raise ValueError("method nph needs nph.start_T_K (K), a temperature near the expected T_m")
            _check_length("nph.start_T_K", self.nph.start_T_K, n_p)
        return self


def lj_parameters(potential: PotentialSpec) -> tuple[float, float]:
    """(epsilon_eV, sigma_A) of a one-type Lennard-Jones potential (pair_style lj/*, pair_coeff 1 1 eps sigma)."""
    style = (potential.pair_style or "").split()
    coeff = potential.pair_coeff[0].split() if potential.pair_coeff else []
    if not style or not style[0].startswith("lj/") or len(potential.pair_coeff or []) != 1 or len(coeff) < 4:
        raise ValueError(f"units lj needs a one-type Lennard-Jones potential (pair_style lj/..., pair_coeff "
                         f"['1 1 epsilon_eV sigma_A']), got pair_style {potential.pair_style!r}; use units metal")
    try:
        return float(coeff[2]), float(coeff[3])
    except ValueError:
        raise ValueError(f"units lj: pair_coeff {potential.pair_coeff[0]!r} has no numeric epsilon and sigma") from None


def _check_length(key: str, value, n_pressures: int) -> None:
    if isinstance(value, list) and len(value) != n_pressures:
        raise ValueError(f"{key} has {len(value)} values for {n_pressures} pressures; give one value or one "
                         "per entry of pressures_GPa")


def from_yaml(path: str | Path) -> MeltConfig:
    """Read and validate a ``ptmlp melt`` YAML file (relative paths are relative to it)."""
    return load_config(MeltConfig, path)


def from_mapping(data: dict, base_dir: str | Path = ".", source: str = "melt config") -> MeltConfig:
    """Validate a mapping; relative paths are relative to ``base_dir``."""
    return validate_config(MeltConfig, data, source=source, base_dir=base_dir)
