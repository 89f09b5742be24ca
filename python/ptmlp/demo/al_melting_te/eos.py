"""Stage eos: the cold equation of state of fcc Al from GPAW, V(P) and B(P) for every target pressure.

4-atom cubic fcc cells at ``eos.lattice_A`` are labelled (Fermi-Dirac at ``eos.te_K``); a Vinet
form P(V) = 3 B0 (1 - x) / x^2 exp(1.5 (B0' - 1)(1 - x)), x = (V/V0)^(1/3), is fitted to the
pressures. The same fit is used for the classical potential's own cold curve (stage estimate).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable, Sequence

import numpy as np
from ase import Atoms
from ase.build import bulk
from scipy.optimize import brentq, curve_fit

from ...data.store import Dataset
from ...errors import InputError
from .labels import label

def vinet_pressure(v, v0, b0, b0p):
    x = np.cbrt(np.asarray(v, float) / v0)
    return 3.0 * b0 * (1.0 - x) / x ** 2 * np.exp(1.5 * (b0p - 1.0) * (1.0 - x))


@dataclass
class ColdCurve:
    """A fitted Vinet P(V); volumes per atom (A^3), pressures in GPa."""

    V0_A3_per_atom: float
    B0_GPa: float
    B0_prime: float
    covariance: list
    rms_residual_GPa: float
    points: list  # [[V_A3_per_atom, P_GPa], ...]

    def pressure_GPa(self, v_a3):
        return vinet_pressure(v_a3, self.V0_A3_per_atom, self.B0_GPa, self.B0_prime)

    def bulk_modulus_GPa(self, v_a3: float) -> float:
        """B = -V dP/dV."""
        h = 1e-5 * v_a3
        return float(-v_a3 * (self.pressure_GPa(v_a3 + h) - self.pressure_GPa(v_a3 - h)) / (2 * h))

    def volume_A3(self, p_gpa: float) -> float:
        """Volume per atom at pressure ``p_gpa`` (the fit may be extrapolated by 20 % in volume at most)."""
        vs = [v for v, _ in self.points]
        lo, hi = 0.8 * min(vs), 1.2 * max(vs)
        f = lambda v: float(self.pressure_GPa(v)) - p_gpa  # noqa: E731
        if f(lo) < 0 or f(hi) > 0:
            raise InputError(f"cold curve: {p_gpa:g} GPa is outside the fitted volumes [{lo:.2f}, {hi:.2f}] A^3/atom;"
                             " widen eos.lattice_A")
        return brentq(f, lo, hi, xtol=1e-10)

    def fcc_lattice_A(self, p_gpa: float) -> float:
        return float(np.cbrt(4.0 * self.volume_A3(p_gpa)))

    def as_dict(self) -> dict:
        return asdict(self)


def fit_cold_curve(volumes_A3: Sequence[float], pressures_GPa: Sequence[float]) -> ColdCurve:
    v = np.asarray(volumes_A3, float)
    p = np.asarray(pressures_GPa, float)
    if len(v) < 4:
        raise InputError(f"a cold-curve fit needs 4 or more volumes, got {len(v)}")
    v0_guess = float(v[np.argmin(np.abs(p))])
    params, cov = curve_fit(vinet_pressure, v, p, p0=[v0_guess, 80.0, 4.5], maxfev=20000,
                            bounds=([0.3 * v.min(), 1.0, 0.5], [3.0 * v.max(), 5000.0, 20.0]))
    resid = p - vinet_pressure(v, *params)
    return ColdCurve(float(params[0]), float(params[1]), float(params[2]), np.asarray(cov).tolist(),
                     float(np.sqrt(np.mean(resid ** 2))), [[float(a), float(b)] for a, b in zip(v, p)])


def cold_curve_of(pressure_fn: Callable[[Atoms], float], lattice_A: Sequence[float]) -> ColdCurve:
    """Cold curve of any calculator: ``pressure_fn(atoms)`` of 4-atom fcc cells at ``lattice_A``,
    largest first; refused when the pressure stops rising under compression (a classical potential
    used beyond its range: Al_mm.eam.fs peaks at ~26 GPa, a = 3.81 A)."""
    vols, ps = [], []
    for a in sorted(lattice_A, reverse=True):
        atoms = bulk("Al", "fcc", a=float(a), cubic=True)
        vols.append(atoms.get_volume() / len(atoms))
        ps.append(pressure_fn(atoms))
        if len(ps) > 1 and not ps[-1] > ps[-2]:
            raise InputError(f"cold curve: the pressure falls from {ps[-2]:.1f} to {ps[-1]:.1f} GPa when a goes "
                             f"below {a:.4f} A: the potential is used beyond its range")
    return fit_cold_curve(vols, ps)


def run_eos(ctx, log=print) -> dict:
    """Label the 4-atom cells (resumable), fit, and write the result with a(P), V(P), B(P)."""
    cfg, work = ctx.cfg, ctx.dir("eos")
    e = cfg.eos
    cells = [bulk("Al", "fcc", a=float(a), cubic=True) for a in e.lattice_A]
    labeler = ctx.labeler(e.te_K, "eos", ecut_eV=e.ecut_eV, kpts=e.kpts)
    data = work / "eos.h5"
    report = label(ctx, cells, labeler, data, [f"eos/a{a:.4f}" for a in e.lattice_A], log, "eos labels")
    frames = Dataset(data).read()
    if len(frames) < 4:
        raise InputError(f"eos: only {len(frames)} of {len(cells)} cells labelled (see {data}.labels.jsonl)")
    curve = fit_cold_curve([f.atoms.get_volume() / len(f.atoms) for f in frames], [f.pressure_GPa for f in frames])
    table = []
    for p in cfg.pressures_GPa:
        v = curve.volume_A3(p)
        table.append({"pressure_GPa": p, "volume_A3_per_atom": v, "fcc_lattice_A": float(np.cbrt(4 * v)),
                      "bulk_modulus_GPa": curve.bulk_modulus_GPa(v)})
    out = {"method": f"GPAW {cfg.dft.xc}, 4-atom fcc cells, PW {e.ecut_eV:g} eV, k {e.kpts}, Fermi-Dirac "
                     f"{e.te_K:g} K; Vinet fit to the pressures",
           "fit": curve.as_dict(), "energies_eV_per_atom": [f.energy_eV / len(f.atoms) for f in frames],
           "targets": table, "labels_wall_s": report.wall_s}
    ctx.save_result("eos", out)
    log(f"eos: V0 = {curve.V0_A3_per_atom:.3f} A^3/atom, B0 = {curve.B0_GPa:.1f} GPa, B0' = {curve.B0_prime:.2f}, "
        f"rms {curve.rms_residual_GPa:.2f} GPa; a(P) = " +
        ", ".join(f"{r['fcc_lattice_A']:.4f} A at {r['pressure_GPa']:g} GPa" for r in table))
    return out


def load_curve(eos_json: dict) -> ColdCurve:
    return ColdCurve(**eos_json["fit"])

