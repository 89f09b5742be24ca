"""Single-crystal elastic wave velocities (Christoffel equation) and seismic anisotropy.

For a propagation direction n, rho V^2 u = Gamma u with Gamma_ik = C_ijkl n_j n_l (Musgrave,
Crystal Acoustics, 1970). The three roots are the quasi-P and two quasi-S phase velocities.
Anisotropy figures as quoted in seismology (Mainprice, Comput. Geosci. 16, 385 (1990)):
AVp = 200 (Vp_max - Vp_min)/(Vp_max + Vp_min) %, and the maximum shear-wave splitting
AVs = max over n of 200 (Vs1 - Vs2)/(Vs1 + Vs2) %.

Units: C in GPa, density in g/cm^3, velocities in km/s.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import InputError
from .voigt import voigt_to_tensor


def christoffel_velocities(c: np.ndarray, density_g_per_cm3: float, direction) -> dict:
    """Phase velocities (km/s) and polarisations along ``direction`` (any non-zero 3-vector)."""
    n = np.asarray(direction, dtype=float)
    norm = np.linalg.norm(n)
    if n.shape != (3,) or norm == 0:
        raise InputError(f"direction {direction!r} must be a non-zero 3-vector")
    if density_g_per_cm3 <= 0:
        raise InputError(f"density {density_g_per_cm3} g/cm^3 must be positive")
    n = n / norm
    gamma = np.einsum("ijkl,j,l->ik", voigt_to_tensor(c), n, n)
    lam, vec = np.linalg.eigh(0.5 * (gamma + gamma.T))
    v = np.sqrt(np.clip(lam, 0.0, None) / density_g_per_cm3)[::-1]
    vec = vec[:, ::-1]
    return {"direction": n.tolist(), "vp_km_per_s": float(v[0]), "vs1_km_per_s": float(v[1]),
            "vs2_km_per_s": float(v[2]), "polarisations": vec.T.tolist(),
            "unstable": bool(lam.min() < 0)}


def sphere_directions(n: int = 2000) -> np.ndarray:
    """``n`` near-uniform unit vectors on a hemisphere (Fibonacci lattice), plus <100>, <110>, <111>."""
    k = np.arange(n) + 0.5
    z = k / n  # upper hemisphere suffices: V(n) = V(-n)
    phi = np.pi * (1 + 5 ** 0.5) * k
    r = np.sqrt(1 - z * z)
    dirs = np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)
    special = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1], [1, -1, 0],
                        [1, 1, 1], [1, -1, 1], [-1, 1, 1], [1, 1, -1]], float)
    special /= np.linalg.norm(special, axis=1)[:, None]
    return np.vstack([dirs, special])


class MechanicalInstabilityWarning(UserWarning):
    """Warned when C_ij gives zero or imaginary acoustic velocities (rho V^2 <= 0) along some directions: the
    crystal is mechanically unstable at that state, and velocity-anisotropy figures are undefined."""


def anisotropy(c: np.ndarray, density_g_per_cm3: float, n_directions: int = 2000) -> dict:
    """Velocity extremes over directions and the AVp / AVs anisotropy figures (percent).

    A mechanically unstable C (some rho V^2 <= 0) has no real velocities along those directions: the
    figures are then None and :class:`MechanicalInstabilityWarning` says so in one line."""
    t = voigt_to_tensor(c)
    dirs = sphere_directions(n_directions)
    gamma = np.einsum("ijkl,nj,nl->nik", t, dirs, dirs)
    lam = np.linalg.eigvalsh(0.5 * (gamma + np.transpose(gamma, (0, 2, 1))))[:, ::-1]
    imaginary = lam[:, -1] <= 0
    if imaginary.any():
        k = int(np.argmin(lam[:, -1]))
        warnings.warn(MechanicalInstabilityWarning(
            f"C_ij gives zero or imaginary acoustic velocities along {imaginary.sum()} of {len(dirs)} directions "
            f"(rho V^2 down to {lam[k, -1]:.4g} GPa along {np.round(dirs[k], 3).tolist()}): the crystal is "
            "mechanically unstable at this state; velocity anisotropy is not defined"), stacklevel=2)
        keys = ("vp_max_km_per_s", "vp_min_km_per_s", "vs_max_km_per_s", "vs_min_km_per_s", "AVp_percent",
                "AVs_max_percent", "AVs_max_direction")
        return {**dict.fromkeys(keys), "imaginary_velocity_directions": int(imaginary.sum()),
                "directions_sampled": len(dirs)}
    v = np.sqrt(lam / density_g_per_cm3)
    vp, vs1, vs2 = v[:, 0], v[:, 1], v[:, 2]
    split = 200.0 * (vs1 - vs2) / (vs1 + vs2)
    k = int(np.argmax(split))
    return {"vp_max_km_per_s": float(vp.max()), "vp_min_km_per_s": float(vp.min()),
            "vs_max_km_per_s": float(vs1.max()), "vs_min_km_per_s": float(vs2.min()),
            "AVp_percent": float(200.0 * (vp.max() - vp.min()) / (vp.max() + vp.min())),
            "AVs_max_percent": float(split[k]), "AVs_max_direction": dirs[k].tolist(),
            "imaginary_velocity_directions": 0, "directions_sampled": len(dirs)}
