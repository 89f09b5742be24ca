"""Simon-Glatzel fit of a melting curve with a confidence band.

T_m(P) = T_ref * (1 + (P - P_ref) / a) ** (1 / c), P_ref fixed at the lowest pressure, T_ref, a
(GPa) and c fitted by weighted least squares (scipy ``curve_fit``, absolute sigma). Pressure
errors enter through the effective variance sigma^2 = sigma_T^2 + (dT/dP sigma_P)^2. The band
is the delta-method standard error of the fitted curve times the normal quantile of the level.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import curve_fit
from scipy.stats import norm

from ..errors import InputError


def simon_glatzel(p, t_ref, a, c, p_ref):
    return t_ref * np.power(np.maximum(1.0 + (np.asarray(p, float) - p_ref) / a, 1e-12), 1.0 / c)


@dataclass
class SimonGlatzelFit:
    T_ref_K: float
    P_ref_GPa: float
    a_GPa: float
    c: float
    covariance: list  # of (T_ref_K, a_GPa, c)
    confidence: float
    chi2_per_dof: float

    def __call__(self, p_gpa):
        return simon_glatzel(p_gpa, self.T_ref_K, self.a_GPa, self.c, self.P_ref_GPa)

    def band(self, p_gpa) -> tuple[np.ndarray, np.ndarray]:
        """Half-width of the confidence band (K) and the curve at ``p_gpa``."""
        p = np.atleast_1d(np.asarray(p_gpa, float))
        theta = np.array([self.T_ref_K, self.a_GPa, self.c])
        jac = _jacobian(p, theta, self.P_ref_GPa)
        var = np.einsum("ij,jk,ik->i", jac, np.asarray(self.covariance), jac)
        z = norm.ppf(0.5 + 0.5 * self.confidence)
        return z * np.sqrt(np.maximum(var, 0.0)), self(p)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["formula"] = "T_m(P) = T_ref_K * (1 + (P - P_ref_GPa) / a_GPa) ** (1 / c)"
        return d


def _jacobian(p, theta, p_ref, h=1e-6):
    cols = []
    for k in range(3):
        step = h * max(abs(theta[k]), 1e-3)
        up, dn = theta.copy(), theta.copy()
        up[k] += step
        dn[k] -= step
        cols.append((simon_glatzel(p, *up, p_ref) - simon_glatzel(p, *dn, p_ref)) / (2 * step))
    return np.stack(cols, axis=1)


def fit_simon_glatzel(p_gpa, t_k, t_err_k, p_err_gpa=None, confidence: float = 0.68) -> SimonGlatzelFit:
    """Fit T_m(P) points (at least 3 distinct pressures)."""
    p = np.asarray(p_gpa, float)
    t = np.asarray(t_k, float)
    st = np.maximum(np.asarray(t_err_k, float), 1e-6)
    sp = np.zeros_like(p) if p_err_gpa is None else np.nan_to_num(np.asarray(p_err_gpa, float))
    if len(p) < 3 or len(np.unique(p)) < 3:
        raise InputError("a Simon-Glatzel fit needs T_m at 3 or more different pressures")
    order = np.argsort(p)
    p, t, st, sp = p[order], t[order], st[order], sp[order]
    p_ref = float(p[0])
    slope0 = max((t[-1] - t[0]) / max(p[-1] - p[0], 1e-9), 1e-6)
    c0 = 2.0
    a0 = max(t[0] / (c0 * slope0), 1e-3)  # dT/dP at P_ref = T_ref / (a c)
    sigma = st.copy()
    params = np.array([t[0], a0, c0])
    cov = np.full((3, 3), np.nan)
    for _ in range(3):  # effective variance: refit with the slope of the previous fit
        params, cov = curve_fit(lambda x, tr, a, c: simon_glatzel(x, tr, a, c, p_ref), p, t, p0=params,
                                sigma=sigma, absolute_sigma=True,
                                bounds=([1e-6, 1e-6, 0.05], [np.inf, np.inf, 100.0]), maxfev=20000)
        eps = 1e-4 * max(p[-1] - p[0], 1.0)
        dtdp = (simon_glatzel(p + eps, *params, p_ref) - simon_glatzel(p - eps, *params, p_ref)) / (2 * eps)
        sigma = np.sqrt(st ** 2 + (dtdp * sp) ** 2)
    resid = (t - simon_glatzel(p, *params, p_ref)) / sigma
    dof = len(p) - 3
    chi2 = float((resid ** 2).sum() / dof) if dof > 0 else float("nan")
    if not np.all(np.isfinite(cov)):
        raise InputError("the Simon-Glatzel fit is undetermined for these points (covariance not finite)")
    return SimonGlatzelFit(T_ref_K=float(params[0]), P_ref_GPa=p_ref, a_GPa=float(params[1]), c=float(params[2]),
                           covariance=cov.tolist(), confidence=confidence, chi2_per_dof=chi2)


def clausius_clapeyron_slope_K_per_GPa(fit: SimonGlatzelFit, p_gpa: float) -> float:
    """dT_m/dP of the fit at ``p_gpa``."""
    eps = 1e-4 * max(abs(p_gpa), 1.0)
    return float((fit(p_gpa + eps) - fit(p_gpa - eps)) / (2 * eps)) if math.isfinite(p_gpa) else float("nan")
