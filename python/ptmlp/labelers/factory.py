"""Build a labeler from plain settings (CLI options or an active-learning config)."""

from __future__ import annotations

import math
from typing import Optional, Sequence

from ..errors import InputError
from ..potential import PotentialSpec
from .base import AseLabeler, Labeler


def make_labeler(kind: str, type_names: Sequence[str], te_K: Optional[float] = None, xc: str = "PBE",
                 ecut_eV: float = 400.0, kpts: Optional[Sequence[int]] = None,
                 potential: Optional[PotentialSpec] = None) -> Labeler:
    """``gpaw`` (Fermi-Dirac at ``te_K``), ``lammps`` (a pair-style ``potential``) or ``ase`` (a
    ``potential`` with ``ase_calculator``)."""
    if kind == "gpaw":
        from .gpaw_labeler import GpawLabeler

        if te_K is None:
            raise InputError("GPAW labels need an electronic temperature (te_K, the Fermi-Dirac width k_B T_e)")
        return GpawLabeler(te_K=te_K, xc=xc, ecut_eV=ecut_eV, kpts=tuple(kpts) if kpts else None)
    if kind == "lammps":
        from .lammps_potential import LammpsPotentialLabeler

        if potential is None or potential.kind != "lammps":
            raise InputError("a LAMMPS labeler needs potential: {pair_style: ..., pair_coeff: [...]}")
        if potential.type_names is None:
            potential = potential.model_copy(update={"type_names": list(type_names)})
        return LammpsPotentialLabeler(potential)
    if kind == "ase":
        if potential is None or potential.kind != "ase":
            raise InputError("an ASE labeler needs potential: {ase_calculator: 'module:callable'}")
        return AseLabeler(potential.ase_calculator_instance, name=potential.ase_calculator,
                          settings={"ase_calculator": potential.ase_calculator, "ase_kwargs": potential.ase_kwargs},
                          te_K=math.nan if te_K is None else float(te_K))
    raise InputError(f"labeler kind {kind!r} must be gpaw, lammps or ase")
