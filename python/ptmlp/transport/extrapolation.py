"""Extrapolations that know their limits: kappa(L -> inf) of NEMD runs in boxes of several lengths
and the zero-shear viscosity of Muller-Plathe runs at several shear rates.

Every fit form is tried (weighted straight lines in transformed variables, :func:`weighted_line`):

* size: ``inverse``, 1/kappa = 1/kappa_inf + c/L (Schelling, Phillpot & Keblinski, Phys. Rev. B
  65, 144306 (2002)), and ``linear``, kappa = kappa_inf - c'/L;
* shear: ``linear``, eta = eta_0 - B rate, and ``sqrt``, eta = eta_0 - A sqrt(rate) (the
  mode-coupling form of simple fluids at intermediate rates, Evans & Morriss, "Statistical
  Mechanics of Nonequilibrium Liquids", ch. 6).

All of them are reported; one is chosen by the stated criterion (:data:`CRITERION`) unless the
user names one. The spread of the other acceptable forms about the chosen value is the
systematic error of the extrapolation. A warning is raised when the extrapolated value lies
outside the measured range by more than its error: the number then rests on the fitted form
holding beyond the data, not on the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np
from scipy import stats

from ..errors import InputError
from ..uncertainty import Estimate
from .results import UNCERTAINTY_NOTE, Measurement, Notes


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


#: a fit whose chi^2 has a p-value below this does not describe the points
MIN_P_VALUE = 0.05
#: fits whose chi^2 is within this of the best one describe the points equally well
CHI2_TIE = 1.0
CRITERION = (f"acceptable: chi^2 p-value >= {MIN_P_VALUE} (every fit of two points is); of the acceptable fits "
             f"the lowest chi^2; fits within {CHI2_TIE:g} of it describe the points equally well and the first of "
             "them in the order {order} is taken ({why}); systematic error: the largest difference between the "
             "chosen value and another acceptable fit's")


@dataclass
class FitForm:
    """One form: ``x(raw abscissa)``, the fitted ``y`` (and its error) of a measured value, and the
    extrapolated value (with error) from the line's intercept."""

    name: str
    model: str
    x: Callable[[np.ndarray], np.ndarray]
    y: Callable[[Measurement], Measurement]
    limit: Callable[[Measurement], Measurement]
    curve: Callable[[float, float, np.ndarray], np.ndarray]  # value at raw abscissa from (intercept, slope)


@dataclass
class TriedFit:
    """A fit form applied to the points: its line, the extrapolated value, and how it fares."""

    form: FitForm
    fit: LineFit
    value: Measurement
    acceptable: bool
    outside_by: float  # distance of the value outside [min, max] of the measured values (0 inside)

    @property
    def outside(self) -> bool:
        """Outside the measured range by more than its own error."""
        return bool(self.outside_by > self.value.std_err)

    def as_dict(self, key: str) -> dict:
        return {"form": self.form.name, "model": self.form.model, **self.value.as_dict(key),
                "chi2_per_dof": self.fit.chi2_per_dof, "p_value": self.fit.p_value, "acceptable": self.acceptable,
                "outside_measured_range_by": self.outside_by, "outside_measured_range": self.outside}


@dataclass
class Extrapolation:
    """Every fit tried, the chosen one (and why), and the result with statistical and systematic errors."""

    quantity: str
    key: str  # summary key of the extrapolated value, with its unit
    abscissa: str
    x_raw: np.ndarray  # the measured abscissae (rates in 1/s, lengths in A)
    values: list  # Measurement per point
    tried: list  # TriedFit
    chosen: TriedFit
    criterion: str
    estimate: Estimate
    notes: Notes

    @property
    def fit(self) -> LineFit:
        return self.chosen.fit

    def summary(self) -> dict:
        out = dict(self.estimate.as_dict(self.key))
        out["extrapolation"] = {"chosen": self.chosen.form.name, "criterion": self.criterion,
                                "fits": [t.as_dict(self.key) for t in self.tried]}
        out["uncertainty"] = UNCERTAINTY_NOTE
        out["warnings"] = list(self.notes.messages)
        return out


def _outside(value: float, ys: np.ndarray) -> float:
    return float(max(value - ys.max(), ys.min() - value, 0.0))


