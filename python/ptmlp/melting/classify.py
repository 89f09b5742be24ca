"""Calibrating the per-atom phase label from pure-solid and pure-liquid runs at the same (P, T).

Each atom's label is its number of q6 "solid bonds" (LAMMPS ``compute coord/atom orientorder``,
ten Wolde, Ruiz-Montero & Frenkel, J. Chem. Phys. 104, 9932 (1996)). The threshold n* (an atom
is solid with >= n* solid bonds) minimises the misclassification of the two reference runs; the
fractions of atoms labelled solid in the pure solid (f_s) and in the pure liquid (f_l) then map
a measured fraction f to the solid fraction phi = (f - f_l) / (f_s - f_l).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..errors import InputError


@dataclass
class Calibration:
    nsolid_bonds: int  # an atom is solid with at least this many solid bonds
    f_solid_ref: float  # fraction labelled solid in the pure-solid run
    f_liquid_ref: float  # fraction labelled solid in the pure-liquid run
    misclassification: float  # (1 - f_s) + f_l at the threshold

    def solid_fraction(self, f_raw):
        """Solid fraction of the classified atoms from the measured labelled fraction."""
        return (np.asarray(f_raw, dtype=float) - self.f_liquid_ref) / (self.f_solid_ref - self.f_liquid_ref)

    def as_dict(self) -> dict:
        return asdict(self)


def calibrate(hist_solid, hist_liquid, max_misclassification: float = 0.15, where: str = "") -> Calibration:
    """Threshold from the histograms of solid-bond counts (index = number of bonds)."""
    hs = np.asarray(hist_solid, dtype=float)
    hl = np.asarray(hist_liquid, dtype=float)
    if hs.sum() <= 0 or hl.sum() <= 0:
        raise InputError(f"{where}empty reference histogram: the classified atom group (order.types) is empty")
    ps, pl = hs / hs.sum(), hl / hl.sum()
    # at threshold n: solid labelled solid = sum_{k>=n} ps, liquid labelled solid = sum_{k>=n} pl
    tail_s = np.cumsum(ps[::-1])[::-1]
    tail_l = np.cumsum(pl[::-1])[::-1]
    err = (1.0 - tail_s) + tail_l
    n = int(np.argmin(err[1:]) + 1)  # a threshold of 0 bonds labels everything solid
    cal = Calibration(nsolid_bonds=n, f_solid_ref=float(tail_s[n]), f_liquid_ref=float(tail_l[n]),
                      misclassification=float(err[n]))
    if cal.misclassification > max_misclassification:
        raise InputError(f"{where}the order parameter does not separate solid from liquid: best threshold "
                         f"{n} solid bonds misclassifies {100 * cal.misclassification:.0f}% (limit "
                         f"{100 * max_misclassification:.0f}%); the solid reference may have melted or the "
                         "liquid crystallised (temperature far from T_m), or set order.cutoff_A / order.types")
    return cal


def mean_label(hist) -> float:
    """Mean number of solid bonds per classified atom."""
    h = np.asarray(hist, dtype=float)
    return float((h * np.arange(len(h))).sum() / max(h.sum(), 1e-300))
