"""Magpie-style composition features (Ward et al., npj Comput. Mater. 2, 16028 (2016)): for each
elemental property of :data:`elements.MAGPIE_PROPERTIES`, over the elements of a composition weighted by
their atomic fractions f_i:

- ``min``, ``max``, ``range`` (max - min) over the elements present;
- ``mean`` = sum_i f_i x_i; ``mad`` (mean absolute deviation) = sum_i f_i |x_i - mean|;
- ``mode`` = the value of the element with the largest fraction (ties: the smallest of the tied values);

plus the stoichiometry features ``n_elements`` and the L2 and L3 norms of the fractions.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .elements import MAGPIE_PROPERTIES, element_table
from .formula import fractions

STATS = ("min", "max", "range", "mean", "mad", "mode")


def magpie_feature_names(properties: list[str] | None = None) -> list[str]:
    props = list(properties or MAGPIE_PROPERTIES)
    return ["n_elements", "frac_l2", "frac_l3"] + [f"{s}_{p}" for p in props for s in STATS]


def composition_arrays(compositions: list[dict[str, Fraction | int | float]]) -> tuple[np.ndarray, np.ndarray]:
    """Padded atomic numbers [N, M] (0 = padding) and atomic fractions [N, M] (alphabetical order)."""
    table = element_table()
    width = max((len(c) for c in compositions), default=1)
    z = np.zeros((len(compositions), width), dtype=np.int64)
    f = np.zeros((len(compositions), width))
    for i, comp in enumerate(compositions):
        for j, (el, x) in enumerate(fractions(comp).items()):
            z[i, j] = table.index(el)
            f[i, j] = x
    return z, f


def magpie_features(z: np.ndarray, frac: np.ndarray, properties: list[str] | None = None) -> np.ndarray:
    """[N, len(magpie_feature_names())] features of padded compositions (see module doc)."""
    table = element_table()
    props = list(properties or MAGPIE_PROPERTIES)
    mask = z > 0
    out = [mask.sum(1).astype(float), np.sqrt((frac ** 2).sum(1)), np.cbrt((frac ** 3).sum(1))]
    # the most abundant element (ties -> smallest value, decided per property below)
    fmax = np.where(mask, frac, -1.0).max(1, keepdims=True)
    is_top = mask & np.isclose(frac, fmax, rtol=0, atol=1e-12)
    for p in props:
        v = table.values[p][z]
        vmin = np.where(mask, v, np.inf).min(1)
        vmax = np.where(mask, v, -np.inf).max(1)
        mean = (frac * v).sum(1)
        mad = (frac * np.abs(v - mean[:, None])).sum(1)
        mode = np.where(is_top, v, np.inf).min(1)
        out += [vmin, vmax, vmax - vmin, mean, mad, mode]
    return np.stack(out, axis=1)


def featurise(compositions: list[dict], properties: list[str] | None = None) -> np.ndarray:
    """Magpie-style features of a list of element -> amount mappings."""
    z, f = composition_arrays(compositions)
    return magpie_features(z, f, properties)