def extrapolate(x_raw: Sequence[float], values: Sequence[Measurement], forms: Sequence[FitForm], *, choice: str,
                quantity: str, key: str, unit: str, abscissa: str, why: str, notes: Notes) -> Extrapolation:
    """Try every form on (x_raw, values), choose one (``choice``: a form's name, or ``auto`` for
    :data:`CRITERION`, ``forms`` in the order of preference, ``why`` that order), warn when the
    chosen value lies outside the measured range by more than its error."""
    x_raw = np.asarray(x_raw, dtype=float)
    ys = np.array([v.value for v in values])
    tried = []
    for form in forms:
        yy = [form.y(v) for v in values]
        fit = weighted_line(form.x(x_raw), [m.value for m in yy], [m.std_err for m in yy])
        value = form.limit(fit.intercept)
        ok = not (fit.p_value < MIN_P_VALUE)  # NaN (no degrees of freedom): acceptable
        tried.append(TriedFit(form, fit, value, ok, _outside(value.value, ys)))
    if choice != "auto":
        chosen = next(t for t in tried if t.form.name == choice)
        criterion = f"given: {choice}"
    else:
        pool = [t for t in tried if t.acceptable] or tried
        chi2 = lambda t: t.fit.chi2_per_dof * max(len(x_raw) - 2, 1) if math.isfinite(t.fit.chi2_per_dof) else 0.0  # noqa: E731
        best = min(chi2(t) for t in pool)
        chosen = next(t for t in pool if chi2(t) <= best + CHI2_TIE)  # the first of the equally good fits
        criterion = CRITERION.format(order=", ".join(f.name for f in forms), why=why)
    others = [abs(t.value.value - chosen.value.value) for t in tried if t is not chosen and t.acceptable
              and math.isfinite(t.value.value)]
    names = ", ".join(t.form.name for t in tried if t is not chosen and t.acceptable)
    est = chosen.value.estimate(
        max(others) if others else 0.0,
        f"fit form: largest difference to the other acceptable fit ({names})" if others
        else "fit form: no other acceptable fit form", form=chosen.form.name, model=chosen.form.model,
        n_points=len(x_raw))
    v = chosen.value
    if not (v.value > 0) or not v.std_err <= 0.5 * abs(v.value):
        notes.warn(f"the {quantity} extrapolation is not trustworthy ({v.value:.4g} +- {v.std_err:.2g} {unit}, "
                   f"{chosen.form.name} fit)")
    if chosen.outside:
        side = "above every" if v.value > ys.max() else "below every"
        notes.warn(f"the extrapolated {quantity} {v.value:.4g} +- {v.std_err:.2g} {unit} ({chosen.form.name} fit, "
                   f"{chosen.form.model}) lies {chosen.outside_by:.2g} {unit} {side} measured value "
                   f"({ys.min():.4g}..{ys.max():.4g}), more than its error: it rests on the fitted form holding "
                   f"beyond the data; the other fits gave "
                   + ", ".join(f"{t.form.name} {t.value.value:.4g} +- {t.value.std_err:.2g}" for t in tried
                               if t is not chosen))
    if not chosen.acceptable and len(x_raw) >= 3:
        notes.warn(f"no fit form describes the points (chi^2 p-values "
                   + ", ".join(f"{t.form.name} {t.fit.p_value:.3f}" for t in tried) + ")")
    return Extrapolation(quantity=quantity, key=key, abscissa=abscissa, x_raw=x_raw, values=list(values), tried=tried,
                         chosen=chosen, criterion=criterion, estimate=est, notes=notes)


def _inverse_y(m: Measurement) -> Measurement:
    return Measurement(1.0 / m.value, m.std_err / m.value ** 2)


def _inverse_limit(a: Measurement) -> Measurement:
    if a.value <= 0:
        return Measurement(math.inf, math.inf)
    return Measurement(1.0 / a.value, a.std_err / a.value ** 2)


#: forms in the order of preference, and why
SIZE_ORDER = "the Schelling form of kinetic theory, 1/l_eff = 1/l_inf + 4/L, first"
SIZE_FORMS = {
    "inverse": FitForm("inverse", "1/kappa = 1/kappa_inf + c/L", lambda L: 1.0 / L, _inverse_y, _inverse_limit,
                       lambda a, b, L: 1.0 / (a + b / L)),
    "linear": FitForm("linear", "kappa = kappa_inf - c/L", lambda L: 1.0 / L, lambda m: m, lambda a: a,
                      lambda a, b, L: a + b / L),
}
SHEAR_ORDER = ("the smaller extrapolation first: sqrt(rate) holds at intermediate rates and overshoots a Newtonian "
               "plateau (LJ at four rates: sqrt 3.52 +- 0.18, above every measured eta*, linear 3.38 +- 0.11)")
SHEAR_FORMS = {
    "linear": FitForm("linear", "eta = eta_0 - B rate", lambda r: r, lambda m: m, lambda a: a,
                      lambda a, b, r: a + b * r),
    "sqrt": FitForm("sqrt", "eta = eta_0 - A sqrt(rate)", np.sqrt, lambda m: m, lambda a: a,
                    lambda a, b, r: a + b * np.sqrt(r)),
}


