"""Slab profiles of reverse-NEMD runs (Muller-Plathe, eHEX): linear fits of the two halves
of a periodic box, away from the source and sink slabs, with a non-linearity check.

The box is cut into ``n_bins`` slabs along z; the sink is slab 0 (z = 0) and the source slab
``n_bins/2``. Between them the profile rises, after the source it falls back. Each half is
fitted separately on the slabs more than ``exclude_bins`` away from both reservoirs; the
gradient magnitude is the mean of the two halves' magnitudes (they see the same flux).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..uncertainty import combine_runs
from .results import Notes

#: curvature changing the gradient across a fitted half by more than this is flagged
MAX_NONLINEARITY = 0.10
#: a curvature this many standard errors from zero is real (below: the half is too noisy to tell)
CURVATURE_SIGMAS = 3.0


@dataclass
class HalfFit:
    """Straight-line fit of one half: slope (unit/m), its error, the bins used, and the
    quadratic term's relative effect on the gradient across the half."""

    slope: float
    slope_err: float
    intercept: float
    bins: np.ndarray
    nonlinearity: float
    curvature_sigmas: float


def fit_bins(n_bins: int, exclude_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the rising half (between sink 0 and source n/2) and the falling half."""
    if n_bins < 8 or n_bins % 2:
        raise InputError(f"number of slabs must be even and >= 8, got {n_bins}")
    half = n_bins // 2
    if exclude_bins < 0 or half - 1 - 2 * exclude_bins < 3:
        raise InputError(f"exclude_bins={exclude_bins} leaves fewer than 3 slabs per half of {n_bins}; "
                         f"use 0..{(half - 4) // 2} or more slabs")
    rise = np.arange(1 + exclude_bins, half - exclude_bins)
    fall = np.arange(half + 1 + exclude_bins, n_bins - exclude_bins)
    return rise, fall


def _weighted_polyfit(x, y, err, deg):
    w = 1.0 / np.where(err > 0, err, np.nanmax(err) if np.any(err > 0) else 1.0)
    coef, cov = np.polyfit(x, y, deg, w=w, cov="unscaled")
    # scale the covariance by the reduced chi^2 when it exceeds 1 (errors underestimated)
    resid = (y - np.polyval(coef, x)) * w
    dof = max(1, len(x) - deg - 1)
    chi2 = float(resid @ resid) / dof
    return coef, cov * max(1.0, chi2)


def fit_half(z: np.ndarray, y: np.ndarray, err: np.ndarray, bins: np.ndarray) -> HalfFit:
    """Linear fit (and quadratic check) of a profile ``y(z)`` on ``bins``."""
    x, yy, ee = z[bins], y[bins], err[bins]
    (slope, icpt), cov = _weighted_polyfit(x, yy, ee, 1)
    nonlin, sig = 0.0, 0.0
    if len(bins) >= 4:
        (c2, c1, _), cov2 = _weighted_polyfit(x - x.mean(), yy, ee, 2)
        span = x.max() - x.min()
        # a parabola's gradient changes by 2 c2 span across the half: relative to the mean gradient
        nonlin = abs(2 * c2 * span / c1) if c1 != 0 else math.inf
        sig = abs(c2) / math.sqrt(cov2[0, 0]) if cov2[0, 0] > 0 else math.inf
    return HalfFit(slope=float(slope), slope_err=float(math.sqrt(cov[0, 0])), intercept=float(icpt), bins=bins,
                   nonlinearity=float(nonlin), curvature_sigmas=float(sig))


def batch_error(values: np.ndarray) -> float:
    """1-sigma error of a coefficient from its values in consecutive batches of profile blocks: their
    scatter x the Student-t factor of their number (:func:`ptmlp.uncertainty.combine_runs`)."""
    return combine_runs(values, [math.nan] * len(values)).stat_err


@dataclass
class ProfileAnalysis:
    """Gradient magnitude of a time-averaged slab profile, per batch of blocks and overall."""

    z_m: np.ndarray
    mean_profile: np.ndarray
    profile_err: np.ndarray
    rise: HalfFit
    fall: HalfFit
    gradient: float
    batch_gradients: np.ndarray

    def linearity(self) -> dict:
        """Summary keys of the linearity check of both halves (sink->source, source->sink)."""
        return {"nonlinearity": [self.rise.nonlinearity, self.fall.nonlinearity],
                "curvature_sigmas": [self.rise.curvature_sigmas, self.fall.curvature_sigmas],
                "nonlinearity_flagged_above": MAX_NONLINEARITY, "curvature_real_above_sigmas": CURVATURE_SIGMAS}


def analyse_profile(z_m: np.ndarray, blocks: np.ndarray, exclude_bins: int, n_batches: int, notes: Notes,
                    what: str, fix_hint: str, sign_rise: int = +1) -> ProfileAnalysis:
    """Fit the mean of ``blocks`` (n_blocks, n_bins) and each of ``n_batches`` consecutive
    batches; checks the sign pattern, curvature and steady state. ``sign_rise``: expected
    sign of the slope between sink and source (+1 temperature, either for velocity)."""
    n_blocks, n_bins = blocks.shape
    rise_bins, fall_bins = fit_bins(n_bins, exclude_bins)
    n_batches = int(min(n_batches, n_blocks))
    if n_batches < 2:
        raise InputError(f"only {n_blocks} steady-state profile block(s): need at least 2 to estimate errors; "
                         "run longer (run_steps) or write profiles more often (profile_every)")
    batches = np.array([b.mean(axis=0) for b in np.array_split(blocks, n_batches)])
    mean = blocks.mean(axis=0)
    err = batches.std(axis=0, ddof=1) / math.sqrt(n_batches)
    rise = fit_half(z_m, mean, err, rise_bins)
    fall = fit_half(z_m, mean, err, fall_bins)
    if sign_rise and (np.sign(rise.slope) != sign_rise or np.sign(fall.slope) != -sign_rise):
        notes.warn(f"the {what} profile does not rise from the sink to the source and fall back "
                   f"(slopes {rise.slope:.3g}, {fall.slope:.3g}): no steady state, or the signal is buried in noise; "
                   f"{fix_hint}")
    elif np.sign(rise.slope) == np.sign(fall.slope):
        notes.warn(f"both halves of the {what} profile have the same slope sign: no steady state; run longer")
    for name, h in (("sink->source", rise), ("source->sink", fall)):
        if h.nonlinearity > MAX_NONLINEARITY and h.curvature_sigmas > CURVATURE_SIGMAS:
            notes.warn(f"the {what} profile is non-linear in the {name} half (the gradient changes by "
                       f"{100 * h.nonlinearity:.0f}% across it, flagged above {100 * MAX_NONLINEARITY:.0f}%; curvature "
                       f"{h.curvature_sigmas:.1f} sigma): {fix_hint}")
        elif h.nonlinearity > MAX_NONLINEARITY:
            notes.warn(f"the {what} profile's {name} half is too noisy to check its linearity: a parabola through it "
                       f"changes the gradient by {100 * h.nonlinearity:.0f}% across it (flagged above "
                       f"{100 * MAX_NONLINEARITY:.0f}%) but its curvature is only {h.curvature_sigmas:.1f} sigma "
                       f"(real above {CURVATURE_SIGMAS:g}); run longer (more profile blocks) before trusting the gradient")
    g_batches = np.array([0.5 * (abs(fit_half(z_m, b, err, rise_bins).slope) + abs(fit_half(z_m, b, err, fall_bins).slope))
                          for b in batches])
    gradient = 0.5 * (abs(rise.slope) + abs(fall.slope))
    asym = abs(abs(rise.slope) - abs(fall.slope))
    asym_err = math.hypot(rise.slope_err, fall.slope_err)
    if asym > 3 * asym_err and asym > 0.1 * gradient:
        notes.warn(f"the two halves of the {what} profile have different gradients ({abs(rise.slope):.3g} vs "
                   f"{abs(fall.slope):.3g}, {asym / asym_err:.1f} sigma): not at steady state or not symmetric; "
                   "run longer before recording (steady_steps)")
    if n_batches >= 4:
        first, second = g_batches[: n_batches // 2], g_batches[n_batches // 2:]
        diff = abs(first.mean() - second.mean())
        diff_err = math.hypot(first.std(ddof=1) / math.sqrt(len(first)), second.std(ddof=1) / math.sqrt(len(second)))
        if diff_err > 0 and diff > 3 * diff_err:
            notes.warn(f"the {what} gradient changes between the first and second half of the recorded run "
                       f"({first.mean():.3g} vs {second.mean():.3g}): not yet at steady state; increase steady_steps")
    return ProfileAnalysis(z_m=z_m, mean_profile=mean, profile_err=err, rise=rise, fall=fall, gradient=gradient,
                           batch_gradients=g_batches)
