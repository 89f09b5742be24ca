"""Per-site features of AB2O4-type compositions (issue #24, step 5): for each of the 12 elemental
properties E of :data:`elements.SITE_PROPERTIES`, X_site = s1 E1 + s2 E2 over the elements of the site
(s = fraction of the site), for the A and the B site, and their difference A - B and sum A + B."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import numpy as np

from .elements import SITE_PROPERTIES, element_table


def site_feature_names() -> list[str]:
    props = list(SITE_PROPERTIES)
    return ([f"A_{p}" for p in props] + [f"B_{p}" for p in props] + [f"AminusB_{p}" for p in props]
            + [f"AplusB_{p}" for p in props])


@lru_cache(maxsize=1)
def _site_matrix() -> np.ndarray:
    return element_table().matrix(list(SITE_PROPERTIES))


def site_vector(site: dict[str, Fraction | float]) -> np.ndarray:
    """sum_i s_i E_i of the 12 properties (s normalised to 1 over the site)."""
    table, m = element_table(), _site_matrix()
    total = float(sum(Fraction(s) for s in site.values()))
    out = np.zeros(m.shape[1])
    for el, s in site.items():
        out += float(s) / total * m[table.index(el)]
    return out


def site_features(sites: list[tuple[dict, dict]]) -> np.ndarray:
    """[N, 48] features of (A-site mixture, B-site mixture) pairs, columns as :func:`site_feature_names`."""
    rows = []
    for a_site, b_site in sites:
        a, b = site_vector(a_site), site_vector(b_site)
        rows.append(np.concatenate([a, b, a - b, a + b]))
    return np.asarray(rows).reshape(len(sites), 4 * len(SITE_PROPERTIES))
