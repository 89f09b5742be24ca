"""Concatenating crystal graphs into one batch of tensors (the model's inputs)."""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import torch

from .graph import CrystalGraph


class GraphBatch(NamedTuple):
    numbers: torch.Tensor  # (n_atoms,) atomic numbers
    depth_A: torch.Tensor  # (n_atoms,) depth below the nearer surface
    centre: torch.Tensor  # (n_edges,) batch index of the centre atom
    neighbour: torch.Tensor  # (n_edges,) batch index of the neighbour atom
    distance_A: torch.Tensor  # (n_edges,)
    graph_index: torch.Tensor  # (n_atoms,) which slab of the batch each atom belongs to
    n_graphs: int

    def inputs(self) -> tuple:
        return tuple(self)


def collate(graphs: Sequence[CrystalGraph]) -> GraphBatch:
    offsets = np.concatenate([[0], np.cumsum([g.n_atoms for g in graphs])[:-1]]).astype(np.int64)
    cat = np.concatenate
    return GraphBatch(
        numbers=torch.from_numpy(cat([g.numbers for g in graphs])),
        depth_A=torch.from_numpy(cat([g.depth_A for g in graphs]).astype(np.float32)),
        centre=torch.from_numpy(cat([g.centre + o for g, o in zip(graphs, offsets)])),
        neighbour=torch.from_numpy(cat([g.neighbour + o for g, o in zip(graphs, offsets)])),
        distance_A=torch.from_numpy(cat([g.distance_A for g in graphs]).astype(np.float32)),
        graph_index=torch.from_numpy(cat([np.full(g.n_atoms, k, dtype=np.int64) for k, g in enumerate(graphs)])),
        n_graphs=len(graphs),
    )
