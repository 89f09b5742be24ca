"""Units of the summary and plots: metal (K, GPa, A^-3) or Lennard-Jones reduced units (``units: lj``):
T* = k_B T / epsilon, P* = P sigma^3 / epsilon, rho* = rho sigma^3, with epsilon and sigma from the
potential's ``pair_coeff`` (:func:`ptmlp.melting.config.lj_parameters`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..units import EV_PER_A3_TO_GPA, KB_EV_PER_K  # ASE (CODATA 2014) constants, as everywhere in ptmlp


@dataclass(frozen=True)
class UnitView:
    """Converts K / GPa / A^-3 to the units shown (identity for metal units)."""

    epsilon_eV: Optional[float] = None
    sigma_A: Optional[float] = None

    @property
    def reduced(self) -> bool:
        return self.epsilon_eV is not None

    @property
    def T_unit(self) -> str:
        return "epsilon/k_B" if self.reduced else "K"

    @property
    def P_unit(self) -> str:
        return "epsilon/sigma^3" if self.reduced else "GPa"

    @property
    def rho_unit(self) -> str:
        return "sigma^-3" if self.reduced else "A^-3"

    @property
    def T_name(self) -> str:
        return "T*" if self.reduced else "T"

    @property
    def P_name(self) -> str:
        return "P*" if self.reduced else "P"

    def T(self, t_k):
        return np.asarray(t_k, float) * KB_EV_PER_K / self.epsilon_eV if self.reduced else np.asarray(t_k, float)

    def P(self, p_gpa):
        if not self.reduced:
            return np.asarray(p_gpa, float)
        return np.asarray(p_gpa, float) / EV_PER_A3_TO_GPA * self.sigma_A ** 3 / self.epsilon_eV

    def rho(self, rho_per_A3):
        return np.asarray(rho_per_A3, float) * (self.sigma_A ** 3 if self.reduced else 1.0)

    dT = T  # errors scale like the values (no offsets)
    dP = P

    def summary(self, result: dict) -> dict:
        """The reduced-unit copy of a per-pressure result's numbers (``units: lj``)."""
        out = {"epsilon_eV": self.epsilon_eV, "sigma_A": self.sigma_A,
               "conversion": "T* = k_B T / epsilon (k_B = 8.617333262e-5 eV/K), P* = P sigma^3 / epsilon "
                             "(1 eV/A^3 = 160.21766208 GPa)"}
        for key in ("T_melt", "T_melt_err", "T_melt_stat_err", "T_melt_sys_err"):
            v = result.get(f"{key}_K")
            out[f"{key}_lj"] = None if v is None else float(self.T(v))
        for key in ("pressure", "pressure_err", "pressure_stat_err", "pressure_sys_err"):
            v = result.get(f"{key}_GPa")
            out[f"{key}_lj"] = None if v is None else float(self.P(v))
        return out


def unit_view(cfg) -> UnitView:
    """The view of a :class:`~ptmlp.melting.config.MeltConfig` (``units``)."""
    if getattr(cfg, "units", "metal") != "lj":
        return UnitView()
    from .config import lj_parameters

    eps, sigma = lj_parameters(cfg.potential)
    return UnitView(eps, sigma)
