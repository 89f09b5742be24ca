"""PREM (Dziewonski & Anderson 1981) at a depth or at a pressure, for comparing model velocities.

Pressure and gravity come from integrating hydrostatic equilibrium, dP/dr = -rho g, with
g = G m(r) / r^2, on the published density polynomials (``prem_data``). ``prem_at_pressure``
inverts P(depth) so a model computed at a pressure can be compared with PREM at the matching
depth. At a discontinuity the deeper layer's values are returned (``side="deeper"``) unless
``side="shallower"`` is asked (e.g. the CMB: outer core vs D'').
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..errors import InputError
from .prem_data import EARTH_RADIUS_KM, PREM_LAYERS

GRAVITATIONAL_CONSTANT = 6.67430e-11  # m^3 kg^-1 s^-2 (CODATA 2018)


def _poly(coeffs, x):
    a0, a1, a2, a3 = coeffs
    return a0 + x * (a1 + x * (a2 + x * a3))


def _layer_index(r_km: float, side: str) -> int:
    for k, (_, lo, hi, *_rest) in enumerate(PREM_LAYERS):
        if side == "deeper" and lo < r_km <= hi or side == "shallower" and lo <= r_km < hi:
            return k
    return 0 if r_km <= 0 else len(PREM_LAYERS) - 1


def prem_at_radius(r_km: float, side: str = "deeper") -> dict:
    """PREM density (g/cm^3), Vp, Vs (km/s) and layer name at radius ``r_km``."""
    if side not in ("deeper", "shallower"):
        raise InputError(f"side {side!r} must be 'deeper' or 'shallower'")
    if not 0.0 <= r_km <= EARTH_RADIUS_KM:
        raise InputError(f"radius {r_km} km is outside the Earth (0 to {EARTH_RADIUS_KM} km)")
    name, _lo, _hi, rho, vp, vs = PREM_LAYERS[_layer_index(r_km, side)]
    x = r_km / EARTH_RADIUS_KM
    return {"layer": name, "radius_km": r_km, "depth_km": EARTH_RADIUS_KM - r_km,
            "density_g_per_cm3": _poly(rho, x), "vp_km_per_s": _poly(vp, x), "vs_km_per_s": _poly(vs, x)}


@lru_cache(maxsize=1)
def _profile(n_per_layer: int = 400):
    """Radius grid (km, centre -> surface) with duplicated nodes at discontinuities, and P (GPa), g (m/s^2)."""
    r_list, rho_list = [], []
    for name, lo, hi, rho, *_ in PREM_LAYERS:
        r = np.linspace(lo, hi, n_per_layer)
        r_list.append(r)
        rho_list.append(_poly(rho, r / EARTH_RADIUS_KM))
    r_km = np.concatenate(r_list)
    rho = np.concatenate(rho_list) * 1000.0  # kg/m^3
    r_m = r_km * 1000.0
    # mass enclosed: cumulative trapezoid of 4 pi r^2 rho (zero-width steps at discontinuities add nothing)
    dm = 0.5 * (4 * np.pi * r_m[1:] ** 2 * rho[1:] + 4 * np.pi * r_m[:-1] ** 2 * rho[:-1]) * np.diff(r_m)
    mass = np.concatenate([[0.0], np.cumsum(dm)])
    g = np.where(r_m > 0, GRAVITATIONAL_CONSTANT * mass / np.maximum(r_m, 1.0) ** 2, 0.0)
    integrand = rho * g
    dp = 0.5 * (integrand[1:] + integrand[:-1]) * np.diff(r_m)
    p_from_centre = np.concatenate([[0.0], np.cumsum(dp)])
    pressure = (p_from_centre[-1] - p_from_centre) / 1e9  # GPa, zero at the surface
    return r_km, pressure, g, mass[-1]


def prem_pressure_GPa(depth_km: float) -> float:
    """Hydrostatic pressure of PREM (GPa) at ``depth_km``."""
    r_km, p, _g, _m = _profile()
    r = EARTH_RADIUS_KM - depth_km
    if not 0.0 <= r <= EARTH_RADIUS_KM:
        raise InputError(f"depth {depth_km} km is outside the Earth (0 to {EARTH_RADIUS_KM} km)")
    # the profile is monotonic in r; np.interp needs increasing x (duplicates at discontinuities are fine)
    return float(np.interp(r, r_km, p))


def prem_mass_kg() -> float:
    """Total mass of PREM from the density polynomials (kg)."""
    return float(_profile()[3])


def prem_at_depth(depth_km: float, side: str = "deeper") -> dict:
    """PREM values at ``depth_km``: density, Vp, Vs, pressure, layer."""
    out = prem_at_radius(EARTH_RADIUS_KM - depth_km, side)
    out["pressure_GPa"] = prem_pressure_GPa(depth_km)
    return out


def prem_at_pressure(pressure_GPa: float, side: str = "deeper") -> dict:
    """PREM values at the depth where its pressure equals ``pressure_GPa`` (0 to ~364 GPa)."""
    r_km, p, _g, _m = _profile()
    p_max = float(p[0])
    if not 0.0 <= pressure_GPa <= p_max:
        raise InputError(f"pressure {pressure_GPa} GPa is outside the Earth's range in PREM "
                         f"(0 to {p_max:.1f} GPa at the centre); no depth to compare with")
    # p decreases with r; interpolate r(p) on the reversed arrays
    r = float(np.interp(pressure_GPa, p[::-1], r_km[::-1]))
    return prem_at_depth(EARTH_RADIUS_KM - r, side)


def prem_table(depths_km=None) -> list[dict]:
    """PREM rows (density, Vp, Vs, pressure) at ``depths_km`` (default every 10 km), for plots."""
    if depths_km is None:
        depths_km = np.arange(0.0, EARTH_RADIUS_KM + 1e-9, 10.0)
    return [prem_at_depth(float(d)) for d in depths_km]
