"""HDF5 training datasets (shared/design.md "Training data").

One file per dataset, flat resizable arrays (all created with the file):

    n_atoms (F,) int32        numbers (A,) uint8          positions_A (A, 3)    forces_eV_per_A (A, 3)
    cell_A (F, 3, 3)          pbc (F, 3) uint8            energy_eV (F,)        virial_eV (F, 3, 3) NaN=unknown
    te_K (F,) NaN=unknown     temperature_K (F,)          hash (F,) S32         group_id, provenance_id (F,) int32
    string_bytes (B,) uint8 + string_end (S,) int64       table of group names and provenance JSON
    commit (C, 4) int64       rows [frames, atoms, strings, string bytes]; the last row is the committed state

Append is atomic: data are written past the committed sizes, flushed, and only then a new
``commit`` row is added. The file is only ever opened for writing in HDF5 SWMR mode, whose
ordered metadata flushes keep it readable at every instant, so a writer killed at any point
leaves every committed frame intact (tests/unit/test_data_store.py kills one mid-append).
Readers use the committed sizes and ignore any uncommitted tail, which the next append
overwrites. If HDF5 refuses to reopen the file for writing after a crash (its "open for
write" flag survives), the committed content is copied to a fresh file that atomically
replaces it.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Optional, Sequence

import h5py
import numpy as np
from ase import Atoms

from ..atomic import atomic_temp_path
from ..errors import InputError, PtmlpError
from ..jsonfile import to_strict
from .frame import Frame
from .structure_hash import structure_hash

FORMAT = "ptmlp-dataset"
FORMAT_VERSION = 1

FRAME_FIELDS = {  # name: (trailing shape, dtype)
    "n_atoms": ((), np.int32), "cell_A": ((3, 3), np.float64), "pbc": ((3,), np.uint8),
    "energy_eV": ((), np.float64), "virial_eV": ((3, 3), np.float64), "te_K": ((), np.float64),
    "temperature_K": ((), np.float64), "hash": ((), "S32"), "group_id": ((), np.int32),
    "provenance_id": ((), np.int32),
}
ATOM_FIELDS = {"numbers": ((), np.uint8), "positions_A": ((3,), np.float64), "forces_eV_per_A": ((3,), np.float64)}
STRING_FIELDS = {"string_end": ((), np.int64)}
BYTE_FIELDS = {"string_bytes": ((), np.uint8)}


class DatasetError(PtmlpError):
    """Raised when a dataset file is missing, not a ptmlp dataset, or of an unknown version."""


def _create_layout(f: h5py.File) -> None:
    f.attrs["format"] = FORMAT
    f.attrs["format_version"] = FORMAT_VERSION
    f.attrs["units"] = json.dumps({"energy": "eV", "length": "angstrom", "force": "eV/angstrom",
                                   "virial": "eV (W = -stress*V, positive under compression)",
                                   "te": "K", "temperature": "K"})
    for group, chunk in ((FRAME_FIELDS, 256), (ATOM_FIELDS, 2048), (STRING_FIELDS, 64), (BYTE_FIELDS, 4096)):
        for name, (shape, dtype) in group.items():
            f.create_dataset(name, shape=(0, *shape), maxshape=(None, *shape), chunks=(chunk, *shape), dtype=dtype)
    f.create_dataset("commit", shape=(1, 4), maxshape=(None, 4), chunks=(64, 4), dtype=np.int64,
                     data=np.zeros((1, 4), dtype=np.int64))


def _committed(f: h5py.File) -> tuple[int, int, int, int]:
    c = f["commit"]
    return tuple(int(v) for v in c[c.shape[0] - 1])


def _check_format(f: h5py.File, path: str) -> None:
    if f.attrs.get("format") != FORMAT:
        raise DatasetError(f"{path} is not a ptmlp dataset (no format={FORMAT} attribute)")
    version = int(f.attrs.get("format_version", -1))
    if version != FORMAT_VERSION:
        raise DatasetError(f"{path}: dataset format_version {version} is not supported (this ptmlp reads "
                           f"{FORMAT_VERSION})")


def _read_committed(f: h5py.File) -> dict[str, np.ndarray]:
    n_frames, n_atoms, n_strings, n_bytes = _committed(f)
    out = {name: f[name][:n_frames] for name in FRAME_FIELDS}
    out.update({name: f[name][:n_atoms] for name in ATOM_FIELDS})
    out["string_end"] = f["string_end"][:n_strings]
    out["string_bytes"] = f["string_bytes"][:n_bytes]
    return out


def _strings(arrays: dict[str, np.ndarray]) -> list[str]:
    raw = arrays["string_bytes"].tobytes()
    ends = arrays["string_end"]
    starts = np.concatenate([[0], ends[:-1]]) if len(ends) else ends
    return [raw[s:e].decode("utf-8") for s, e in zip(starts, ends)]


class Dataset:
    """A ptmlp HDF5 dataset. Reading never blocks a writer; appends are atomic.

    >>> ds = Dataset.create("data.h5")            # or Dataset("data.h5") for an existing one
    >>> ds.append(frames)                         # returns the number of new (non-duplicate) frames
    >>> frames = ds.read()                        # list of Frame, or ds.read([0, 5, 7])
    """

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)
        if not os.path.isfile(self.path):
            raise DatasetError(f"dataset {self.path}: no such file (create it with `ptmlp data import`)")
        with self._reader() as f:
            _check_format(f, self.path)

    @classmethod
    def create(cls, path: str | os.PathLike, exist_ok: bool = False) -> "Dataset":
        path = str(path)
        if os.path.exists(path):
            if not exist_ok:
                raise InputError(f"dataset {path} already exists; append to it or choose another name")
            return cls(path)
        tmp = atomic_temp_path(path)
        with h5py.File(tmp, "w", libver="latest") as f:
            _create_layout(f)
        os.replace(tmp, path)
        return cls(path)

    # ---- reading ---------------------------------------------------------------
    def _reader(self):
        return swmr_reader(self.path, "dataset", DatasetError)

    def __len__(self) -> int:
        with self._reader() as f:
            return _committed(f)[0]

    def arrays(self) -> dict[str, np.ndarray]:
        """Every committed array (plus ``atom_start`` (F,) offsets and decoded ``strings``)."""
        with self._reader() as f:
            arr = _read_committed(f)
        arr["atom_start"] = np.concatenate([[0], np.cumsum(arr["n_atoms"])[:-1]]).astype(np.int64) \
            if len(arr["n_atoms"]) else np.zeros(0, dtype=np.int64)
        arr["strings"] = _strings(arr)
        return arr

    def hashes(self) -> list[str]:
        with self._reader() as f:
            n = _committed(f)[0]
            return [h.decode() for h in f["hash"][:n]]

    def read(self, indices: Optional[Sequence[int]] = None) -> list[Frame]:
        """Frames at ``indices`` (all when None), in that order."""
        arr = self.arrays()
        n = len(arr["n_atoms"])
        idx = range(n) if indices is None else [int(i) for i in indices]
        strings = arr["strings"]
        out = []
        for i in idx:
            if not 0 <= i < n:
                raise InputError(f"frame index {i} out of range for {self.path} ({n} frames)")
            s, k = arr["atom_start"][i], arr["n_atoms"][i]
            atoms = Atoms(numbers=arr["numbers"][s:s + k], positions=arr["positions_A"][s:s + k],
                          cell=arr["cell_A"][i], pbc=arr["pbc"][i].astype(bool))
            vir = arr["virial_eV"][i]
            prov_id = int(arr["provenance_id"][i])
            out.append(Frame(atoms, float(arr["energy_eV"][i]), arr["forces_eV_per_A"][s:s + k].copy(),
                             None if np.isnan(vir).any() else vir.copy(), strings[arr["group_id"][i]],
                             float(arr["te_K"][i]), float(arr["temperature_K"][i]),
                             json.loads(strings[prov_id]) if prov_id >= 0 else {}))
        return out

    # ---- writing ---------------------------------------------------------------
    @contextmanager
    def _writer(self):
        with writer_lock(self.path, DatasetError(f"dataset {self.path} is being written by another process")):
            try:
                f = open_swmr_writer(self.path)
            except OSError as exc:
                if "open for write" not in str(exc) and "consistency flags" not in str(exc):
                    raise DatasetError(f"dataset {self.path}: cannot be opened for writing "
                                       f"({str(exc).splitlines()[0]})") from None
                self._recover()
                f = open_swmr_writer(self.path)
            try:
                _check_format(f, self.path)
                yield f
            finally:
                f.close()

    def _recover(self) -> None:
        """Copy the committed content of a file left flagged 'open for write' by a crash."""
        with self._reader() as f:
            arr = _read_committed(f)
        tmp = atomic_temp_path(self.path)
        with h5py.File(tmp, "w", libver="latest") as g:
            _create_layout(g)
            sizes = _write_arrays(g, arr, (0, 0, 0, 0))
            _commit(g, sizes)
        os.replace(tmp, self.path)
        warnings.warn(f"dataset {self.path}: recovered {sizes[0]} committed frames after an interrupted write",
                      stacklevel=3)

    def append(self, frames: Iterable[Frame], dedup: bool = True) -> int:
        """Append frames atomically (all or none); skip structures already present when ``dedup``.

        Returns the number of frames added.
        """
        frames = list(frames)
        for k, fr in enumerate(frames):
            _validate(fr, k)
        with self._writer() as f:
            state = _committed(f)
            n_frames = state[0]
            known = {h.decode() for h in f["hash"][:n_frames]} if dedup else set()
            strings = _strings({"string_bytes": f["string_bytes"][:state[3]], "string_end": f["string_end"][:state[2]]})
            string_ids = {s: k for k, s in enumerate(strings)}
            new_strings: list[str] = []

            def sid(text: str) -> int:
                if text not in string_ids:
                    string_ids[text] = len(strings) + len(new_strings)
                    new_strings.append(text)
                return string_ids[text]

            keep, hashes = [], []
            for fr in frames:
                h = structure_hash(fr.atoms, fr.te_K)
                if dedup and h in known:
                    continue
                known.add(h)
                keep.append(fr)
                hashes.append(h)
            if not keep:
                return 0
            arr = _frames_to_arrays(keep, hashes, sid)
            encoded = [s.encode("utf-8") for s in new_strings]
            arr["string_bytes"] = np.frombuffer(b"".join(encoded), dtype=np.uint8)
            arr["string_end"] = state[3] + np.cumsum([len(e) for e in encoded]).astype(np.int64)
            sizes = _write_arrays(f, arr, state)
            _commit(f, sizes)
            return len(keep)


@contextmanager
def swmr_reader(path: str, what: str, error: type[Exception]):
    """Open ``path`` read-only in SWMR mode (sees only what a writer has committed); a file that
    is not HDF5 raises ``error`` with one line naming ``what`` and the path."""
    try:
        f = h5py.File(path, "r", libver="latest", swmr=True)
    except OSError as exc:
        raise error(f"{what} {path}: cannot be opened as HDF5 ({str(exc).splitlines()[0]})") from None
    try:
        yield f
    finally:
        f.close()


@contextmanager
def writer_lock(path: str, busy: Exception):
    """Hold the exclusive advisory lock ``path + ".lock"`` (one writer at a time); raise ``busy``
    at once when another process holds it."""
    lock = open(path + ".lock", "a")
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy from None
        yield
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


def open_swmr_writer(path: str) -> h5py.File:
    """Open for writing directly in SWMR mode: the file is never in a non-SWMR write state, so
    readers (and a crash) always see a consistent file. Data past the committed sizes are
    simply overwritten by the next append."""
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.open(path.encode(), h5py.h5f.ACC_RDWR | h5py.h5f.ACC_SWMR_WRITE, fapl)
    return h5py.File(fid)


def _validate(fr: Frame, k: int) -> None:
    n = len(fr.atoms)
    if np.asarray(fr.forces_eV_per_A).shape != (n, 3):
        raise InputError(f"frame {k}: forces have shape {np.asarray(fr.forces_eV_per_A).shape}, expected ({n}, 3)")
    if not math.isfinite(fr.energy_eV):
        raise InputError(f"frame {k}: energy {fr.energy_eV} is not finite")
    if fr.virial_eV is not None and np.asarray(fr.virial_eV).shape != (3, 3):
        raise InputError(f"frame {k}: virial must be 3x3 (eV)")
    if (fr.atoms.numbers > 255).any() or (fr.atoms.numbers < 1).any():
        raise InputError(f"frame {k}: atomic numbers must be 1..255")


def _provenance_text(provenance: dict) -> str:
    """Provenance as strict JSON (NaN -> null), keys sorted so equal settings share one string."""
    return json.dumps(to_strict(provenance), sort_keys=True, allow_nan=False)


def _frames_to_arrays(frames: Sequence[Frame], hashes: Sequence[str], sid) -> dict[str, np.ndarray]:
    nan33 = np.full((3, 3), np.nan)
    return {
        "n_atoms": np.array([len(f.atoms) for f in frames], dtype=np.int32),
        "cell_A": np.array([f.atoms.cell.array for f in frames], dtype=np.float64),
        "pbc": np.array([f.atoms.pbc for f in frames], dtype=np.uint8),
        "energy_eV": np.array([f.energy_eV for f in frames], dtype=np.float64),
        "virial_eV": np.array([nan33 if f.virial_eV is None else f.virial_eV for f in frames], dtype=np.float64),
        "te_K": np.array([f.te_K for f in frames], dtype=np.float64),
        "temperature_K": np.array([f.temperature_K for f in frames], dtype=np.float64),
        "hash": np.array([h.encode() for h in hashes], dtype="S32"),
        "group_id": np.array([sid(f.group) for f in frames], dtype=np.int32),
        "provenance_id": np.array([sid(_provenance_text(f.provenance)) for f in frames], dtype=np.int32),
        "numbers": np.concatenate([f.atoms.numbers for f in frames]).astype(np.uint8),
        "positions_A": np.concatenate([f.atoms.positions for f in frames]).astype(np.float64),
        "forces_eV_per_A": np.concatenate([np.asarray(f.forces_eV_per_A) for f in frames]).astype(np.float64),
    }


def _write_arrays(f: h5py.File, arr: dict[str, np.ndarray], state: Sequence[int]) -> tuple[int, int, int, int]:
    """Write arrays past the committed sizes ``state``; flush; return the new sizes (not yet committed)."""
    n_frames, n_atoms, n_strings, n_bytes = state
    sizes = (n_frames + len(arr["n_atoms"]), n_atoms + len(arr["numbers"]),
             n_strings + len(arr["string_end"]), n_bytes + len(arr["string_bytes"]))
    for names, start, end in ((BYTE_FIELDS, n_bytes, sizes[3]), (STRING_FIELDS, n_strings, sizes[2]),
                              (ATOM_FIELDS, n_atoms, sizes[1]), (FRAME_FIELDS, n_frames, sizes[0])):
        for name in names:
            if end > start:
                ds = f[name]
                if ds.shape[0] < end:
                    ds.resize(end, axis=0)
                ds[start:end] = arr[name]
            f[name].flush()
    return sizes


def _commit(f: h5py.File, sizes: Sequence[int]) -> None:
    c = f["commit"]
    c.resize(c.shape[0] + 1, axis=0)
    c[c.shape[0] - 1] = np.asarray(sizes, dtype=np.int64)
    c.flush()
    f.flush()


def open_or_create(path: str | os.PathLike) -> Dataset:
    return Dataset(path) if Path(path).exists() else Dataset.create(path)
