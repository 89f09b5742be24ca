"""The crystal (loaded by :class:`ptmlp.structures.StructureSpec`): the crystallinity check,
neighbour shells, and the coexistence cell.

The interface cell is the conventional (preferably orthogonal) cell replicated so that the
lateral sides exceed twice the interaction range and the long axis z is ``long_over_lateral``
times longer; ``inputs/melt.in`` melts its upper half, so the interface is normal to z.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list

from ..atomic import atomic_path
from ..errors import InputError
from ..lammps_data import to_lammps_orientation, write_lammps_data
from ..relax import perpendicular_widths
from .config import CellConfig


def check_crystalline(atoms: Atoms, allow_p1: bool = False, symprec_A: float = 0.1) -> str:
    """Refuse a structure with no crystal symmetry (amorphous, liquid snapshot); return its space group."""
    import warnings

    import spglib

    cell = (atoms.cell.array, atoms.get_scaled_positions(), atoms.numbers)
    with warnings.catch_warnings():  # spglib 2.x warns about its error-handling mode
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            dataset = spglib.get_symmetry_dataset(cell, symprec=symprec_A)
        except Exception:  # spglib.error.SpglibError in its new error mode
            dataset = None
    if dataset is None:
        raise InputError("structure is not crystalline: spglib finds no symmetry at all")
    number = int(dataset.number)
    n_prim = len(np.unique(dataset.mapping_to_primitive))
    if number == 1 and n_prim == len(atoms) and len(atoms) > 2 and not allow_p1:
        raise InputError(f"structure is not crystalline: {len(atoms)} atoms with no symmetry (P1) and no "
                         f"smaller repeat unit at {symprec_A} A; give a crystal, or set allow_p1: true "
                         "for a genuine triclinic P1 crystal")
    return f"{dataset.international} ({number})"


@dataclass
class Shells:
    """Neighbour shells of the crystal used by the order parameter."""

    nearest_A: float
    cutoff_A: float  # mid-gap between the last included shell and the next one
    coordination: int  # mean number of neighbours within cutoff_A (classified atoms)
    spacing_A: float  # (V/N)^(1/3) of the crystal

    @property
    def cutoff_rel(self) -> float:
        return self.cutoff_A / self.spacing_A


def neighbour_shells(atoms: Atoms, classified: Optional[Sequence[int]] = None) -> Shells:
    """First coordination shell(s) of a crystal: the widest gap between shells below 1.75 r_nn.

    bcc: 8 + 6 neighbours (gap 1.155 -> 1.633 r_nn), fcc/hcp: 12, diamond: 4. ``classified``
    are the atom indices the order parameter is computed for (default all); the shells are those
    of that sublattice (neighbours also classified), since only classified atoms carry the q6
    vectors that make a solid bond: for the Si of MgSiO3 bridgmanite the 6 Si at ~3.5 A, not
    the SiO6 octahedron at 1.8 A.
    """
    idx = np.arange(len(atoms)) if classified is None else np.asarray(classified)
    spacing = (atoms.cell.volume / len(atoms)) ** (1.0 / 3.0)
    sub_spacing = (atoms.cell.volume / len(idx)) ** (1.0 / 3.0)
    i, j, d = neighbor_list("ijd", atoms, 2.2 * sub_spacing)
    mask = np.isin(i, idx) & np.isin(j, idx)
    d = d[mask]
    if len(d) == 0:
        raise InputError("structure: no neighbours found; is the cell much too large for its atoms?")
    r_nn = float(d.min())
    d = d[d <= 2.0 * r_nn]
    shells = np.unique(np.round(d / r_nn, 2))
    gaps = np.diff(shells)
    usable = shells[:-1] <= 1.75
    if not usable.any() or gaps[usable].max() < 0.08:
        raise InputError("structure: no clear gap between neighbour shells (is it crystalline?); "
                         "set order.cutoff_A")
    k = int(np.argmax(np.where(usable, gaps, -1.0)))
    cutoff = 0.5 * (shells[k] + shells[k + 1]) * r_nn
    coordination = int(round(np.sum(d < cutoff) / len(idx)))
    return Shells(nearest_A=r_nn, cutoff_A=float(cutoff), coordination=coordination, spacing_A=spacing)


def lateral_replication(atoms: Atoms, cutoff_A: float, cfg: CellConfig) -> tuple[int, int, int]:
    """[nx, ny, nz] of the coexistence cell: lateral sides > 2 x cutoff + 1 A, Lz >= long_over_lateral x
    lateral and >= 8 x cutoff; nz even so the half split is between unit cells."""
    heights = perpendicular_widths(atoms.cell.array)
    if cfg.replicate is not None:
        reps = tuple(cfg.replicate)
    else:
        need = max(cfg.min_lateral_A, 2.0 * cutoff_A + 1.0)
        nx = math.ceil(need / heights[0])
        ny = math.ceil(need / heights[1])
        lateral = max(nx * heights[0], ny * heights[1])
        # each half at least 4 cutoffs thick: thinner slabs let the two interfaces meet and one
        # phase vanish (seen with NPH on 30-A cells of bcc Fe)
        nz = math.ceil(max(cfg.long_over_lateral * lateral, 8.0 * cutoff_A) / heights[2])
        reps = (nx, ny, nz + (nz % 2))
    check_cell_size(atoms, reps, cutoff_A)
    return reps


def check_cell_size(atoms: Atoms, reps: Sequence[int], cutoff_A: float) -> None:
    """An atom must not see its own periodic image: every cell height > 2 x cutoff; z long enough
    for two phases (each half at least 2 x cutoff)."""
    h = perpendicular_widths(atoms.cell.array) * np.asarray(reps)
    names = "xyz"
    for k in range(2):
        if h[k] <= 2.0 * cutoff_A:
            n_min = math.floor(2.0 * cutoff_A / (h[k] / reps[k])) + 1
            raise InputError(f"cell too small for the cutoff: {names[k]} side {h[k]:.2f} A <= 2 x cutoff "
                             f"{cutoff_A:g} A; use cell.replicate with n{names[k]} >= {n_min}")
    if h[2] <= 4.0 * cutoff_A:
        n_min = math.floor(4.0 * cutoff_A / (h[2] / reps[2])) + 1
        raise InputError(f"cell too small for the cutoff: z side {h[2]:.2f} A must exceed 4 x cutoff "
                         f"{cutoff_A:g} A (solid + liquid halves); use cell.replicate with nz >= {n_min}")


def write_cell(path: Path, atoms: Atoms, reps: Sequence[int], type_names: Sequence[str]) -> Atoms:
    """Replicate, rotate to LAMMPS orientation and write a data file; return the written cell."""
    big = atoms.repeat(tuple(reps))
    big, _ = to_lammps_orientation(big)
    big.wrap()
    with atomic_path(path) as tmp:  # concurrent array tasks write the same file
        write_lammps_data(tmp, big, type_names)
    return big


def is_triclinic(atoms: Atoms) -> bool:
    cell, _ = atoms.cell.standard_form()
    return bool(abs(cell[1, 0]) > 1e-8 or abs(cell[2, 0]) > 1e-8 or abs(cell[2, 1]) > 1e-8)
