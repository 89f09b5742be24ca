"""Write dataset frames in the formats other codes read (``ptmlp data export``).

- ``extxyz`` (ASE; MACE, NequIP, GAP read it): energy and free_energy = the label's (free)
  energy, forces, stress (ASE sign, from the virial), and in the frame info ``te_K`` (when
  known), ``group`` and ``temperature_K``; ``ptmlp data import`` reads every one of them back.
- ``deepmd/npy`` (dpdata; DeePMD-kit reads it): one system per composition, virials with
  DeePMD's sign (positive under compression). It has no field for the electronic temperature:
  frames with a T_e are refused (export them as extxyz, or import each T_e with ``--te-K``).
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from typing import Sequence

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
from ase.stress import full_3x3_to_voigt_6_stress

from ..errors import InputError
from .frame import Frame, virial_to_stress

EXPORT_FORMATS = ("extxyz", "deepmd/npy")


def frame_atoms(frame: Frame) -> Atoms:
    """A frame as ASE Atoms with its labels on a SinglePointCalculator and its T_e, group and
    ionic temperature in ``info``."""
    atoms = frame.atoms.copy()
    results = {"energy": frame.energy_eV, "free_energy": frame.energy_eV,
               "forces": np.asarray(frame.forces_eV_per_A, dtype=float)}
    if frame.virial_eV is not None and atoms.pbc.all():
        results["stress"] = full_3x3_to_voigt_6_stress(virial_to_stress(frame.virial_eV, atoms.get_volume()))
    atoms.calc = SinglePointCalculator(atoms, **results)
    if math.isfinite(frame.te_K):
        atoms.info["te_K"] = frame.te_K
    if math.isfinite(frame.temperature_K):
        atoms.info["temperature_K"] = frame.temperature_K
    if frame.group:
        atoms.info["group"] = frame.group
    return atoms


def _write_deepmd_npy(frames: Sequence[Frame], folder: str) -> int:
    import dpdata

    with_te = [k for k, f in enumerate(frames) if math.isfinite(f.te_K)]
    if with_te:
        raise InputError(f"frame {with_te[0]} has T_e = {frames[with_te[0]].te_K:g} K and deepmd/npy has no "
                         "electronic-temperature field: export as extxyz (te_K per frame)")
    by_formula: dict[str, list[Frame]] = defaultdict(list)
    for f in frames:
        by_formula[f.atoms.get_chemical_formula()].append(f)
    systems = dpdata.MultiSystems()
    for group in by_formula.values():
        names = sorted(set(group[0].atoms.get_chemical_symbols()))
        types = np.array([names.index(s) for s in group[0].atoms.get_chemical_symbols()])
        order = np.argsort(types, kind="stable")  # dpdata keeps atoms sorted by type
        data = {"atom_names": names, "atom_numbs": [int((types == t).sum()) for t in range(len(names))],
                "atom_types": types[order], "orig": np.zeros(3), "nopbc": not group[0].atoms.pbc.all(),
                "cells": np.array([f.atoms.cell.array for f in group]),
                "coords": np.array([f.atoms.positions[order] for f in group]),
                "energies": np.array([f.energy_eV for f in group]),
                "forces": np.array([np.asarray(f.forces_eV_per_A)[order] for f in group])}
        if all(f.virial_eV is not None for f in group):
            data["virials"] = np.array([f.virial_eV for f in group])
        systems.append(dpdata.LabeledSystem(data=data))
    systems.to("deepmd/npy", folder)
    return len(by_formula)


def export_frames(frames: Sequence[Frame], path: str | os.PathLike, fmt: str) -> str:
    """Write ``frames`` to ``path`` (a file for extxyz, a folder for deepmd/npy); one line saying what."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"--format {fmt!r}: expected one of {', '.join(EXPORT_FORMATS)}")
    if not frames:
        raise InputError("no frames to export")
    path = str(path)
    if fmt == "extxyz":
        from ase.io import write

        from ..atomic import atomic_open

        with atomic_open(path, "w") as fh:
            write(fh, [frame_atoms(f) for f in frames], format="extxyz")
        return f"{len(frames)} frames -> {path} (extxyz)"
    if os.path.exists(path):
        raise InputError(f"{path} already exists; deepmd/npy is written into a new folder")
    from ..atomic import atomic_path

    with atomic_path(path) as tmp:  # the folder appears complete or not at all
        n_systems = _write_deepmd_npy(frames, str(tmp))
    return f"{len(frames)} frames -> {path} (deepmd/npy, {n_systems} system(s))"
