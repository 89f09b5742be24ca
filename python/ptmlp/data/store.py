"""HDF5 training datasets (shared/design.md "Training data").

One file per dataset, flat resizable arrays (all created with the file):

    n_atoms (F,) int32        numbers (A,) uint8          positions_A (A, 3)    forces_eV_per_A (A, 3)
    cell_A (F, 3, 3)          pbc (F, 3) uint8            energy_eV (F,)        virial_eV (F, 3, 3) NaN=unknown
    te_K (F,) NaN=unknown     temperature_K (F,)          hash (F,) S32         group_id, provenance_id (F,) int32
    (hash: structure_hash of the file's attribute hash_version; older versions are redone on read/append)
    string_bytes (B,) uint8 + string_end (S,) int64       table of group names and provenance JSON
    commit (C, 4) int64       rows [frames, atoms, strings, string bytes]; the last row is the committed state

Appends are atomic and a file is never open for writing under its own name (see
``h5store``): creation writes the whole file under a temporary name, an append writes a copy
that replaces the file. A failure or a writer killed at any instant leaves the previous file,
readable by every HDF5 tool, and no partial file. The ``commit`` table records the sizes of
each append; readers use the last row (files written by earlier ptmlp versions in SWMR mode
may hold an uncommitted tail past it, which the next append overwrites).
"""

from __future__ import annotations

import json
import math
import os
import warnings
from pathlib import Path
from typing import Iterable, Optional, Sequence

import h5py
import numpy as np
from ase import Atoms

