"""Quasi-harmonic fits of a volume scan: V(T), K_T(T), thermal expansion and C_p(T) at a pressure,
each with the spread of the fit as its uncertainty.

phonopy's ``PhonopyQHA`` fits F(V; T) = E(V) + F_vib(V; T) + P V at each temperature with an
equation of state (EOS) and returns the minimum: V(T), G(T) and K_T(T). Two routes lead to C_p:

- thermodynamic (reported as ``cp_J_per_K_mol_atoms``): C_p = C_v + alpha^2 V K_T T, where
  alpha K_T = (dP/dT)_V = (dS/dV)_T is the volume derivative of the harmonic entropy at V(T) (a
  polynomial fit of S(V) over the scanned volumes), K_T comes from the EOS fit and C_v is
  interpolated to V(T) the same way. Only first derivatives of smooth data enter, and the
  reported alpha, V, K_T and C_p - C_v are consistent by construction.
- numerical (``cp_numerical_J_per_K_mol_atoms``): C_p = -T d^2G/dT^2, a second difference of the
  fitted minima G(T). Fit noise of 1e-6 eV enters divided by dT^2, so it depends on the volume
  grid and the EOS form (Fe_mm.eam.fs at 1000 K: 24.12 J/K/mol on 5 volumes within +-2 %,
  24.87 on 7 volumes within +-3 %; the thermodynamic route gives 24.82 and 24.86).

Uncertainty (``*_err_*``) is the largest deviation from the main fit (Vinet EOS, quadratic S(V)
and C_v(V), all volumes) over variants: the Birch-Murnaghan and Murnaghan forms, cubic S(V) and
C_v(V), each volume left out in turn (with >= 6 volumes), and for the numerical route the second
difference on a 2 dT stencil. When the two C_p routes differ by more than twice their combined
uncertainty, :class:`QHAConsistencyWarning` is warned and ``cp_routes_agree`` is false.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
import numpy as np

from ..errors import InputError

AVOGADRO = 6.02214076e23  # 1/mol
#: V/V0 - 1 of the default scan: 7 volumes within +-3 % (Fe_mm.eam.fs: wider grids reach volumes where its
#: F_vib(V) is not smooth and the fits spread; the checks below warn when V(T) leaves the grid)
DEFAULT_VOLUME_STRAINS = (-0.03, -0.02, -0.01, 0.0, 0.01, 0.02, 0.03)
#: largest relative spread of the thermal expansion over the fit variants before QHAConsistencyWarning
MAX_ALPHA_SPREAD = 0.5
EOS_FORMS = ("vinet", "birch_murnaghan", "murnaghan")


class QHAConsistencyWarning(UserWarning):
    """Warned when the two routes to C_p (-T d^2G/dT^2 and C_v + alpha^2 V K_T T) disagree beyond
    their uncertainty, or when V(T) leaves the scanned volumes: the volume grid does not suit the
    fit (too wide over a non-smooth F(V), too narrow for the thermal expansion, or too few volumes)."""


@dataclass
class VolumeScan:
    """Static energies and harmonic thermal properties at each scanned volume (phonopy units:
    per primitive cell, energies in eV, F_vib in kJ/mol, C_v and S in J/K/mol of primitive cells)."""

    volume_strains: np.ndarray  # (n_volumes,) V/V0 - 1
    volumes_A3: np.ndarray  # (n_volumes,) primitive-cell volumes
    energies_eV: np.ndarray  # (n_volumes,) static energy of the primitive cell
    temperatures_K: np.ndarray  # (n_temperatures,)
    free_energy_kJ_per_mol: np.ndarray  # (n_temperatures, n_volumes) phonon free energy
    cv_J_per_K_mol: np.ndarray  # (n_temperatures, n_volumes)
    entropy_J_per_K_mol: np.ndarray  # (n_temperatures, n_volumes)
    n_atoms_primitive: int
    classical: bool = False

    def subset(self, index) -> "VolumeScan":
        """The scan restricted to the volumes ``index`` (a sub-grid)."""
        k = np.asarray(index)
        return replace(self, volume_strains=self.volume_strains[k], volumes_A3=self.volumes_A3[k],
                       energies_eV=self.energies_eV[k], free_energy_kJ_per_mol=self.free_energy_kJ_per_mol[:, k],
                       cv_J_per_K_mol=self.cv_J_per_K_mol[:, k], entropy_J_per_K_mol=self.entropy_J_per_K_mol[:, k])


def eos_fit(scan: VolumeScan, pressure_GPa: float, eos: str = "vinet") -> dict:
    """phonopy's QHA on ``scan``: T, V(T), K_T(T) (GPa), G(T) (eV), dlnV/dT and -T d^2G/dT^2 (J/K/mol),
    per primitive cell, and the static bulk modulus (GPa)."""
    from ase import units
    from phonopy import PhonopyQHA

    temps = scan.temperatures_K
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        qha = PhonopyQHA(volumes=scan.volumes_A3, electronic_energies=scan.energies_eV, temperatures=temps,
                         free_energy=scan.free_energy_kJ_per_mol, cv=scan.cv_J_per_K_mol,
                         entropy=scan.entropy_J_per_K_mol, pressure=pressure_GPa, eos=eos, t_max=float(temps[-2]))
    # phonopy truncates its T arrays below t_max (the derivatives need neighbours); use the shortest
    n = min(len(qha.volume_temperature), len(qha.thermal_expansion), len(qha.heat_capacity_P_numerical),
            len(qha.bulk_modulus_temperature))
    return {"temperature_K": np.asarray(temps[:n], float), "volume_A3": np.asarray(qha.volume_temperature)[:n],
            "bulk_modulus_GPa": np.asarray(qha.bulk_modulus_temperature)[:n],
            "gibbs_eV": np.asarray(qha.gibbs_temperature)[:n],
            "beta_numerical_per_K": np.asarray(qha.thermal_expansion)[:n],
            "cp_numerical_J_per_K_mol": np.asarray(qha.heat_capacity_P_numerical)[:n],
            "static_bulk_modulus_GPa": float(qha.bulk_modulus) / units.GPa}  # phonopy gives eV/A^3 here


def thermodynamic_route(scan: VolumeScan, fit: dict, degree: int = 2) -> dict:
    """C_v, alpha K_T = (dS/dV)_T, alpha and C_p = C_v + alpha^2 V K_T T at the fitted V(T)
    (J/K/mol of primitive cells, Pa/K, 1/K), from degree-``degree`` polynomials of S(V) and C_v(V)."""
    n = len(fit["temperature_K"])
    x0 = scan.volumes_A3.mean()
    x = scan.volumes_A3 - x0
    cv = np.empty(n)
    dsdv = np.empty(n)
    for i in range(n):
        xv = fit["volume_A3"][i] - x0
        cv[i] = np.polyval(np.polyfit(x, scan.cv_J_per_K_mol[i], degree), xv)
        dsdv[i] = np.polyval(np.polyder(np.polyfit(x, scan.entropy_J_per_K_mol[i], degree)), xv)
    alpha_k = dsdv * 1e30 / AVOGADRO  # J/K/mol/A^3 -> J/K/m^3 per cell = Pa/K
    k_pa = fit["bulk_modulus_GPa"] * 1e9
    alpha = alpha_k / k_pa
    cp = cv + fit["temperature_K"] * fit["volume_A3"] * 1e-30 * alpha_k ** 2 / k_pa * AVOGADRO
    return {"cv_J_per_K_mol": cv, "alpha_K_Pa_per_K": alpha_k, "alpha_per_K": alpha, "cp_J_per_K_mol": cp}


def second_difference_cp(temps: np.ndarray, gibbs_eV: np.ndarray, stride: int) -> np.ndarray:
    """-T d^2G/dT^2 (J/K/mol) from quadratics through G at T_(i-stride), T_i, T_(i+stride); near the ends
    of the grid the nearest such stencil inside it."""
    ev_to_j_per_mol = 1.602176634e-19 * AVOGADRO
    n = len(temps)
    out = np.full(n, np.nan)
    if n < 2 * stride + 1:
        return out
    for i in range(n):
        c = min(max(i, stride), n - 1 - stride)
        sel = slice(c - stride, c + stride + 1, stride)
        out[i] = -2.0 * np.polyfit(temps[sel], gibbs_eV[sel], 2)[0] * temps[i] * ev_to_j_per_mol
    return out


def _on(t_main: np.ndarray, fit_t: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` (given at ``fit_t``) at the temperatures ``t_main`` (NaN outside)."""
    return np.interp(t_main, fit_t, values, left=np.nan, right=np.nan)


