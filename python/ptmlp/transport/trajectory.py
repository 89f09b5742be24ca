"""Unwrapped trajectories from LAMMPS text dumps, streamed frame by frame; kept in memory
when small, else in a temporary HDF5 file (files larger than memory work: the MSD is then
computed over chunks of atoms)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

import numpy as np

from ..errors import InputError
from . import constants as C
from .readers import dump_columns, iter_dump_frames, require, run_info_near

#: trajectories larger than this are staged on disk (HDF5) instead of in memory
MEMORY_LIMIT_MB = 1024


@dataclass
class Trajectory:
    """``positions`` (n_frames, n_atoms, 3) in angstrom (numpy array or h5py dataset),
    ``types`` (n_atoms,) ints, frame interval ``dt_s``, ``box`` (3, 3) of the first frame."""

    positions: Union[np.ndarray, "object"]
    types: np.ndarray
    dt_s: float
    box_A: np.ndarray
    type_names: dict
    path: str
    _tmp: Optional[str] = None

    @property
    def n_frames(self) -> int:
        return self.positions.shape[0]

    @property
    def volume_A3(self) -> float:
        return float(abs(np.linalg.det(self.box_A)))

    def close(self) -> None:
        if self._tmp:
            try:
                self.positions.file.close()
                os.unlink(self._tmp)
            except OSError:
                pass
            self._tmp = None

    def __enter__(self) -> "Trajectory":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _coords(frame) -> np.ndarray:
    c = frame.columns
    if "xu" in c:
        return np.stack([c["xu"], c["yu"], c["zu"]], axis=1)
    img = np.stack([c["ix"], c["iy"], c["iz"]], axis=1)
    return np.stack([c["x"], c["y"], c["z"]], axis=1) + img @ frame.box


def type_name_map(info: Optional[dict], n_types: int) -> dict:
    """LAMMPS type -> species name from run_info ``species`` ("Mg Si O"), else the type number."""
    names = {t: str(t) for t in range(1, n_types + 1)}
    species = (info or {}).get("species")
    if species and species != "none":
        words = str(species).split()
        for t, w in enumerate(words[:n_types], start=1):
            names[t] = w
    return names


def load_trajectory(path: str | Path, *, timestep_ps: Optional[float] = None, max_frames: Optional[int] = None,
                    memory_limit_MB: float = MEMORY_LIMIT_MB) -> Trajectory:
    """Read a dump with ``id type xu yu zu`` (or ``x y z ix iy iz``) columns."""
    path = Path(path)
    if path.is_dir():
        cands = sorted(path.glob("traj.lammpstrj*"))
        if not cands:
            raise InputError(f"{path}: no traj.lammpstrj[.gz] in this folder")
        path = cands[0]
    info = run_info_near(path)
    ts = float(require(info, "timestep_ps", timestep_ps, str(path), "--timestep-ps"))
    if not ts > 0:
        raise InputError(f"timestep must be positive, got {ts} ps")
    names = dump_columns(path)
    if {"xu", "yu", "zu"} <= set(names):
        wanted = ["type", "xu", "yu", "zu"]
    elif {"x", "y", "z", "ix", "iy", "iz"} <= set(names):
        wanted = ["type", "x", "y", "z", "ix", "iy", "iz"]
    else:
        raise InputError(f"{path}: dump has no unwrapped coordinates (columns: {' '.join(names)}); dump "
                         "id type xu yu zu (or x y z ix iy iz)")
    frames = iter_dump_frames(path, wanted)
    first = next(frames, None)
    if first is None:
        raise InputError(f"{path}: no complete frame")
    n_atoms = len(first.columns["type"])
    types = first.columns["type"].astype(int)
    steps = [first.step]
    frame_mb = n_atoms * 3 * 8 / 2 ** 20
    tmp = None
    store = [_coords(first)]
    dset = None
    for frame in frames:
        if max_frames is not None and len(steps) >= max_frames:
            break
        if len(frame.columns["type"]) != n_atoms:
            if tmp:
                dset.file.close()
                os.unlink(tmp)
            raise InputError(f"{path}: the number of atoms changes at step {frame.step}")
        steps.append(frame.step)
        xyz = _coords(frame)
        if dset is None and len(steps) * frame_mb > memory_limit_MB:
            import h5py

            fd, tmp = tempfile.mkstemp(suffix=".h5", prefix="ptmlp_traj_")
            os.close(fd)
            h5 = h5py.File(tmp, "w")
            dset = h5.create_dataset("positions_A", shape=(len(store), n_atoms, 3), maxshape=(None, n_atoms, 3),
                                     chunks=(64, min(n_atoms, 4096), 3), dtype="f8")
            dset[:] = np.array(store)
            store = None
        if dset is not None:
            dset.resize(dset.shape[0] + 1, axis=0)
            dset[-1] = xyz
        else:
            store.append(xyz)
    positions = dset if dset is not None else np.array(store)
    traj = Trajectory(positions=positions, types=types, dt_s=0.0, box_A=first.box,
                      type_names=type_name_map(info, int(types.max())), path=str(path), _tmp=tmp)
    steps = np.array(steps)
    d = np.diff(steps)
    if len(steps) < 10 or np.any(d != d[0]) or d[0] <= 0:
        traj.close()  # removes the staging file
        if len(steps) < 10:
            raise InputError(f"{path}: only {len(steps)} frames; the MSD needs at least 10 (dump more often or run longer)")
        raise InputError(f"{path}: frames are not evenly spaced in time; analyse continuous runs separately")
    traj.dt_s = float(d[0]) * ts * C.PS_S
    return traj
