"""What the training frames covered, recorded in ``metadata["training"]`` so that LAMMPS and the
workflows can warn when a run leaves it (keys defined in :mod:`ptmlp.metadata`, read by the C++ core too).

- ``pressure_range_GPa``: [min, max] static (virial) pressure, null when no frame has a virial;
- ``min_pair_distance_A``: shortest interatomic distance of any frame (null: no pair within r_cut);
- ``neighbours_per_atom_range``: [min, max] number of neighbours within r_cut of any atom.
"""

from __future__ import annotations

from typing import Optional, Sequence

import torch

from ..data.frame import Frame
from ..graph import Graph
from ..metadata import KEY_MIN_PAIR_DISTANCE, KEY_NEIGHBOURS_RANGE, KEY_PRESSURE_RANGE


def pressure_range_GPa(frames: Sequence[Frame]) -> Optional[list[float]]:
    """[min, max] static (virial) pressure of the frames, GPa (None without virials)."""
    p = [x for x in (f.pressure_GPa for f in frames) if x == x]
    return [float(min(p)), float(max(p))] if p else None


def min_pair_distance_A(graphs: Sequence[Graph]) -> Optional[float]:
    """Shortest edge length of the graphs (their edges are the pairs within r_cut), angstrom."""
    lengths = [float(torch.linalg.norm(g.edge_vec, dim=-1).min()) for g in graphs if g.edge_vec.shape[0]]
    return min(lengths) if lengths else None


def neighbours_per_atom_range(graphs: Sequence[Graph]) -> Optional[list[int]]:
    """[min, max] number of neighbours within r_cut of any atom of the graphs (None: no atoms)."""
    counts = [torch.bincount(g.edge_i, minlength=g.n_atoms) for g in graphs if g.n_atoms]
    if not counts:
        return None
    return [min(int(c.min()) for c in counts), max(int(c.max()) for c in counts)]


def training_ranges(frames: Sequence[Frame], graphs: Sequence[Graph]) -> dict:
    """The three ranges of the training frames (``graphs``: their edge lists at the model's r_cut)."""
    return {KEY_PRESSURE_RANGE: pressure_range_GPa(frames),
            KEY_MIN_PAIR_DISTANCE: min_pair_distance_A(graphs),
            KEY_NEIGHBOURS_RANGE: neighbours_per_atom_range(graphs)}