def _spread(main: np.ndarray, variants: list) -> np.ndarray:
    if not variants:
        return np.zeros_like(main)
    dev = np.abs(np.array(variants) - main[None])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns (stencils off the grid)
        out = np.nanmax(dev, axis=0)
    return np.nan_to_num(out, nan=0.0)


def _variants(scan: VolumeScan, pressure_GPa: float, main: dict) -> tuple[dict, int]:
    """Every quantity of the other fits at the main fit's temperatures: EOS forms, leave-one-volume-out
    refits (>= 6 volumes; with 5 volumes only S(V) and C_v(V) leave a volume out), cubic S(V), C_v(V)."""
    t = main["temperature_K"]
    n_vol = len(scan.volumes_A3)
    others = [eos_fit(scan, pressure_GPa, eos) for eos in EOS_FORMS[1:]]
    fits = [(f, scan, (2, 3)) for f in others] + [(main, scan, (3,))]
    subsets = [scan.subset(np.delete(np.arange(n_vol), k)) for k in range(n_vol)]
    if n_vol >= 6:
        fits += [(eos_fit(sub, pressure_GPa, "vinet"), sub, (2, 3)) for sub in subsets]
    else:
        fits += [(main, sub, (2,)) for sub in subsets]
    var: dict = {key: [] for key in ("V", "K", "G", "beta", "cp_num", "alpha", "cp")}
    for fit, sc, degrees in fits:
        ft = fit["temperature_K"]
        for degree in degrees:
            th = thermodynamic_route(sc, fit, degree)
            var["alpha"].append(_on(t, ft, th["alpha_per_K"]))
            var["cp"].append(_on(t, ft, th["cp_J_per_K_mol"]))
        if fit is not main:
            for key, name in (("V", "volume_A3"), ("K", "bulk_modulus_GPa"), ("G", "gibbs_eV"),
                              ("beta", "beta_numerical_per_K"), ("cp_num", "cp_numerical_J_per_K_mol")):
                var[key].append(_on(t, ft, fit[name]))
    var["cp_num"].append(second_difference_cp(t, main["gibbs_eV"], 2))
    return var, len(others) + (n_vol if n_vol >= 6 else 0)


