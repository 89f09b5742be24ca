"""Crystals and Miller indices of the elemental facets (``surface_property2``): the element and the
Miller (or hexagonal Miller-Bravais) index come from the file names of the Materials Virtual Lab
data (``1Li211``, ``283Sr20-21``); the crystal structure (fcc, bcc, hcp) from the geometry: the
coordination of the slab's deepest atom and the index notation. Facets whose crystal is none of
the three are left out of the Wulff analysis."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .graph import CrystalGraph

_NAME = re.compile(r"^\d+([A-Z][a-z]?)(-?\d)(-?\d)(-?\d)(-?\d)?$")


@dataclass(frozen=True)
class Facet:
    element: str
    miller: tuple[int, ...]  # 3 indices, or 4 (Miller-Bravais) for hexagonal crystals

    @property
    def hexagonal(self) -> bool:
        return len(self.miller) == 4


def parse_facet_name(slab_id: str) -> Optional[Facet]:
    """``283Sr20-21`` -> Facet('Sr', (2, 0, -2, 1)); None if the name has another form."""
    m = _NAME.match(slab_id)
    if not m:
        return None
    idx = tuple(int(g) for g in m.groups()[1:] if g is not None)
    if len(idx) == 4 and idx[0] + idx[1] + idx[2] != 0:
        return None
    return Facet(m.group(1), idx)


def interior_coordination(graph: CrystalGraph, factor: float = 1.1) -> int:
    """Neighbours of the deepest atom within ``factor`` times its nearest-neighbour distance
    (12 for fcc and hcp, 8 for bcc)."""
    deepest = int(np.argmax(graph.depth_A))
    d = graph.distance_A[graph.centre == deepest]
    return int(np.sum(d <= factor * d.min()))


def crystal_of(facet: Facet, graph: CrystalGraph) -> Optional[str]:
    """'fcc', 'bcc' or 'hcp' from the notation and the interior coordination; None otherwise."""
    cn = interior_coordination(graph)
    if facet.hexagonal:
        return "hcp" if cn == 12 else None
    return {12: "fcc", 8: "bcc"}.get(cn)


def lattice_of(element: str, crystal: str):
    """pymatgen Lattice of the crystal (cubic: unit cube; hcp: c/a of ASE's reference state if it is
    hcp, else the ideal sqrt(8/3)); the Wulff shape does not depend on the scale."""
    from ase.data import atomic_numbers, reference_states
    from pymatgen.core import Lattice

    if crystal in ("fcc", "bcc"):
        return Lattice.cubic(1.0)
    ref = reference_states[atomic_numbers[element]] or {}
    covera = ref.get("c/a", np.sqrt(8.0 / 3.0)) if ref.get("symmetry") == "hcp" else np.sqrt(8.0 / 3.0)
    return Lattice.hexagonal(1.0, float(covera))


def three_index(facet: Facet) -> tuple[int, int, int]:
    from .wulff import hexagonal_to_three_index

    return hexagonal_to_three_index(facet.miller) if facet.hexagonal else tuple(facet.miller)
