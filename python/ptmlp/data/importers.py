"""Import labelled DFT data: dpdata formats (VASP, QE, CP2K, ABACUS, deepmd) and ASE formats."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Optional

import numpy as np
from ase import Atoms

from ..errors import InputError
from .electronic_temperature import te_from_file
from .frame import Frame

#: dpdata LabeledSystem formats users meet (``--format``); anything else goes to ase.io.read
DPDATA_FORMATS = ("vasp/outcar", "vasp/xml", "qe/pw/scf", "qe/cp/traj", "cp2k/output", "cp2k/aimd_output",
                  "abacus/scf", "abacus/md", "abacus/relax", "deepmd/npy", "deepmd/raw", "deepmd/hdf5")


def guess_format(path: str | os.PathLike) -> Optional[str]:
    """dpdata format from the file name/content, or None for ASE formats."""
    p = Path(path)
    name = p.name.lower()
    if p.is_dir():
        systems = deepmd_systems(p)
        if systems:
            return "deepmd/npy" if any(s.glob("set.*") for s in systems) else "deepmd/raw"
        if (p / "INPUT").exists() or (p / "OUT.ABACUS").exists():
            return "abacus/scf"
        raise InputError(f"{path}: a folder that is neither deepmd/npy (nor a folder of deepmd systems) nor ABACUS; "
                         f"give --format")
    if name.startswith("outcar"):
        return "vasp/outcar"
    if name.startswith("vasprun") and name.endswith(".xml"):
        return "vasp/xml"
    if name.endswith((".hdf5",)):
        return "deepmd/hdf5"
    if name.endswith((".out", ".pwo", ".log")):
        head = p.read_text(errors="replace")[:20000]
        if "Program PWSCF" in head:
            return "qe/pw/scf"
        if "CP2K|" in head:
            return "cp2k/output"
    return None


def deepmd_systems(folder: str | os.PathLike) -> list[Path]:
    """The deepmd systems in ``folder``: the folder itself when it holds ``type.raw``, else the
    sub-folders that do (the layout ``dpdata.MultiSystems.to("deepmd/npy", folder)`` writes)."""
    p = Path(folder)
    if (p / "type.raw").exists():
        return [p]
    return sorted(q.parent for q in p.glob("*/type.raw"))


def _hdf5_has_root_system(path: str) -> bool:
    import h5py

    with h5py.File(path, "r") as f:
        return "type.raw" in f


def _frames_from_dpdata(path: str, fmt: str, group: str, te_K: float) -> list[Frame]:
    import dpdata

    try:
        if fmt == "deepmd/hdf5" and not _hdf5_has_root_system(path):
            systems = list(dpdata.MultiSystems().from_deepmd_hdf5(path))
        elif fmt in ("deepmd/npy", "deepmd/raw") and os.path.isdir(path) and deepmd_systems(path):
            systems = [dpdata.LabeledSystem(str(s), fmt=fmt) for s in deepmd_systems(path)]
        else:
            systems = [dpdata.LabeledSystem(path, fmt=fmt)]
    except Exception as exc:  # dpdata raises many types for unreadable input
        raise InputError(f"{path}: dpdata could not read it as {fmt} ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
    frames = []
    for n_sys, sys_ in enumerate(systems):
        d = sys_.data
        where = {"system": n_sys} if len(systems) > 1 else {}
        names = [d["atom_names"][t] for t in d["atom_types"]]
        pbc = not d.get("nopbc", False)
        has_virial = "virials" in d and d["virials"] is not None and len(d["virials"]) == len(d["energies"])
        for k in range(len(d["energies"])):
            atoms = Atoms(names, positions=d["coords"][k], cell=d["cells"][k], pbc=pbc)
            # dpdata's virial has the LAMMPS/DeePMD sign (positive under compression), as ours
            virial = np.array(d["virials"][k], dtype=float) if has_virial and pbc else None
            frames.append(Frame(atoms, float(d["energies"][k]), np.array(d["forces"][k], dtype=float), virial,
                                group=group, te_K=te_K,
                                provenance={"source": os.path.abspath(path), "format": fmt,
                                            "importer": f"dpdata {dpdata.__version__}", **where, "index": k}))
    return frames


def _frames_from_ase(path: str, fmt: Optional[str], group: Optional[str], default_group: str,
                     te_K: float) -> list[Frame]:
    from ase.io import read

    try:
        images = read(path, index=":", format=fmt)
    except Exception as exc:
        raise InputError(f"{path}: ASE could not read it{' as ' + fmt if fmt else ''} ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
    frames = []
    for k, atoms in enumerate(images):
        if atoms.calc is None or "forces" not in atoms.calc.results:
            raise InputError(f"{path}: frame {k} has no energy/forces labels (not a labelled file)")
        te = te_K
        if math.isnan(te) and "te_K" in atoms.info:
            te = float(atoms.info["te_K"])
        frame = Frame.from_atoms(atoms, group=str(atoms.info.get("group", default_group)) if group is None else group,
                                 te_K=te, provenance={"source": os.path.abspath(path), "format": fmt or "ase-auto",
                                                      "importer": "ase", "index": k})
        if "temperature_K" in atoms.info:  # as ptmlp data export writes it
            frame.temperature_K = float(atoms.info["temperature_K"])
        frames.append(frame)
    return frames


def import_frames(path: str | os.PathLike, fmt: Optional[str] = None, group: Optional[str] = None,
                  te_K: Optional[float] = None) -> list[Frame]:
    """Labelled frames of one source file or folder.

    ``fmt``: a dpdata format (see ``DPDATA_FORMATS``), an ASE format name, or None to guess.
    ``group``: source-trajectory name used for grouped splits (default: a frame's ``group`` info
    key in ASE formats, as ``ptmlp data export`` writes it, else the path).
    ``te_K``: electronic temperature to record; by default read from the source's Fermi-Dirac
    smearing (VASP ISMEAR=-1 SIGMA, QE Fermi-Dirac degauss) or an extxyz ``te_K`` key.
    """
    path = str(path)
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file or folder")
    fmt = fmt or guess_format(path)
    if fmt in DPDATA_FORMATS:
        te = te_from_file(path, fmt) if te_K is None else float(te_K)
        return _frames_from_dpdata(path, fmt, os.path.abspath(path) if group is None else group, te)
    return _frames_from_ase(path, fmt, group, os.path.abspath(path), math.nan if te_K is None else float(te_K))
