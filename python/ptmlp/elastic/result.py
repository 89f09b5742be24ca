"""``ElasticResult``: a stiffness tensor with its errors, and everything derived from it.

Derived quantities (moduli, velocities, anisotropy, Born stability, PREM comparison) are
computed from the symmetry-projected tensor; ``summary()`` returns a JSON-ready dict whose
keys carry their units (GPa, g/cm^3, km/s) and in which every value has an ``_err`` partner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from ..errors import InputError
from .christoffel import anisotropy, christoffel_velocities
from .moduli import born_stability, isotropic_velocities, vrh, with_errors
from .prem import prem_at_pressure
from .symmetry import SymmetryInfo, independent_constants, rotate_errors, to_standard_frame

#: 1 amu / angstrom^3 in g/cm^3
AMU_PER_A3_TO_G_PER_CM3 = 1.66053906660


def density_g_per_cm3(atoms) -> float:
    """Mass density of ``atoms`` (g/cm^3)."""
    return float(atoms.get_masses().sum() / atoms.get_volume() * AMU_PER_A3_TO_G_PER_CM3)


def _fmt(values: dict, errors: dict, unit: str) -> dict:
    out = {}
    for key, val in values.items():
        out[f"{key}_{unit}"] = float(val)
        out[f"{key}_err_{unit}"] = float(errors.get(key, float("nan")))
    return out


@dataclass
class ElasticResult:
    """Stiffness C_ij (GPa; at pressure these are the stress-strain coefficients B_ij that govern
    wave propagation and stability) of one state (P, T), in the Cartesian frame of the input cell."""

    C_GPa: np.ndarray
    C_err_GPa: Optional[np.ndarray]
    C_sym_GPa: np.ndarray
    C_sym_err_GPa: Optional[np.ndarray]
    symmetry: SymmetryInfo
    imposed_system: str
    density_g_per_cm3: float
    pressure_GPa: float
    pressure_err_GPa: float
    temperature_K: float
    method: str
    n_atoms: int
    volume_A3: float
    settings: dict = field(default_factory=dict)

    # --- derived -------------------------------------------------------------------------
    def moduli(self) -> tuple[dict, dict]:
        return with_errors(vrh, self.C_sym_GPa, self.C_sym_err_GPa)

    def velocities(self) -> tuple[dict, dict]:
        rho = self.density_g_per_cm3

        def func(c):
            m = vrh(c)
            return isotropic_velocities(m["K_hill"], m["G_hill"], rho)
        return with_errors(func, self.C_sym_GPa, self.C_sym_err_GPa)

    def born(self) -> dict:
        system = self.imposed_system if self.imposed_system != "none" else None
        return born_stability(self.C_sym_GPa, system)

    def anisotropy(self) -> dict:
        return anisotropy(self.C_sym_GPa, self.density_g_per_cm3)

    def direction_velocities(self, directions=((1, 0, 0), (1, 1, 0), (1, 1, 1), (0, 0, 1))) -> list[dict]:
        out = []
        for d in directions:
            v = christoffel_velocities(self.C_sym_GPa, self.density_g_per_cm3, d)
            v.pop("polarisations")
            v["direction_input_frame"] = list(d)
            out.append(v)
        return out

    def standard_frame(self) -> tuple[np.ndarray, Optional[np.ndarray]]:
        c = to_standard_frame(self.C_sym_GPa, self.symmetry)
        e = None if self.C_sym_err_GPa is None else rotate_errors(self.C_sym_err_GPa, self.symmetry.std_rotation)
        return c, e

    def independent(self) -> dict[str, tuple[float, float]]:
        c, e = self.standard_frame()
        return independent_constants(c, e, self.symmetry, self.imposed_system)

    def prem_comparison(self) -> Optional[dict]:
        """Model velocities vs PREM at the depth whose pressure matches (None outside 0-364 GPa)."""
        try:
            prem = prem_at_pressure(self.pressure_GPa)
        except InputError:  # outside 0-364 GPa: no PREM depth matches
            return None
        (vel, err) = self.velocities()
        out = {"prem_depth_km": prem["depth_km"], "prem_layer": prem["layer"],
               "prem_density_g_per_cm3": prem["density_g_per_cm3"], "prem_vp_km_per_s": prem["vp_km_per_s"],
               "prem_vs_km_per_s": prem["vs_km_per_s"],
               "model_density_g_per_cm3": self.density_g_per_cm3,
               "model_vp_km_per_s": vel["vp_km_per_s"], "model_vp_err_km_per_s": err["vp_km_per_s"],
               "model_vs_km_per_s": vel["vs_km_per_s"], "model_vs_err_km_per_s": err["vs_km_per_s"]}
        out["dvp_percent"] = 100.0 * (vel["vp_km_per_s"] / prem["vp_km_per_s"] - 1.0)
        out["dvs_percent"] = (100.0 * (vel["vs_km_per_s"] / prem["vs_km_per_s"] - 1.0)
                              if prem["vs_km_per_s"] > 0 else None)
        out["ddensity_percent"] = 100.0 * (self.density_g_per_cm3 / prem["density_g_per_cm3"] - 1.0)
        return out

    def summary(self) -> dict:
        mod, mod_err = self.moduli()
        vel, vel_err = self.velocities()
        ind = self.independent()
        c_std, e_std = self.standard_frame()
        nan_or = lambda a: None if a is None else np.asarray(a).round(6).tolist()  # noqa: E731
        out = {
            "method": self.method, "temperature_K": self.temperature_K,
            "pressure_GPa": self.pressure_GPa, "pressure_err_GPa": self.pressure_err_GPa,
            "n_atoms": self.n_atoms, "volume_A3": self.volume_A3,
            "density_g_per_cm3": self.density_g_per_cm3,
            "space_group": self.symmetry.space_group, "space_group_number": self.symmetry.space_group_number,
            "crystal_system": self.symmetry.crystal_system, "imposed_symmetry": self.imposed_system,
            "independent_constants_GPa": {k: v for k, (v, _e) in ind.items()},
            "independent_constants_err_GPa": {k: e for k, (_v, e) in ind.items()},
            "C_ij_standard_frame_GPa": nan_or(c_std), "C_ij_standard_frame_err_GPa": nan_or(e_std),
            "C_ij_raw_input_frame_GPa": nan_or(self.C_GPa), "C_ij_raw_input_frame_err_GPa": nan_or(self.C_err_GPa),
            "moduli": _fmt({k: v for k, v in mod.items() if k != "universal_anisotropy_AU"},
                           mod_err, "GPa"),
            "universal_anisotropy_AU": mod["universal_anisotropy_AU"],
            "universal_anisotropy_AU_err": mod_err["universal_anisotropy_AU"],
            "velocities": {**{k: v for k, v in vel.items()},
                           **{k.replace("_km_per_s", "_err_km_per_s"): e for k, e in vel_err.items()}},
            "anisotropy": self.anisotropy(),
            "born_stability": self.born(),
            "direction_velocities": self.direction_velocities(),
            "settings": self.settings,
        }
        if self.symmetry.crystal_system == "cubic":
            c11, c12, c44 = (c_std[0, 0], c_std[0, 1], c_std[3, 3])
            out["anisotropy"]["zener_ratio"] = float(2 * c44 / (c11 - c12)) if c11 != c12 else None
        prem = self.prem_comparison()
        if prem is not None:
            out["prem_comparison"] = prem
        return out
