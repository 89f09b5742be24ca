"""Edge lists of atomic structures and evaluation of a model on them (Python side).

This is the Python twin of the C++ core's evaluation: the model maps edges to
per-atom energies; forces and virials follow from the gradient g_e = dE/dr_e with
respect to the edge vectors r_e = x_j - x_i:

    F_i += g_e,  F_j -= g_e,   W_j += -r_e (x) g_e   (per-atom centroid virial),
    W = sum_j W_j = -sum_e r_e (x) g_e,               stress (ASE) = -W / V.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import torch
from ase import Atoms
from ase.neighborlist import primitive_neighbor_list

from .errors import SpeciesError


@dataclass
class Graph:
    """A batch of structures as one edge list (all atoms local)."""

    edge_vec: torch.Tensor  # (E, 3) r_ij = x_j - x_i, angstrom
    edge_i: torch.Tensor  # (E,) int64 centre atom
    edge_j: torch.Tensor  # (E,) int64 neighbour atom (periodic image mapped back)
    species: torch.Tensor  # (N,) int64 model species index
    atom_frame: torch.Tensor  # (N,) int64 frame of each atom
    n_frames: int
    volume: torch.Tensor  # (F,) angstrom^3 (0 for non-periodic frames)
    te_K: Optional[torch.Tensor] = None  # (N,) electronic temperature of each atom's frame, K

    @property
    def n_atoms(self) -> int:
        return int(self.species.shape[0])

    def to(self, device: torch.device | str, dtype: torch.dtype) -> "Graph":
        return Graph(self.edge_vec.to(device, dtype), self.edge_i.to(device), self.edge_j.to(device),
                     self.species.to(device), self.atom_frame.to(device), self.n_frames,
                     self.volume.to(device, dtype), None if self.te_K is None else self.te_K.to(device, dtype))


def species_indices(atoms: Atoms, type_names: Sequence[str]) -> np.ndarray:
    """Model species index of every atom; :class:`SpeciesError` names unknown symbols."""
    lookup = {name: k for k, name in enumerate(type_names)}
    symbols = atoms.get_chemical_symbols()
    unknown = sorted({s for s in symbols if s not in lookup})
    if unknown:
        raise SpeciesError(f"structure has species {unknown} that the model does not know; "
                           f"model species: {list(type_names)}")
    return np.fromiter((lookup[s] for s in symbols), dtype=np.int64, count=len(symbols))


def atoms_to_graph(atoms: Atoms, type_names: Sequence[str], r_cut: float, te_K: Optional[float] = None) -> Graph:
    """Edge list of one structure: every pair closer than ``r_cut`` (angstrom), both directions.
    ``te_K``: electronic temperature of the structure, for T_e models."""
    i, j, d = primitive_neighbor_list("ijD", atoms.pbc, atoms.cell.array, atoms.positions, r_cut,
                                      self_interaction=False)
    volume = atoms.get_volume() if atoms.pbc.all() else 0.0
    n = len(atoms)
    return Graph(torch.from_numpy(np.ascontiguousarray(d, dtype=np.float64)),
                 torch.from_numpy(i.astype(np.int64)), torch.from_numpy(j.astype(np.int64)),
                 torch.from_numpy(species_indices(atoms, type_names)),
                 torch.zeros(n, dtype=torch.int64), 1, torch.tensor([volume], dtype=torch.float64),
                 None if te_K is None else torch.full((n,), float(te_K), dtype=torch.float64))


def batch(graphs: Sequence[Graph]) -> Graph:
    """Concatenate graphs into one (atom indices offset, frames renumbered)."""
    offsets = np.cumsum([0] + [g.n_atoms for g in graphs])
    frame_offsets = np.cumsum([0] + [g.n_frames for g in graphs])
    return Graph(
        torch.cat([g.edge_vec for g in graphs]),
        torch.cat([g.edge_i + int(o) for g, o in zip(graphs, offsets)]),
        torch.cat([g.edge_j + int(o) for g, o in zip(graphs, offsets)]),
        torch.cat([g.species for g in graphs]),
        torch.cat([g.atom_frame + int(o) for g, o in zip(graphs, frame_offsets)]),
        int(frame_offsets[-1]),
        torch.cat([g.volume for g in graphs]),
        torch.cat([g.te_K for g in graphs]) if all(g.te_K is not None for g in graphs) else None,
    )


def evaluate(model: torch.nn.Module, graph: Graph, *, forces: bool = True, virial: bool = True,
             atom_virial: bool = False, create_graph: bool = False, entropy: bool = False) -> dict[str, torch.Tensor]:
    """Energies (eV), forces (eV/angstrom) and virials (eV) of every frame in ``graph``.

    Returns keys ``atom_energy`` (N,), ``energy`` (F,), and as asked ``forces`` (N, 3),
    ``virial`` (F, 3, 3), ``atom_virial`` (N, 3, 3), and for T_e models (``graph.te_K`` set)
    ``atom_entropy`` (N,) and ``entropy`` (F,): S_e = -dF/dT_e in eV/K.
    """
    need_grad = forces or virial or atom_virial
    edge_vec = graph.edge_vec.detach().requires_grad_(need_grad)
    t_e = None
    if graph.te_K is not None:
        t_e = graph.te_K.detach().to(edge_vec.dtype).requires_grad_(entropy)
    atom_energy = model(edge_vec, graph.edge_i, graph.edge_j, graph.species, graph.n_atoms, t_e)
    energy = atom_energy.new_zeros(graph.n_frames).index_add(0, graph.atom_frame, atom_energy)
    out = {"atom_energy": atom_energy, "energy": energy}
    if entropy and t_e is not None:
        (dfdt,) = torch.autograd.grad(atom_energy.sum(), t_e, retain_graph=True, create_graph=create_graph)
        out["atom_entropy"] = -dfdt
        out["entropy"] = (-dfdt).new_zeros(graph.n_frames).index_add(0, graph.atom_frame, -dfdt)
    if not need_grad:
        return out
    if edge_vec.shape[0] == 0:
        g = torch.zeros_like(edge_vec)
    else:
        (g,) = torch.autograd.grad(atom_energy.sum(), edge_vec, create_graph=create_graph)
    n = graph.n_atoms
    if forces:
        out["forces"] = g.new_zeros((n, 3)).index_add(0, graph.edge_i, g).index_add(0, graph.edge_j, -g)
    if virial or atom_virial:
        w_edge = -edge_vec.unsqueeze(-1) * g.unsqueeze(-2)  # (E, 3, 3): -r_a g_b
        if not create_graph:
            w_edge = w_edge.detach()
        if virial:
            edge_frame = graph.atom_frame.index_select(0, graph.edge_i)
            out["virial"] = w_edge.new_zeros((graph.n_frames, 3, 3)).index_add(0, edge_frame, w_edge)
        if atom_virial:
            out["atom_virial"] = w_edge.new_zeros((n, 3, 3)).index_add(0, graph.edge_j, w_edge)
    return out
