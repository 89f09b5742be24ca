"""Self-diffusion per species from the mean squared displacement (FFT, all time origins),
fitted in the diffusive regime found automatically, with the Yeh-Hummer finite-size
correction.

Diffusive window: the local exponent ``beta(t) = dlog MSD / dlog t`` is 1 in the diffusive
regime (ballistic 2, caged < 1). The fit uses the longest stretch ending at
``max_fit_fraction`` of the run over which ``|beta - 1| < beta_tolerance``; the MSD at
longer lags has too few time origins. ``D = slope / 6``; its error is that of independent time
blocks (the same fit in each), their scatter times the Student-t factor of their number
(:func:`ptmlp.uncertainty.combine_runs`, the one uncertainty model).

Yeh & Hummer, J. Phys. Chem. B 108, 15873 (2004): ``D_inf = D_PBC + xi k_B T / (6 pi eta L)``,
``xi = 2.837297`` for a cubic box of edge ``L``, with the run's *measured* temperature (NVE runs
settle away from the target; :mod:`ptmlp.transport.temperature`). The correction's error (from
the viscosity's) is the systematic error of the corrected D.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..errors import InputError
from ..uncertainty import Estimate, combine_runs
from . import constants as C
from .correlation import msd_fft
from .results import UNCERTAINTY_NOTE, Measurement, Notes
from .trajectory import Trajectory

YEH_HUMMER_XI = 2.837297


@dataclass
class DiffusionFit:
    """MSD (m^2) vs lag time (s), the local exponent, the fit window and D (m^2/s)."""

    D: Measurement
    time_s: np.ndarray
    msd_m2: np.ndarray
    exponent: np.ndarray
    window_s: tuple
    intercept_m2: float
    diffusive: bool
    error_model: dict  # how the error of D was got (blocks, their length, the Student-t factor)


def local_exponent(t: np.ndarray, msd: np.ndarray) -> np.ndarray:
    """``dlog MSD / dlog t`` (NaN at t = 0 and where the MSD is not positive)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lt, lm = np.log(t), np.log(np.where(msd > 0, msd, np.nan))
    beta = np.full_like(msd, np.nan)
    if len(t) > 3:
        beta[1:] = np.gradient(lm[1:], lt[1:])
    return beta


