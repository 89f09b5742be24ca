"""Units of what the transport analyses show: SI (plots in ps, A, K, W/(m K), mPa s, ...) or, on
request (``units: lj``), reduced Lennard-Jones units of a given (epsilon, sigma, mass)
(:class:`~ptmlp.transport.constants.LJUnits`): plot axes and slopes in them, and a ``reduced_lj``
block in ``summary.json`` with every SI number that has a reduced counterpart converted.

The analyses stay in SI; this module only converts what is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from . import constants as C


@dataclass(frozen=True)
class Axis:
    """An SI quantity shown as ``value * scale`` in ``unit``."""

    scale: float
    unit: str


#: SI base unit -> shown SI unit
_SI = {"time": Axis(1e12, "ps"), "frequency": Axis(1e-12, "THz"), "length": Axis(1e10, "Å"),
       "temperature": Axis(1.0, "K"), "kappa": Axis(1.0, "W/(m K)"), "viscosity": Axis(1e3, "mPa s"),
       "diffusion": Axis(1e9, "10⁻⁹ m²/s"), "area": Axis(1e20, "Å²"), "velocity": Axis(1e-2, "Å/ps"),
       "rate": Axis(1e-9, "1/ns"), "inverse_length": Axis(1e-9, "1/nm"), "pressure": Axis(1e-9, "GPa"),
       "volume": Axis(1e30, "Å³"), "conductivity": Axis(1.0, "S/m")}


class DisplayUnits:
    """SI (``lj`` None) or reduced LJ units for plots and the ``reduced_lj`` summary block."""

    def __init__(self, lj: Optional[C.LJUnits] = None):
        self.lj = lj

    @property
    def name(self) -> str:
        return "lj" if self.lj else "si"

    def axis(self, kind: str) -> Axis:
        """How an SI quantity of ``kind`` (time, length, temperature, kappa, viscosity, diffusion,
        area, velocity, rate, inverse_length, frequency, pressure, volume) is shown."""
        if self.lj is None or kind == "conductivity":  # no reduced LJ charge: S/m either way
            return _SI[kind]
        lj = self.lj
        tau, sigma, eps = lj.time_s, lj.sigma_m, lj.epsilon_J
        return {"time": Axis(1 / tau, "τ"), "frequency": Axis(tau, "1/τ"), "length": Axis(1 / sigma, "σ"),
                "temperature": Axis(C.KB_J_PER_K / eps, "ε/k_B"), "kappa": Axis(1 / lj.kappa_W_per_mK(1.0), "k_B/(σ τ)"),
                "viscosity": Axis(1 / lj.viscosity_Pa_s(1.0), "ε τ/σ³"), "diffusion": Axis(1 / lj.D_m2_per_s(1.0), "σ²/τ"),
                "area": Axis(1 / sigma ** 2, "σ²"), "velocity": Axis(tau / sigma, "σ/τ"), "rate": Axis(tau, "1/τ"),
                "inverse_length": Axis(sigma, "1/σ"), "pressure": Axis(sigma ** 3 / eps, "ε/σ³"),
                "volume": Axis(1 / sigma ** 3, "σ³")}[kind]

    def slope_unit(self, y_kind: str, x_kind: str) -> Axis:
        """The unit of dy/dx (e.g. K/Å, (Å/ps)/Å)."""
        y, x = self.axis(y_kind), self.axis(x_kind)
        num = f"({y.unit})" if "/" in y.unit or " " in y.unit else y.unit
        return Axis(y.scale / x.scale, f"{num}/{x.unit}")

    def describe(self) -> dict:
        """The ``lj_units`` summary block: the parameters and what the reduced numbers mean."""
        lj = self.lj
        return {"epsilon_eV": lj.epsilon_J / C.EV_J, "sigma_A": lj.sigma_m / C.ANGSTROM_M,
                "mass_g_per_mol": lj.mass_kg / C.GRAM_PER_MOL_KG, "tau_ps": lj.time_s / C.PS_S,
                "meaning": "reduced Lennard-Jones units: T* = k_B T/epsilon, t* = t/tau, tau = sigma sqrt(m/epsilon), "
                           "kappa* = kappa sigma^2 sqrt(m/epsilon)/k_B, eta* = eta sigma^2/sqrt(m epsilon), "
                           "D* = D sqrt(m/epsilon)/sigma, p* = p sigma^3/epsilon, lengths in sigma"}

    def reduced(self, summary: dict) -> dict:
        """Every SI number of ``summary`` (nested too) with a reduced counterpart, converted; its key
        has ``lj`` in place of the SI unit (``viscosity_Pa_s_err`` -> ``viscosity_lj_err``)."""
        return _reduce(summary, self) or {}


# key suffix / infix (SI unit in the key) -> (kind, factor to SI base units)
_TOKENS = [("_W_per_mK", "kappa", 1.0), ("_Pa_s", "viscosity", 1.0), ("_m2_per_s", "diffusion", 1.0),
           ("_per_s", "rate", 1.0), ("_GPa", "pressure", 1e9), ("_Pa", "pressure", 1.0), ("_THz", "frequency", 1e12),
           ("_ps", "time", C.PS_S), ("_A3", "volume", C.ANGSTROM_M ** 3), ("_A2", "area", C.ANGSTROM_M ** 2),
           ("_A", "length", C.ANGSTROM_M), ("_K", "temperature", 1.0)]


def _token(key: str):
    for token, kind, factor in _TOKENS:
        m = re.search(r"(?<!_per)" + re.escape(token) + r"(?=$|_(err|stat_err|sys_err)$)", key)
        if m:
            return token, kind, factor, m
    return None


def _convert(value: Any, scale: float) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value * scale
    if isinstance(value, list) and all(isinstance(v, (int, float, list)) and not isinstance(v, bool) or v is None
                                       for v in value):
        return [_convert(v, scale) for v in value]
    return None


def _reduce(obj: Any, units: DisplayUnits) -> Any:
    if isinstance(obj, list):
        done = [_reduce(v, units) for v in obj]
        return done if any(d for d in done) else None
    if not isinstance(obj, dict):
        return None
    out = {}
    for key, value in obj.items():
        hit = _token(key.removesuffix("_error_model"))
        if hit and not isinstance(value, (dict, str)):
            token, kind, factor, m = hit
            conv = _convert(value, factor * units.axis(kind).scale)
            if conv is not None or value is None:
                out[key[:m.start()] + "_lj" + key[m.end():]] = conv
        elif hit and isinstance(value, dict) and not key.endswith("_error_model"):  # {name: number}
            token, kind, factor, m = hit
            conv = {k: _convert(v, factor * units.axis(kind).scale) for k, v in value.items()}
            if all(v is not None for v in conv.values()):
                out[key[:m.start()] + "_lj" + key[m.end():]] = conv
        elif isinstance(value, (dict, list)):
            sub = _reduce(value, units)
            if sub:
                name = key[:hit[3].start()] + "_lj" + key[hit[3].end():] if hit else key
                out[name] = sub
    if out:  # keep what names the entry
        out.update({k: obj[k] for k in _NAMES if isinstance(obj.get(k), str)})
    return out


#: string keys copied next to converted numbers, so that entries of lists stay recognisable
_NAMES = ("form", "folder", "input")