def fit_qha(scan: VolumeScan, pressure_GPa: float = 0.0) -> dict:
    """V(T), K_T(T), thermal expansion and C_p(T) at ``pressure_GPa`` with their uncertainties (see the
    module docstring); per atom, keys carry their units. Warns :class:`QHAConsistencyWarning`."""
    check_volume_strains(scan.volume_strains)
    main = eos_fit(scan, pressure_GPa, "vinet")
    t = main["temperature_K"]
    thermo = thermodynamic_route(scan, main, 2)
    var, n_refits = _variants(scan, pressure_GPa, main)
    cp_num = main["cp_numerical_J_per_K_mol"].copy()
    beta_num = main["beta_numerical_per_K"].copy()
    if t[0] > 0:  # phonopy writes 0 at the first temperature (no left neighbour): undefined there
        cp_num[0] = beta_num[0] = np.nan
    err = {"V": _spread(main["volume_A3"], var["V"]), "K": _spread(main["bulk_modulus_GPa"], var["K"]),
           "G": _spread(main["gibbs_eV"], var["G"]), "beta": _spread(beta_num, var["beta"]),
           "cp_num": _spread(cp_num, var["cp_num"]), "alpha": _spread(thermo["alpha_per_K"], var["alpha"]),
           "cp": _spread(thermo["cp_J_per_K_mol"], var["cp"])}
    per_atom = 1.0 / scan.n_atoms_primitive
    out = {
        "pressure_GPa": pressure_GPa,
        "temperature_K": t,
        "volume_A3_per_atom": main["volume_A3"] * per_atom, "volume_err_A3_per_atom": err["V"] * per_atom,
        "volumetric_thermal_expansion_per_K": thermo["alpha_per_K"],
        "volumetric_thermal_expansion_err_per_K": err["alpha"],
        "linear_thermal_expansion_per_K": thermo["alpha_per_K"] / 3.0,
        "linear_thermal_expansion_err_per_K": err["alpha"] / 3.0,
        "volumetric_thermal_expansion_numerical_per_K": beta_num,
        "volumetric_thermal_expansion_numerical_err_per_K": err["beta"],
        "cp_J_per_K_mol_atoms": thermo["cp_J_per_K_mol"] * per_atom, "cp_err_J_per_K_mol_atoms": err["cp"] * per_atom,
        "cv_J_per_K_mol_atoms": thermo["cv_J_per_K_mol"] * per_atom,
        "cp_numerical_J_per_K_mol_atoms": cp_num * per_atom,
        "cp_numerical_err_J_per_K_mol_atoms": err["cp_num"] * per_atom,
        "bulk_modulus_GPa": main["bulk_modulus_GPa"], "bulk_modulus_err_GPa": err["K"],
        "gibbs_energy_eV_per_atom": main["gibbs_eV"] * per_atom, "gibbs_energy_err_eV_per_atom": err["G"] * per_atom,
        "volumes_A3_per_atom": (scan.volumes_A3 * per_atom).tolist(),
        "static_energies_eV_per_atom": (scan.energies_eV * per_atom).tolist(),
        "volume_strains": np.asarray(scan.volume_strains, float).tolist(),
        "static_bulk_modulus_GPa": main["static_bulk_modulus_GPa"],
        "classical": scan.classical,
        "uncertainty_method": ("largest deviation from the main fit (Vinet EOS, quadratic S(V) and C_v(V), all "
                               f"volumes) over {n_refits} EOS refits (Birch-Murnaghan, Murnaghan"
                               + (", each volume left out" if n_refits > 2 else "")
                               + "), cubic S(V) and C_v(V), S(V) and C_v(V) with each volume left out, and "
                               "for -T d2G/dT2 the 2 dT stencil"),
    }
    out.update(_checks(out, scan))
    return out


