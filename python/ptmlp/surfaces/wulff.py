"""Wulff-shape averages: area-weighted surface energy and work function of a crystal from facet
values (pymatgen ``WulffShape``); the lowest-energy termination of each Miller index stands for it."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import InputError


def facet_minima(millers: Sequence[tuple], surface_energy: Sequence[float], work_function: Sequence[float]
                 ) -> dict[tuple, tuple[float, float]]:
    """Per Miller index: (lowest surface energy, the work function of that termination)."""
    best: dict[tuple, tuple[float, float]] = {}
    for m, e, w in zip(millers, surface_energy, work_function):
        m = tuple(int(i) for i in m)
        if m not in best or e < best[m][0]:
            best[m] = (float(e), float(w))
    return best


def wulff_average(lattice, facets: dict[tuple, tuple[float, float]]):
    """(WulffShape, area-weighted surface energy (eV/Å²), area-weighted work function (eV)); facets
    that do not appear on the shape weigh zero."""
    from pymatgen.analysis.wulff import WulffShape

    millers = list(facets)
    energies = [facets[m][0] for m in millers]
    if min(energies) <= 0:
        raise InputError(f"surface energies must be positive for a Wulff shape (got {min(energies):.4g} for "
                         f"{millers[int(np.argmin(energies))]})")
    shape = WulffShape(lattice, millers, energies)
    fractions = shape.area_fraction_dict
    total = sum(fractions.values())
    wf = sum(fractions.get(m, 0.0) * facets[m][1] for m in millers) / total
    return shape, float(shape.weighted_surface_energy), float(wf)


def hexagonal_to_three_index(hkil: Sequence[int]) -> tuple[int, int, int]:
    """Miller-Bravais (h k i l) -> Miller (h k l) of the hexagonal cell."""
    h, k, i, l = hkil
    if h + k + i != 0:
        raise InputError(f"Miller-Bravais index {tuple(hkil)}: h + k + i must be 0")
    return (h, k, l)