def diffusive_window(t: np.ndarray, msd: np.ndarray, t_max: float, tolerance: float) -> tuple[int, int, bool]:
    """Indices (start, end) of the fit window and whether a diffusive stretch was found.

    The exponent is taken between log-spaced lags (8 per decade: robust to noise); the window
    starts at the first of them with ``|beta - 1| < tolerance`` after which ``|beta - 1|``
    stays below ``2 * tolerance`` up to ``t_max``."""
    k_end = int(np.searchsorted(t, t_max, side="right")) - 1
    k_end = max(3, min(k_end, len(t) - 1))
    grid = np.unique(np.round(np.logspace(0, np.log10(k_end), max(4, int(8 * np.log10(k_end)) + 1))).astype(int))
    grid = grid[(grid >= 1) & (grid <= k_end)]
    if len(grid) < 3 or np.any(msd[grid] <= 0):
        return max(1, k_end // 3), k_end, False
    beta = np.diff(np.log(msd[grid])) / np.diff(np.log(t[grid]))  # exponent between grid points
    dev = np.abs(beta - 1.0)
    for j in range(len(beta)):
        if dev[j] < tolerance and np.all(dev[j:] < 2 * tolerance):
            k_start = int(grid[j])
            if k_end - k_start >= 3:
                return k_start, k_end, True
            break
    return max(1, k_end // 3), k_end, False


def fit_msd(t: np.ndarray, msd: np.ndarray, k0: int, k1: int, dim: int = 3) -> tuple[float, float]:
    slope, icpt = np.polyfit(t[k0:k1 + 1], msd[k0:k1 + 1], 1)
    return slope / (2 * dim), icpt


def msd_of_atoms(traj: Trajectory, atoms: np.ndarray, max_lag: int, frames: slice = slice(None),
                 com: Optional[np.ndarray] = None, chunk_atoms: int = 2048) -> np.ndarray:
    """Mean MSD (angstrom^2) over ``atoms``, atoms processed in chunks (h5 datasets stream)."""
    total = np.zeros(max_lag + 1)
    for start in range(0, len(atoms), chunk_atoms):
        idx = atoms[start:start + chunk_atoms]
        pos = np.asarray(traj.positions[frames][:, idx, :] if isinstance(traj.positions, np.ndarray)
                         else traj.positions[frames, np.sort(idx), :])
        if com is not None:
            pos = pos - com[frames][:, None, :]
        total += msd_fft(pos, max_lag).sum(axis=1)
    return total / len(atoms)


def centre_of_mass(traj: Trajectory, masses: Optional[dict]) -> np.ndarray:
    """(n_frames, 3) mass-weighted mean position (unweighted when masses are unknown)."""
    w = np.ones(len(traj.types)) if not masses else np.array([masses.get(int(t), 1.0) for t in traj.types])
    w = w / w.sum()
    out = np.empty((traj.n_frames, 3))
    step = 256
    for s in range(0, traj.n_frames, step):
        out[s:s + step] = np.einsum("fnc,n->fc", np.asarray(traj.positions[s:s + step]), w)
    return out


def diffusion_of(traj: Trajectory, atoms: np.ndarray, notes: Notes, *, label: str, max_fit_fraction: float = 0.3,
                 beta_tolerance: float = 0.1, fit_window_ps: Optional[tuple] = None, n_blocks: int = 5,
                 com: Optional[np.ndarray] = None) -> DiffusionFit:
    """Self-diffusion coefficient of ``atoms`` with an automatic (or given) fit window."""
    n = traj.n_frames
    max_lag = max(4, int(0.5 * n))
    t = np.arange(max_lag + 1) * traj.dt_s
    msd = msd_of_atoms(traj, atoms, max_lag, com=com) * C.ANGSTROM_M ** 2
    if fit_window_ps is not None:
        t0, t1 = (x * C.PS_S for x in fit_window_ps)
        if not 0 <= t0 < t1 <= t[-1] + 0.5 * traj.dt_s:
            raise InputError(f"fit window {fit_window_ps} ps must satisfy 0 <= start < end <= {t[-1] * 1e12:.4g} ps "
                             "(half the run)")
        k0, k1 = int(round(t0 / traj.dt_s)), int(round(t1 / traj.dt_s))
        found = True
    else:
        k0, k1, found = diffusive_window(t, msd, max_fit_fraction * n * traj.dt_s, beta_tolerance)
    beta = local_exponent(t, msd)
    if not found:
        b_end = float(np.nanmean(beta[max(1, k1 - 3):k1 + 1]))
        if b_end < 0.5:
            notes.warn(f"{label}: the MSD has not reached a diffusive regime (local exponent {b_end:.2f} at "
                       f"{t[k1] * 1e12:.3g} ps; 1 = diffusive): a solid or a glass on this time scale; D is an upper bound")
        else:
            notes.warn(f"{label}: no diffusive regime found (local exponent {b_end:.2f} at {t[k1] * 1e12:.3g} ps, "
                       f"needs |beta - 1| < {beta_tolerance}): run longer; D is fitted on {t[k0] * 1e12:.3g}-"
                       f"{t[k1] * 1e12:.3g} ps")
    d, icpt = fit_msd(t, msd, k0, k1)
    # errors: independent time blocks; in each the window ends at most at half the block
    block_ds = []
    length = n // max(n_blocks, 1)
    k1_b = min(k1, length // 2)
    source = "independent time blocks"
    if n_blocks >= 2 and k1_b >= k0 + 3:
        for b in range(n_blocks):
            m = msd_of_atoms(traj, atoms, k1_b, frames=slice(b * length, (b + 1) * length), com=com) * C.ANGSTROM_M ** 2
            block_ds.append(fit_msd(t[:k1_b + 1], m, k0, k1_b)[0])
    else:
        source = "groups of atoms"
        rng = np.random.default_rng(0)
        groups = np.array_split(rng.permutation(atoms), 5) if len(atoms) >= 10 else []
        for g in groups:
            m = msd_of_atoms(traj, g, k1, com=com) * C.ANGSTROM_M ** 2
            block_ds.append(fit_msd(t[:k1 + 1], m, k0, k1)[0])
        if groups:
            notes.warn(f"{label}: run too short for independent time blocks; the error of D comes from groups of "
                       "atoms (it may be underestimated); run longer")
    blocks = combine_runs(block_ds, [math.nan] * len(block_ds)) if len(block_ds) > 1 else None
    err = blocks.stat_err if blocks is not None else math.nan
    model = {"combined_by": f"scatter of {len(block_ds)} {source}", "n_blocks": len(block_ds),
             "block_length_ps": length * traj.dt_s * 1e12 if source.endswith("time blocks") else None,
             "t_factor": blocks.details.get("t_factor") if blocks is not None else None}
    if d <= 0:
        notes.warn(f"{label}: the fitted slope of the MSD is not positive: no diffusion on this time scale")
    return DiffusionFit(D=Measurement(d, err), time_s=t, msd_m2=msd, exponent=beta,
                        window_s=(float(t[k0]), float(t[k1])), intercept_m2=float(icpt), diffusive=found,
                        error_model=model)


def yeh_hummer(D: Measurement, temperature_K: float, viscosity: Measurement, box_A: np.ndarray,
               notes: Notes) -> Measurement:
    """Finite-size corrected D (m^2/s) for a cubic box (edge from the volume otherwise)."""
    if not (viscosity.value > 0 and temperature_K > 0):
        raise InputError(f"Yeh-Hummer needs a positive viscosity and temperature, got {viscosity.value} Pa s, "
                         f"{temperature_K} K")
    lengths = np.linalg.norm(box_A, axis=1)
    edge = box_edge_A(box_A)
    if lengths.max() / lengths.min() > 1.05 or abs(box_A[1, 0]) + abs(box_A[2, 0]) + abs(box_A[2, 1]) > 1e-6 * edge:
        notes.warn(f"the Yeh-Hummer correction (xi = {YEH_HUMMER_XI}) holds for cubic boxes; this box is "
                   f"{lengths.round(3).tolist()} A: using the edge V^(1/3) = {edge:.4g} A (approximate)")
    corr = yeh_hummer_correction(temperature_K, viscosity, edge)
    return Measurement(D.value + corr.value, math.hypot(D.std_err, corr.std_err))


def yeh_hummer_correction(temperature_K: float, viscosity: Measurement, edge_A: float) -> Measurement:
    """``xi k_B T / (6 pi eta L)`` (m^2/s) with its error from the viscosity's."""
    corr = YEH_HUMMER_XI * C.KB_J_PER_K * temperature_K / (6 * math.pi * viscosity.value * edge_A * C.ANGSTROM_M)
    corr_err = corr * viscosity.std_err / viscosity.value if math.isfinite(viscosity.std_err) else 0.0
    return Measurement(corr, corr_err)


def box_edge_A(box_A: np.ndarray) -> float:
    """The edge of the cube of the same volume, V^(1/3) (A)."""
    return float(abs(np.linalg.det(box_A)) ** (1.0 / 3.0))


@dataclass
class DiffusionResult:
    species: dict  # name -> DiffusionFit
    counts: dict
    corrected: dict  # name -> Measurement (Yeh-Hummer), or empty
    temperature_K: Optional[float]  # the temperature of the Yeh-Hummer correction
    viscosity_Pa_s: Optional[Measurement]
    box_A: np.ndarray
    notes: Notes
    temperature_source: str = "given"  # of temperature_K: measured, given or target

    def estimates(self, name: str) -> tuple[Estimate, Optional[Estimate]]:
        """D of species ``name`` at this box size and Yeh-Hummer corrected (None when not applied),
        each with its error model (the correction's error is the systematic of the corrected D)."""
        fit = self.species[name]
        d = fit.D.estimate(None, "not estimated (D at this box size; the finite-size correction is the "
                                 "Yeh-Hummer one)", **fit.error_model)
        if name not in self.corrected:
            return d, None
        corr = yeh_hummer_correction(self.temperature_K, self.viscosity_Pa_s, box_edge_A(self.box_A))
        yh = Estimate(fit.D.value + corr.value, fit.D.std_err, details=dict(fit.error_model)).with_systematic(
            corr.std_err, "Yeh-Hummer correction error from the viscosity's error")
        return d, yh

    def yeh_hummer(self) -> dict:
        """Whether Yeh-Hummer was applied, with which viscosity, temperature and box edge."""
        if not self.corrected:
            why = "no viscosity given (viscosity_Pa_s or viscosity_summary)" if self.viscosity_Pa_s is None \
                else "no temperature"
            return {"applied": False, "reason": why}
        edge = box_edge_A(self.box_A)
        out = {"applied": True, "xi": YEH_HUMMER_XI, **self.viscosity_Pa_s.as_dict("viscosity_Pa_s"),
               "temperature_K": self.temperature_K, "temperature_source": self.temperature_source,
               "box_edge_A": edge}
        out["correction_m2_per_s"] = yeh_hummer_correction(self.temperature_K, self.viscosity_Pa_s, edge).value
        return out

    def summary(self) -> dict:
        out = {"quantity": "self-diffusion", "method": "msd"}
        for name, fit in self.species.items():
            d, yh = self.estimates(name)
            out.update(d.as_dict(f"D_{name}_m2_per_s"))
            out[f"fit_window_{name}_ps"] = [x * 1e12 for x in fit.window_s]
            out[f"diffusive_{name}"] = bool(fit.diffusive)
            out[f"n_atoms_{name}"] = int(self.counts[name])
            if yh is not None:
                out.update(yh.as_dict(f"D_{name}_yeh_hummer_m2_per_s"))
        out["yeh_hummer"] = self.yeh_hummer()
        out["box_A"] = self.box_A.tolist()
        out["uncertainty"] = UNCERTAINTY_NOTE
        out["warnings"] = list(self.notes.messages)
        return out


def self_diffusion(traj: Trajectory, *, temperature_K: Optional[float] = None,
                   viscosity: Optional[Measurement] = None, masses: Optional[dict] = None,
                   max_fit_fraction: float = 0.3, beta_tolerance: float = 0.1,
                   fit_window_ps: Optional[tuple] = None, remove_com: bool = True,
                   temperature_source: str = "given") -> DiffusionResult:
    """D per species (and Yeh-Hummer corrected when ``viscosity`` and ``temperature_K`` are given:
    the run's measured temperature, ``temperature_source`` says where ``temperature_K`` came from)."""
    if not 0 < max_fit_fraction <= 0.5:
        raise InputError(f"max_fit_fraction must be in (0, 0.5], got {max_fit_fraction}")
    if not 0 < beta_tolerance < 1:
        raise InputError(f"beta_tolerance must be in (0, 1), got {beta_tolerance}")
    notes = Notes()
    com = centre_of_mass(traj, masses) if remove_com else None
    fits, counts, corrected = {}, {}, {}
    for t in sorted(set(traj.types.tolist())):
        name = traj.type_names.get(t, str(t))
        atoms = np.nonzero(traj.types == t)[0]
        fits[name] = diffusion_of(traj, atoms, notes, label=f"species {name}", max_fit_fraction=max_fit_fraction,
                                  beta_tolerance=beta_tolerance, fit_window_ps=fit_window_ps, com=com)
        counts[name] = len(atoms)
        if viscosity is not None and temperature_K is not None:
            corrected[name] = yeh_hummer(fits[name].D, temperature_K, viscosity, traj.box_A, notes)
    if viscosity is not None and temperature_K is None:
        raise InputError("the Yeh-Hummer correction needs the temperature: give temperature_K")
    return DiffusionResult(species=fits, counts=counts, corrected=corrected, temperature_K=temperature_K,
                           viscosity_Pa_s=viscosity, box_A=traj.box_A, notes=notes,
                           temperature_source=temperature_source)