def extrapolate_inverse_length(lengths_A: Sequence[float], kappas: Sequence[Measurement],
                               form: str = "auto") -> Extrapolation:
    """kappa(L -> inf) from NEMD runs in boxes of several lengths (A): every form of
    :data:`SIZE_FORMS` tried, one chosen (``form``: auto, inverse or linear), with trust checks."""
    L = np.asarray(lengths_A, dtype=float)
    if len(L) != len(kappas):
        raise InputError(f"{len(L)} lengths but {len(kappas)} conductivities")
    if np.any(~np.isfinite(L)) or np.any(L <= 0):
        raise InputError(f"box lengths must be positive, got {L.tolist()} A")
    if any(not k.value > 0 for k in kappas):
        raise InputError(f"conductivities must be positive, got {[k.value for k in kappas]}")
    if len(set(L.round(6))) < 2:
        raise InputError("need at least two different box lengths for a 1/L extrapolation")
    if form not in ("auto", *SIZE_FORMS):
        raise InputError(f"size extrapolation form must be auto, {' or '.join(SIZE_FORMS)}, got {form!r}")
    notes = Notes()
    ext = extrapolate(L, kappas, list(SIZE_FORMS.values()), choice=form, quantity="thermal conductivity",
                      key="kappa_infinite_W_per_mK", unit="W/m/K", abscissa="1/L", why=SIZE_ORDER, notes=notes)
    fit = ext.chosen.fit
    what = "1/kappa" if ext.chosen.form.name == "inverse" else "kappa"
    if len(L) < 3:
        notes.warn("only two box lengths: the linearity of 1/kappa in 1/L cannot be checked; add a third length")
    elif fit.p_value < MIN_P_VALUE:
        notes.warn(f"{what} is not linear in 1/L (chi2/dof = {fit.chi2_per_dof:.2f}, p = {fit.p_value:.3f}): "
                   "the small boxes are outside the linear regime; drop them or add longer boxes")
    if L.max() < 2 * L.min():
        notes.warn(f"box lengths span only {L.min():.4g}-{L.max():.4g} A (less than a factor 2): "
                   "the intercept is poorly constrained; use longer boxes (L_max/L_min >= 2)")
    kappa_trend = fit.slope.value if what == "1/kappa" else -fit.slope.value
    if kappa_trend < -2 * fit.slope.std_err:
        notes.warn("kappa decreases with box length: not the boundary-scattering trend 1/kappa = a + b/L; "
                   "check that the runs are at steady state")
    return ext


def zero_shear_extrapolation(shear_rates_per_s: Sequence[float], viscosities: Sequence[Measurement],
                             variable: str = "auto", notes: Optional[Notes] = None) -> Optional[Extrapolation]:
    """eta(rate -> 0) from Muller-Plathe runs at several shear rates: every form of
    :data:`SHEAR_FORMS` tried, one chosen (``variable``: auto, sqrt or linear). With one rate there
    is nothing to extrapolate: None, with a warning (in ``notes`` if given; the caller reports that
    rate's value)."""
    rates = np.asarray(shear_rates_per_s, dtype=float)
    if np.any(~np.isfinite(rates)) or np.any(rates <= 0):
        raise InputError(f"shear rates must be positive, got {rates.tolist()} 1/s")
    if variable not in ("auto", *SHEAR_FORMS):
        raise InputError(f"extrapolation variable must be auto, {' or '.join(SHEAR_FORMS)}, got {variable!r}")
    notes = notes if notes is not None else Notes()
    if len(rates) < 2:
        notes.warn("one shear rate only: no zero-shear extrapolation; run two or more swap_every values")
        return None
    ext = extrapolate(rates, viscosities, list(SHEAR_FORMS.values()), choice=variable, quantity="zero-shear viscosity",
                      key="viscosity_Pa_s", unit="Pa s", abscissa="shear rate", why=SHEAR_ORDER, notes=notes)
    fit, name = ext.chosen.fit, ext.chosen.form.name
    if len(rates) >= 3 and fit.p_value < MIN_P_VALUE:
        notes.warn(f"the viscosity is not linear in {'sqrt(rate)' if name == 'sqrt' else 'rate'} "
                   f"(p = {fit.p_value:.3f}): drop the highest shear rates")
    lowest = viscosities[int(np.argmin(rates))]
    eta0 = ext.chosen.value
    if abs(eta0.value - lowest.value) > 0.25 * lowest.value:
        notes.warn(f"the extrapolated viscosity differs from the lowest-rate value by "
                   f"{100 * abs(eta0.value - lowest.value) / lowest.value:.0f}%: the shear rates are far from the "
                   "linear-response regime; use larger swap_every")
    return ext
