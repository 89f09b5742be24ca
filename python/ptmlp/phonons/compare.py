"""Comparison mode: the same phonons from a model and a reference calculator, with RMSEs.

Both calculators see the same structure (relaxed with the reference when a pressure is given),
so the difference measures the force constants, not a lattice-parameter mismatch. RMSEs are in
THz over all branches along the band path and on the DOS mesh (weighted by q-point multiplicity).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from ..relax import check_pressure, relax_to_pressure
from .harmonic import PhononModel, compute_phonons
from .properties import BandStructure, band_structure, total_dos


@dataclass
class PhononComparison:
    model: PhononModel
    reference: PhononModel
    band_model: BandStructure
    band_reference: BandStructure
    dos_model: dict
    dos_reference: dict

    def metrics(self) -> dict:
        fb_m, fb_r = self.band_model.all_frequencies(), self.band_reference.all_frequencies()
        w = self.dos_model["mesh_weights"].astype(float)
        dm = self.dos_model["mesh_frequencies_THz"] - self.dos_reference["mesh_frequencies_THz"]
        rms_mesh = float(np.sqrt((w[:, None] * dm ** 2).sum() / (w.sum() * dm.shape[1])))
        ref_max = float(fb_r.max())
        return {"band_rmse_THz": float(np.sqrt(np.mean((fb_m - fb_r) ** 2))),
                "band_max_abs_diff_THz": float(np.abs(fb_m - fb_r).max()),
                "mesh_rmse_THz": rms_mesh,
                "reference_max_frequency_THz": ref_max,
                "model_max_frequency_THz": float(fb_m.max()),
                "band_rmse_percent_of_max": float(100 * np.sqrt(np.mean((fb_m - fb_r) ** 2)) / ref_max)}


def compare_phonons(atoms, calc, reference_calc, *, pressure_GPa: Optional[float] = None, supercell="auto",
                    cutoff_A: Optional[float] = None, displacement_A: float = 0.01, npoints: int = 51,
                    mesh: Sequence[int] = (20, 20, 20), labels=("model", "reference"),
                    training_pressure_range_GPa=None) -> PhononComparison:
    """Phonons of ``calc`` and ``reference_calc`` on one structure; see :meth:`PhononComparison.metrics`."""
    if pressure_GPa is not None:
        check_pressure(pressure_GPa, training_pressure_range_GPa)
        atoms = relax_to_pressure(atoms, reference_calc, pressure_GPa)
    kw = dict(supercell=supercell, displacement_A=displacement_A, pressure_GPa=None)
    ref = compute_phonons(atoms, reference_calc, cutoff_A=cutoff_A, label=labels[1], **kw)
    mod = compute_phonons(atoms, calc, cutoff_A=cutoff_A if cutoff_A is not None else ref.cutoff_A,
                          label=labels[0], **{**kw, "supercell": ref.settings["supercell_matrix"]})
    band_r, band_m = band_structure(ref, npoints), band_structure(mod, npoints)
    dos_r, dos_m = total_dos(ref, mesh), total_dos(mod, mesh)
    return PhononComparison(mod, ref, band_m, band_r, dos_m, dos_r)
