"""Weighted straight-line extrapolations with uncertainty and trust checks:
1/kappa vs 1/L (finite-size NEMD, Schelling, Phillpot & Keblinski, Phys. Rev. B 65,
144306 (2002)) and eta vs shear rate (zero-shear viscosity of Muller-Plathe runs)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats

from ..errors import InputError
from .results import Measurement, Notes


@dataclass
class LineFit:
    intercept: Measurement
    slope: Measurement
    chi2_per_dof: float
    p_value: float
    x: np.ndarray
    y: np.ndarray
    y_err: np.ndarray


def weighted_line(x: Sequence[float], y: Sequence[float], y_err: Sequence[float]) -> LineFit:
    """Least-squares line y = a + b x with weights 1/err^2; parameter errors from the
    covariance, inflated by sqrt(chi2/dof) when the scatter exceeds the error bars."""
    x, y, e = (np.asarray(v, dtype=float) for v in (x, y, y_err))
    if len(x) < 2:
        raise InputError("need at least two points to fit a line")
    if np.any(~np.isfinite(e)) or np.any(e <= 0):
        raise InputError("every point needs a positive, finite uncertainty")
    w = 1.0 / e ** 2
    s, sx, sxx = w.sum(), (w * x).sum(), (w * x * x).sum()
    sy, sxy = (w * y).sum(), (w * x * y).sum()
    det = s * sxx - sx * sx
    if det <= 0:
        raise InputError("all points have the same abscissa; cannot fit a line")
    a = (sxx * sy - sx * sxy) / det
    b = (s * sxy - sx * sy) / det
    var_a, var_b = sxx / det, s / det
    dof = len(x) - 2
    chi2 = float((w * (y - a - b * x) ** 2).sum())
    chi2_dof = chi2 / dof if dof > 0 else math.nan
    p = float(stats.chi2.sf(chi2, dof)) if dof > 0 else math.nan
    inflate = math.sqrt(max(1.0, chi2_dof)) if dof > 0 else 1.0
    return LineFit(Measurement(a, math.sqrt(var_a) * inflate), Measurement(b, math.sqrt(var_b) * inflate),
                   chi2_dof, p, x, y, e)


@dataclass
class SizeExtrapolation:
    kappa_inf: Measurement
    fit: LineFit
    lengths_A: np.ndarray
    kappas: list
    notes: Notes

    def summary(self) -> dict:
        out = {"quantity": "thermal conductivity", "method": "nemd 1/kappa vs 1/L extrapolation"}
        out.update(self.kappa_inf.as_dict("kappa_infinite_W_per_mK"))
        out["box_lengths_A"] = self.lengths_A.tolist()
        out["kappa_W_per_mK"] = [k.value for k in self.kappas]
        out["kappa_W_per_mK_std_err"] = [k.std_err for k in self.kappas]
        out["fit_chi2_per_dof"] = self.fit.chi2_per_dof
        out["fit_p_value"] = self.fit.p_value
        out["uncertainty"] = "one standard error (68%)"
        out["warnings"] = list(self.notes.messages)
        return out


def extrapolate_inverse_length(lengths_A: Sequence[float], kappas: Sequence[Measurement]) -> SizeExtrapolation:
    """kappa(L -> inf) from 1/kappa = 1/kappa_inf + c/L, with trust checks."""
    L = np.asarray(lengths_A, dtype=float)
    if len(L) != len(kappas):
        raise InputError(f"{len(L)} lengths but {len(kappas)} conductivities")
    if np.any(~np.isfinite(L)) or np.any(L <= 0):
        raise InputError(f"box lengths must be positive, got {L.tolist()} A")
    if any(not k.value > 0 for k in kappas):
        raise InputError(f"conductivities must be positive, got {[k.value for k in kappas]}")
    if len(set(L.round(6))) < 2:
        raise InputError("need at least two different box lengths for a 1/L extrapolation")
    notes = Notes()
    inv_k = np.array([1.0 / k.value for k in kappas])
    inv_k_err = np.array([k.std_err / k.value ** 2 for k in kappas])
    fit = weighted_line(1.0 / L, inv_k, inv_k_err)
    a = fit.intercept
    if len(L) < 3:
        notes.warn("only two box lengths: the linearity of 1/kappa in 1/L cannot be checked; add a third length")
    elif fit.p_value < 0.05:
        notes.warn(f"1/kappa is not linear in 1/L (chi2/dof = {fit.chi2_per_dof:.2f}, p = {fit.p_value:.3f}): "
                   "the small boxes are outside the linear regime; drop them or add longer boxes")
    if a.value <= 0 or a.std_err > 0.5 * a.value:
        notes.warn(f"the extrapolation is not trustworthy: 1/kappa_inf = {a.value:.3g} +- {a.std_err:.2g} m K/W; "
                   "use longer boxes (L_max/L_min >= 2) and longer runs")
        kappa_inf = Measurement(1.0 / a.value if a.value > 0 else math.inf, math.inf)
    else:
        kappa_inf = Measurement(1.0 / a.value, a.std_err / a.value ** 2)
    if L.max() < 2 * L.min():
        notes.warn(f"box lengths span only {L.min():.4g}-{L.max():.4g} A (less than a factor 2): "
                   "the intercept is poorly constrained")
    if fit.slope.value < -2 * fit.slope.std_err:
        notes.warn("kappa decreases with box length: not the boundary-scattering trend 1/kappa = a + b/L; "
                   "check that the runs are at steady state")
    return SizeExtrapolation(kappa_inf=kappa_inf, fit=fit, lengths_A=L, kappas=list(kappas), notes=notes)


@dataclass
class ZeroShear:
    viscosity0: Measurement
    fit: LineFit
    shear_rates_per_s: np.ndarray
    viscosities: list
    variable: str
    notes: Notes

    def summary(self) -> dict:
        out = {"quantity": "shear viscosity", "method": "muller-plathe zero-shear extrapolation"}
        out.update(self.viscosity0.as_dict("viscosity_Pa_s"))
        out["shear_rates_per_s"] = self.shear_rates_per_s.tolist()
        out["viscosity_at_rate_Pa_s"] = [v.value for v in self.viscosities]
        out["viscosity_at_rate_Pa_s_std_err"] = [v.std_err for v in self.viscosities]
        out["extrapolation_variable"] = self.variable
        out["fit_chi2_per_dof"] = self.fit.chi2_per_dof
        out["uncertainty"] = "one standard error (68%)"
        out["warnings"] = list(self.notes.messages)
        return out


def zero_shear_extrapolation(shear_rates_per_s: Sequence[float], viscosities: Sequence[Measurement],
                             variable: str = "sqrt") -> ZeroShear:
    """eta(rate -> 0) from a weighted line in sqrt(rate) (``variable="sqrt"``, the simple-fluid
    form eta = eta_0 - A sqrt(rate), Evans & Morriss, "Statistical Mechanics of Nonequilibrium
    Liquids", ch. 6) or in rate (``"linear"``). With one rate, that rate's value is returned
    with a warning."""
    rates = np.asarray(shear_rates_per_s, dtype=float)
    if np.any(~np.isfinite(rates)) or np.any(rates <= 0):
        raise InputError(f"shear rates must be positive, got {rates.tolist()} 1/s")
    if variable not in ("sqrt", "linear"):
        raise InputError(f"extrapolation variable must be 'sqrt' or 'linear', got {variable!r}")
    notes = Notes()
    x = np.sqrt(rates) if variable == "sqrt" else rates
    if len(rates) < 2:
        notes.warn("one shear rate only: no zero-shear extrapolation; run two or more swap_every values")
        v = viscosities[0]
        fit = LineFit(v, Measurement(0.0, math.nan), math.nan, math.nan, x, np.array([v.value]), np.array([v.std_err]))
        return ZeroShear(v, fit, rates, list(viscosities), variable, notes)
    fit = weighted_line(x, [v.value for v in viscosities], [v.std_err for v in viscosities])
    eta0 = fit.intercept
    if eta0.value <= 0 or eta0.std_err > 0.5 * abs(eta0.value):
        notes.warn(f"the zero-shear extrapolation is not trustworthy ({eta0.value:.3g} +- {eta0.std_err:.2g} Pa s): "
                   "add lower shear rates (larger swap_every) and run longer")
    if len(rates) >= 3 and fit.p_value < 0.05:
        notes.warn(f"the viscosity is not linear in {'sqrt(rate)' if variable == 'sqrt' else 'rate'} "
                   f"(p = {fit.p_value:.3f}): drop the highest shear rates")
    lowest = viscosities[int(np.argmin(rates))]
    if abs(eta0.value - lowest.value) > 0.25 * lowest.value:
        notes.warn(f"the extrapolated viscosity differs from the lowest-rate value by "
                   f"{100 * abs(eta0.value - lowest.value) / lowest.value:.0f}%: the shear rates are far from the "
                   "linear-response regime; use larger swap_every")
    return ZeroShear(eta0, fit, rates, list(viscosities), variable, notes)