def _checks(res: dict, scan: VolumeScan) -> dict:
    """V(T) inside the scanned volumes, the thermal expansion stable over the fit variants, and the two
    C_p routes within twice their combined uncertainty."""
    grid = np.round(scan.volume_strains, 4).tolist()
    t = res["temperature_K"]
    v = res["volume_A3_per_atom"]
    v_grid = np.asarray(res["volumes_A3_per_atom"])
    outside = (v < v_grid.min()) | (v > v_grid.max())
    found: dict = {"volume_grid_covers_V_T": not bool(outside.any()),
                   "first_temperature_outside_volume_grid_K": float(t[np.argmax(outside)]) if outside.any() else None}
    if outside.any():
        warnings.warn(QHAConsistencyWarning(
            f"QHA: V(T) leaves the scanned volumes ({v_grid.min():.3f} to {v_grid.max():.3f} A^3/atom) at "
            f"{t[np.argmax(outside)]:g} K; values above are extrapolated by the EOS; widen volume_strains"),
            stacklevel=3)
    inside = np.flatnonzero(~outside & (t > 0))
    if len(inside):
        k = int(inside[-1])
        alpha = res["volumetric_thermal_expansion_per_K"][k]
        alpha_err = res["volumetric_thermal_expansion_err_per_K"][k]
        spread = float(alpha_err / abs(alpha)) if alpha != 0 else float("inf")
        found["thermal_expansion_spread"] = {"temperature_K": float(t[k]), "fraction": spread}
        if spread > MAX_ALPHA_SPREAD:
            warnings.warn(QHAConsistencyWarning(
                f"QHA: the thermal expansion at {t[k]:g} K is {alpha:.3g} +- {alpha_err:.2g} /K: it changes by more "
                f"than {MAX_ALPHA_SPREAD:.0%} between EOS forms and volume sub-grids of {grid}; "
                "F(V) is not smooth over these volumes (narrow the grid) or they are too few"), stacklevel=3)
    diff = np.abs(res["cp_numerical_J_per_K_mol_atoms"] - res["cp_J_per_K_mol_atoms"])
    allowed = 2.0 * np.hypot(res["cp_numerical_err_J_per_K_mol_atoms"], res["cp_err_J_per_K_mol_atoms"])
    bad = np.isfinite(diff) & (diff > allowed) & ~outside
    found["cp_routes_agree"] = not bool(bad.any())
    found["cp_routes_check"] = ("|C_p(-T d2G/dT2) - C_p(C_v + alpha^2 V K_T T)| <= 2 x their combined uncertainty "
                                "at every temperature inside the volume grid")
    if bad.any():
        k = int(np.argmax(np.where(bad, diff - allowed, -np.inf)))
        found["cp_routes_worst"] = {
            "temperature_K": float(t[k]),
            "cp_numerical_J_per_K_mol_atoms": float(res["cp_numerical_J_per_K_mol_atoms"][k]),
            "cp_thermodynamic_J_per_K_mol_atoms": float(res["cp_J_per_K_mol_atoms"][k]),
            "allowed_difference_J_per_K_mol_atoms": float(allowed[k])}
        warnings.warn(QHAConsistencyWarning(
            f"QHA: at {t[k]:g} K C_p = {res['cp_numerical_J_per_K_mol_atoms'][k]:.3f} J/K/mol from -T d2G/dT2 "
            f"and {res['cp_J_per_K_mol_atoms'][k]:.3f} from C_v + alpha^2 V K_T T differ by more than twice their "
            f"uncertainty ({allowed[k]:.3f}); the fit depends on the volume grid {grid}: "
            "check F(V) is smooth there, or use more volumes"), stacklevel=3)
    return found


def check_volume_strains(volume_strains) -> None:
    """Refuse volume grids the fits cannot use: fewer than 5 distinct volumes, or V <= 0.5 V0."""
    s = np.asarray(volume_strains, float)
    if len(s) < 5 or np.any(s <= -0.5):
        raise InputError("QHA needs at least 5 volume strains, each > -0.5 (fractions of V0)")
    if len(np.unique(np.round(s, 10))) != len(s):
        raise InputError(f"QHA volume strains {s.tolist()} repeat a volume; give distinct values")
