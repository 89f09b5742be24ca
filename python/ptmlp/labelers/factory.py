"""Build a labeler from plain settings (CLI options or an active-learning config)."""

from __future__ import annotations

import importlib
import math
from typing import Optional, Sequence

from ..errors import InputError
from .base import AseLabeler, Labeler


def make_labeler(kind: str, type_names: Sequence[str], te_K: Optional[float] = None, xc: str = "PBE",
                 ecut_eV: float = 400.0, kpts: Optional[Sequence[int]] = None, pair_style: str = "",
                 pair_coeff: str = "", calculator: str = "") -> Labeler:
    if kind == "gpaw":
        from .gpaw_labeler import GpawLabeler

        if te_K is None:
            raise InputError("GPAW labels need an electronic temperature (te_K, the Fermi-Dirac width k_B T_e)")
        return GpawLabeler(te_K=te_K, xc=xc, ecut_eV=ecut_eV, kpts=tuple(kpts) if kpts else None)
    if kind == "lammps":
        from .lammps_potential import LammpsPotentialLabeler

        if not pair_style or not pair_coeff:
            raise InputError("a LAMMPS labeler needs pair_style and pair_coeff")
        return LammpsPotentialLabeler(pair_style, pair_coeff, type_names)
    if kind == "ase":
        if ":" not in calculator:
            raise InputError(f"ASE labeler calculator {calculator!r} must be module:function")
        module, func = calculator.split(":", 1)
        try:
            factory = getattr(importlib.import_module(module), func)
        except (ImportError, AttributeError) as exc:
            raise InputError(f"ASE labeler calculator {calculator}: {exc}") from None
        return AseLabeler(factory, name=calculator, settings={"calculator": calculator},
                          te_K=math.nan if te_K is None else float(te_K))
    raise InputError(f"labeler kind {kind!r} must be gpaw, lammps or ase")
