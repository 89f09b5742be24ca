"""Label structures with a GPAW reference ELF grid (plane waves, Fermi-Dirac occupations)."""

from __future__ import annotations

import math
import time
from typing import Any, Optional

import numpy as np
from ase import Atoms, units

from ..errors import InputError
from ..labelers.gpaw_labeler import GpawLabeler
from .grid import ElfGrid, grid_shape_for_spacing
from .reference import elf_from_gpaw


class GpawElfLabeler:
    """SCF with :class:`ptmlp.labelers.gpaw_labeler.GpawLabeler` settings, then the ELF spectrally on a
    grid of spacing <= ``grid_spacing_A`` (see :mod:`ptmlp.elf.reference`)."""

    def __init__(self, te_K: float, xc: str = "PBE", ecut_eV: float = 350.0,
                 kpts: Optional[tuple[int, int, int]] = (2, 2, 2), grid_spacing_A: float = 0.1,
                 scf_energy_tol_eV: float = 1e-5):
        if not grid_spacing_A > 0:
            raise InputError(f"grid_spacing_A={grid_spacing_A} must be positive")
        self.dft = GpawLabeler(te_K=te_K, xc=xc, ecut_eV=ecut_eV, kpts=kpts, scf_energy_tol_eV=scf_energy_tol_eV)
        self.grid_spacing_A = float(grid_spacing_A)

    def settings(self) -> dict[str, Any]:
        out = self.dft.settings()
        out.update(grid_spacing_A=self.grid_spacing_A, elf="spectral, PAW pseudo wave functions "
                   "(ptmlp.elf.reference)")
        return out

    def label(self, atoms: Atoms, group: str = "", temperature_K: float = math.nan,
              extra: Optional[dict[str, Any]] = None) -> ElfGrid:
        """ELF grid of ``atoms``; pressure_GPa = DFT static pressure + N k_B T / V when T is known."""
        work = atoms.copy()
        work.calc = self.dft.make_calculator()
        t0 = time.time()
        work.get_potential_energy()
        stress = work.get_stress()
        shape = grid_shape_for_spacing(work.cell.array, self.grid_spacing_A)
        elf, info = elf_from_gpaw(work.calc, shape)
        p_static = float(-stress[:3].mean() / units.GPa)
        p_ideal = len(work) * units.kB * temperature_K / work.get_volume() / units.GPa \
            if math.isfinite(temperature_K) else 0.0
        prov = {"labeler": self.settings(), "static_pressure_GPa": p_static,
                "free_energy_eV": float(work.calc.get_property("free_energy", work)),
                "pseudo_electrons_on_grid": info["n_electrons_on_grid"], "label_time_s": round(time.time() - t0, 2)}
        prov.update(extra or {})
        return ElfGrid(atoms.copy(), elf.astype(np.float32), group, float(temperature_K), p_static + p_ideal, prov)