from ..errors import InputError, PtmlpError
from ..jsonfile import to_strict
from .frame import Frame
from .h5store import append_transaction, create_store, swmr_reader
from .h5store import open_swmr_writer, writer_lock  # noqa: F401  (imported from here by ptmlp.elf.store)
from .structure_hash import HASH_VERSION, structure_hash

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
    f.attrs["hash_version"] = HASH_VERSION
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
    """A ptmlp HDF5 dataset. Readers see whole appends only; appends are atomic.

    >>> ds = Dataset.create("data.h5")            # or Dataset("data.h5") for an existing one
    >>> ds, added = Dataset.write("data.h5", [frames_a, frames_b])   # create or append, atomically
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
        """A new, empty dataset (with ``exist_ok`` an existing one is opened instead)."""
        if os.path.exists(path):
            if not exist_ok:
                raise InputError(f"dataset {path} already exists; append to it or choose another name")
            return cls(path)
        return cls.write(path, [])[0]

    @classmethod
    def write(cls, path: str | os.PathLike, batches: Sequence[Sequence[Frame]],
              dedup: bool = True) -> tuple["Dataset", list[int]]:
        """Append ``batches`` (e.g. one per source file) to the dataset ``path``, creating it if
        it does not exist, in one atomic step: the file appears, or changes, completely or not at
        all. Returns the dataset and the number of frames each batch added (duplicates of stored
        frames and of earlier batches are skipped when ``dedup``)."""
        path = str(path)
        if os.path.exists(path):
            ds = cls(path)
            return ds, ds.append_batches(batches, dedup)
        batches = _validated(batches)
        added: list[int] = []

        def fill(f: h5py.File) -> None:
            _create_layout(f)
            added.extend(_append_into(f, batches, dedup))

        create_store(path, "dataset", DatasetError, fill)
        return cls(path), added

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
        """The structure hash of every committed frame (see ``structure_hash``)."""
        with self._reader() as f:
            return _stored_hashes(f)

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
    def append(self, frames: Iterable[Frame], dedup: bool = True) -> int:
        """Append frames atomically (all or none); skip structures already present when ``dedup``.

        Returns the number of frames added.
        """
        return self.append_batches([list(frames)], dedup)[0]

    def append_batches(self, batches: Sequence[Sequence[Frame]], dedup: bool = True) -> list[int]:
        """Append several batches (e.g. one per source file) in one atomic step; the number of
        frames each batch added (duplicates of earlier batches are skipped too)."""
        batches = _validated(batches)
        if not any(batches):
            return [0] * len(batches)
        with append_transaction(self.path, "dataset", DatasetError, rebuild=self._rebuild) as f:
            _check_format(f, self.path)
            return _append_into(f, batches, dedup)

    def _rebuild(self, tmp: Path) -> None:
        """Write the committed content of a file left flagged by a killed SWMR writer (ptmlp
        before issue #19) as a fresh file at ``tmp``."""
        with self._reader() as f:
            arr = _read_committed(f)
            hash_version = f.attrs.get("hash_version", 1)
        with h5py.File(tmp, "w") as g:
            _create_layout(g)
            g.attrs["hash_version"] = hash_version  # the copied hashes are of that version
            sizes = _write_arrays(g, arr, (0, 0, 0, 0))
            _commit(g, sizes)
        warnings.warn(f"dataset {self.path}: recovered {sizes[0]} committed frames after an interrupted write",
                      stacklevel=5)


def _stored_hashes(f: h5py.File) -> list[str]:
    """Hashes of the committed frames: as stored, or recomputed for a file whose ``hash_version``
    is not this ptmlp's."""
    n = _committed(f)[0]
    if f.attrs.get("hash_version", 1) == HASH_VERSION:
        return [h.decode() for h in f["hash"][:n]]
    arr = _read_committed(f)
    start = np.concatenate([[0], np.cumsum(arr["n_atoms"])]).astype(np.int64)
    return [structure_hash(Atoms(numbers=arr["numbers"][start[i]:start[i + 1]],
                                 positions=arr["positions_A"][start[i]:start[i + 1]], cell=arr["cell_A"][i],
                                 pbc=arr["pbc"][i].astype(bool)), float(arr["te_K"][i])) for i in range(n)]


def _validated(batches: Sequence[Sequence[Frame]]) -> list[list[Frame]]:
    out = [list(b) for b in batches]
    for k, fr in enumerate(fr for batch in out for fr in batch):
        _validate(fr, k)
    return out


def _append_into(f: h5py.File, batches: Sequence[Sequence[Frame]], dedup: bool) -> list[int]:
    """Write the frames of ``batches`` past the committed content of the open file ``f`` and
    commit them; the number of frames added per batch."""
    state = _committed(f)
    if f.attrs.get("hash_version", 1) != HASH_VERSION:  # an older file: its hashes are redone with this file
        f["hash"][:state[0]] = np.array([h.encode() for h in _stored_hashes(f)], dtype="S32")
        f.attrs["hash_version"] = HASH_VERSION
    known = {h.decode() for h in f["hash"][:state[0]]} if dedup else set()
    strings = _strings({"string_bytes": f["string_bytes"][:state[3]], "string_end": f["string_end"][:state[2]]})
    string_ids = {s: k for k, s in enumerate(strings)}
    new_strings: list[str] = []

    def sid(text: str) -> int:
        if text not in string_ids:
            string_ids[text] = len(strings) + len(new_strings)
            new_strings.append(text)
        return string_ids[text]

    keep, hashes, added = [], [], []
    for batch in batches:
        n_before = len(keep)
        for fr in batch:
            h = structure_hash(fr.atoms, fr.te_K)
            if dedup and h in known:
                continue
            known.add(h)
            keep.append(fr)
            hashes.append(h)
        added.append(len(keep) - n_before)
    if keep:
        arr = _frames_to_arrays(keep, hashes, sid)
        encoded = [s.encode("utf-8") for s in new_strings]
        arr["string_bytes"] = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        arr["string_end"] = state[3] + np.cumsum([len(e) for e in encoded]).astype(np.int64)
        _commit(f, _write_arrays(f, arr, state))
    return added


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
    """Write arrays past the committed sizes ``state``; return the new sizes (not yet committed)."""
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
    return sizes


def _commit(f: h5py.File, sizes: Sequence[int]) -> None:
    c = f["commit"]
    c.resize(c.shape[0] + 1, axis=0)
    c[c.shape[0] - 1] = np.asarray(sizes, dtype=np.int64)


def open_or_create(path: str | os.PathLike) -> Dataset:
    return Dataset(path) if Path(path).exists() else Dataset.create(path)
