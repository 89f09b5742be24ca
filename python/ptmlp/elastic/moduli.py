"""Aggregate moduli, isotropic seismic velocities and mechanical (Born) stability from C_ij.

Voigt/Reuss/Hill averages: Hill, Proc. Phys. Soc. A 65, 349 (1952). Universal anisotropy index:
Ranganathan & Ostoja-Starzewski, Phys. Rev. Lett. 101, 055504 (2008). Stability: a crystal under
hydrostatic pressure is mechanically stable iff its 6x6 stress-strain coefficient matrix B (what
strain-stress calculations measure; B = C at zero pressure) is positive definite (Wang, Li, Yip &
Phillpot, PRB 52, 12627 (1995); Mouhat & Coudert, PRB 90, 224104 (2014)).

Units: moduli in GPa, density in g/cm^3, velocities in km/s (1 GPa / (g/cm^3) = 1 km^2/s^2).
Errors: Monte-Carlo propagation of independent Gaussian element errors of C.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError


def vrh(c: np.ndarray) -> dict[str, float]:
    """Voigt, Reuss and Hill bulk (K) and shear (G) moduli of a 6x6 stiffness (GPa)."""
    c = 0.5 * (np.asarray(c, float) + np.asarray(c, float).T)
    kv = (c[0, 0] + c[1, 1] + c[2, 2] + 2.0 * (c[0, 1] + c[0, 2] + c[1, 2])) / 9.0
    gv = (c[0, 0] + c[1, 1] + c[2, 2] - (c[0, 1] + c[0, 2] + c[1, 2])
          + 3.0 * (c[3, 3] + c[4, 4] + c[5, 5])) / 15.0
    try:
        s = np.linalg.inv(c)
    except np.linalg.LinAlgError:
        s = np.full((6, 6), np.nan)
    kr = 1.0 / (s[0, 0] + s[1, 1] + s[2, 2] + 2.0 * (s[0, 1] + s[0, 2] + s[1, 2]))
    gr = 15.0 / (4.0 * (s[0, 0] + s[1, 1] + s[2, 2]) - 4.0 * (s[0, 1] + s[0, 2] + s[1, 2])
                 + 3.0 * (s[3, 3] + s[4, 4] + s[5, 5]))
    return {"K_voigt": kv, "K_reuss": kr, "K_hill": 0.5 * (kv + kr),
            "G_voigt": gv, "G_reuss": gr, "G_hill": 0.5 * (gv + gr),
            "universal_anisotropy_AU": 5.0 * gv / gr + kv / kr - 6.0}


def isotropic_velocities(bulk_GPa: float, shear_GPa: float, density_g_per_cm3: float) -> dict[str, float]:
    """V_P = sqrt((K + 4G/3)/rho), V_S = sqrt(G/rho), V_Phi = sqrt(K/rho) in km/s."""
    if density_g_per_cm3 <= 0:
        raise InputError(f"density {density_g_per_cm3} g/cm^3 must be positive")
    sq = lambda m: float(np.sqrt(m / density_g_per_cm3)) if m >= 0 else float("nan")  # noqa: E731
    return {"vp_km_per_s": sq(bulk_GPa + 4.0 * shear_GPa / 3.0), "vs_km_per_s": sq(shear_GPa),
            "vphi_km_per_s": sq(bulk_GPa)}


def born_stability(b: np.ndarray, system: str | None = None) -> dict:
    """Mechanical stability of a 6x6 stiffness / stress-strain coefficient matrix (GPa).

    ``stable`` is the necessary and sufficient criterion (all eigenvalues of the symmetrised
    matrix positive); for cubic and hexagonal systems the classic explicit conditions are listed
    too, so users see which one fails.
    """
    b = 0.5 * (np.asarray(b, float) + np.asarray(b, float).T)
    eig = np.linalg.eigvalsh(b)
    out = {"stable": bool(eig.min() > 0), "min_eigenvalue_GPa": float(eig.min()),
           "eigenvalues_GPa": [float(v) for v in eig]}
    crit = {}
    if system == "cubic":
        c11 = (b[0, 0] + b[1, 1] + b[2, 2]) / 3
        c12 = (b[0, 1] + b[0, 2] + b[1, 2]) / 3
        c44 = (b[3, 3] + b[4, 4] + b[5, 5]) / 3
        crit = {"C11-C12>0": c11 - c12, "C11+2C12>0": c11 + 2 * c12, "C44>0": c44}
    elif system == "hexagonal":
        c11, c12, c13, c33, c44 = b[0, 0], b[0, 1], b[0, 2], b[2, 2], b[3, 3]
        crit = {"C11-|C12|>0": c11 - abs(c12), "(C11+C12)C33-2C13^2>0": (c11 + c12) * c33 - 2 * c13 ** 2,
                "C44>0": c44, "C66>0": 0.5 * (c11 - c12)}
    if crit:
        out["criteria"] = {k: {"value": float(v), "ok": bool(v > 0)} for k, v in crit.items()}
    return out


def mc_samples(c: np.ndarray, c_err: np.ndarray | None, n: int = 2000, seed: int = 0) -> np.ndarray:
    """``n`` symmetric samples of C with independent Gaussian errors (first sample = C itself)."""
    c = np.asarray(c, float)
    if c_err is None or not np.any(np.nan_to_num(c_err) > 0):
        return c[None]
    rng = np.random.default_rng(seed)
    err = np.nan_to_num(np.asarray(c_err, float))
    noise = rng.normal(size=(n, 6, 6)) * err
    upper = np.triu(noise)
    sym = upper + np.transpose(np.triu(noise, 1), (0, 2, 1))
    samples = c[None] + sym
    samples[0] = c
    return samples


def with_errors(func, c: np.ndarray, c_err: np.ndarray | None, n: int = 2000) -> tuple[dict, dict]:
    """Evaluate ``func(C) -> {name: float}`` on C and on Monte-Carlo samples; return (values, std)."""
    values = func(c)
    samples = mc_samples(c, c_err, n)
    if len(samples) == 1:
        return values, {k: float("nan") for k in values}
    rows = [func(s) for s in samples[1:]]
    errs = {}
    for k in values:
        col = np.array([r[k] for r in rows], float)
        col = col[np.isfinite(col)]
        errs[k] = float(col.std()) if len(col) > 1 else float("nan")  # nan: undefined (e.g. unstable C)
    return values, errs
