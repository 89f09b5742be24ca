"""HDF5 files of ELF grids (one file per dataset), appended atomically.

Same approach as the potential datasets (``ptmlp.data.store``): flat resizable arrays, data
written past the committed sizes, flushed, then a ``commit`` row added; the file is only
opened for writing in HDF5 SWMR mode, so a writer killed mid-append leaves every committed
snapshot readable. Layout:

    n_atoms (F,) int32        cell_A (F, 3, 3)        pbc (F, 3) uint8       grid_shape (F, 3) int32
    temperature_K (F,)        pressure_GPa (F,)       group_id, provenance_id (F,) int32
    numbers (A,) uint8        positions_A (A, 3)
    elf (G,) float32|float16  every snapshot's grid flattened in C order, snapshots one after another
    string_bytes (B,) uint8 + string_end (S,) int64   group names and provenance JSON
    commit (C, 5) int64       rows [frames, atoms, grid values, strings, string bytes]; last = committed
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterable, Optional, Sequence

import h5py
import numpy as np
from ase import Atoms

from ..atomic import atomic_path
from ..data.store import open_swmr_writer, swmr_reader, writer_lock
from ..errors import InputError, PtmlpError
from ..jsonfile import dumps, loads
from .grid import ElfGrid

FORMAT = "ptmlp-elf-dataset"
FORMAT_VERSION = 1

FRAME_FIELDS = {"n_atoms": ((), np.int32), "cell_A": ((3, 3), np.float64), "pbc": ((3,), np.uint8),
                "grid_shape": ((3,), np.int32), "temperature_K": ((), np.float64),
                "pressure_GPa": ((), np.float64), "group_id": ((), np.int32), "provenance_id": ((), np.int32)}
ATOM_FIELDS = {"numbers": ((), np.uint8), "positions_A": ((3,), np.float64)}
STRING_FIELDS = {"string_end": ((), np.int64)}
BYTE_FIELDS = {"string_bytes": ((), np.uint8)}
ELF_DTYPES = {"float32": np.float32, "float16": np.float16}


class ElfDatasetError(PtmlpError):
    """Raised when an ELF dataset file is missing, not an ELF dataset, of an unknown version, or locked."""


def _create_layout(f: h5py.File, elf_dtype: str) -> None:
    f.attrs["format"] = FORMAT
    f.attrs["format_version"] = FORMAT_VERSION
    f.attrs["elf_dtype"] = elf_dtype
    f.attrs["grid_convention"] = "elf[i,j,k] at r = (i/n1) a1 + (j/n2) a2 + (k/n3) a3, C order"
    f.attrs["units"] = dumps({"length": "angstrom", "elf": "dimensionless", "temperature": "K", "pressure": "GPa"},
                             indent=None)
    for group, chunk in ((FRAME_FIELDS, 64), (ATOM_FIELDS, 1024), (STRING_FIELDS, 64), (BYTE_FIELDS, 4096)):
        for name, (shape, dtype) in group.items():
            f.create_dataset(name, shape=(0, *shape), maxshape=(None, *shape), chunks=(chunk, *shape), dtype=dtype)
    f.create_dataset("elf", shape=(0,), maxshape=(None,), chunks=(65536,), dtype=ELF_DTYPES[elf_dtype])
    f.create_dataset("commit", shape=(1, 5), maxshape=(None, 5), chunks=(64, 5), dtype=np.int64,
                     data=np.zeros((1, 5), dtype=np.int64))


def _committed(f: h5py.File) -> tuple[int, ...]:
    c = f["commit"]
    return tuple(int(v) for v in c[c.shape[0] - 1])


def _strings(raw: bytes, ends: np.ndarray) -> list[str]:
    starts = np.concatenate([[0], ends[:-1]]) if len(ends) else ends
    return [raw[s:e].decode("utf-8") for s, e in zip(starts, ends)]


class ElfDataset:
    """ELF grids with their structures. ``ElfDataset.create(path)``, ``append(grids)``, ``read()``."""

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)
        if not os.path.isfile(self.path):
            raise ElfDatasetError(f"ELF dataset {self.path}: no such file (create it with `ptmlp elf generate` "
                                  "or `ptmlp elf import`)")
        with self._reader() as f:
            if f.attrs.get("format") != FORMAT:
                raise ElfDatasetError(f"{self.path} is not a ptmlp ELF dataset (no format={FORMAT} attribute)")
            version = int(f.attrs.get("format_version", -1))
            if version != FORMAT_VERSION:
                raise ElfDatasetError(f"{self.path}: ELF dataset format_version {version} is not supported "
                                      f"(this ptmlp reads {FORMAT_VERSION})")

    @classmethod
    def create(cls, path: str | os.PathLike, elf_dtype: str = "float32", exist_ok: bool = False) -> "ElfDataset":
        path = str(path)
        if elf_dtype not in ELF_DTYPES:
            raise InputError(f"elf_dtype {elf_dtype!r} must be one of {sorted(ELF_DTYPES)}")
        if os.path.exists(path):
            if not exist_ok:
                raise InputError(f"ELF dataset {path} already exists; append to it or choose another name")
            return cls(path)
        with atomic_path(path) as tmp, h5py.File(tmp, "w", libver="latest") as f:  # SWMR needs the latest format
            _create_layout(f, elf_dtype)
        return cls(path)

    def _reader(self):
        return swmr_reader(self.path, "ELF dataset", ElfDatasetError)

    def __len__(self) -> int:
        with self._reader() as f:
            return _committed(f)[0]

    def index(self) -> dict[str, np.ndarray]:
        """Per-snapshot arrays without grids: n_atoms, grid_shape, temperature_K, pressure_GPa, group (list)."""
        with self._reader() as f:
            n_frames, _, _, n_str, n_bytes = _committed(f)
            out = {name: f[name][:n_frames] for name in FRAME_FIELDS}
            strings = _strings(f["string_bytes"][:n_bytes].tobytes(), f["string_end"][:n_str])
        out["group"] = [strings[g] for g in out["group_id"]]
        return out

    def read(self, indices: Optional[Sequence[int]] = None) -> list[ElfGrid]:
        """Snapshots at ``indices`` (all when None), in that order."""
        with self._reader() as f:
            n_frames, n_atoms_total, n_values, n_str, n_bytes = _committed(f)
            frames = {name: f[name][:n_frames] for name in FRAME_FIELDS}
            strings = _strings(f["string_bytes"][:n_bytes].tobytes(), f["string_end"][:n_str])
            atom_start = np.concatenate([[0], np.cumsum(frames["n_atoms"])[:-1]]).astype(np.int64)
            sizes = np.prod(frames["grid_shape"].astype(np.int64), axis=1)
            grid_start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
            idx = range(n_frames) if indices is None else [int(i) for i in indices]
            out = []
            for i in idx:
                if not 0 <= i < n_frames:
                    raise InputError(f"snapshot index {i} out of range for {self.path} ({n_frames} snapshots)")
                s, k = atom_start[i], frames["n_atoms"][i]
                atoms = Atoms(numbers=f["numbers"][s:s + k], positions=f["positions_A"][s:s + k],
                              cell=frames["cell_A"][i], pbc=frames["pbc"][i].astype(bool))
                g0 = grid_start[i]
                elf = f["elf"][g0:g0 + sizes[i]].astype(np.float32).reshape(tuple(frames["grid_shape"][i]))
                prov = int(frames["provenance_id"][i])
                out.append(ElfGrid(atoms, elf, strings[frames["group_id"][i]], float(frames["temperature_K"][i]),
                                   float(frames["pressure_GPa"][i]), loads(strings[prov], f"{self.path}: provenance") if prov >= 0 else {}))
        return out

    @contextmanager
    def _writer(self):
        with writer_lock(self.path, ElfDatasetError(f"ELF dataset {self.path} is being written by another process")):
            try:
                f = open_swmr_writer(self.path)
            except OSError as exc:
                raise ElfDatasetError(f"ELF dataset {self.path}: cannot be opened for writing "
                                      f"({str(exc).splitlines()[0]})") from None
            try:
                yield f
            finally:
                f.close()

    def append(self, grids: Iterable[ElfGrid]) -> int:
        """Append snapshots atomically (all or none); return how many were added."""
        grids = list(grids)
        if not grids:
            return 0
        for k, g in enumerate(grids):
            if (g.atoms.numbers > 255).any() or (g.atoms.numbers < 1).any():
                raise InputError(f"snapshot {k}: atomic numbers must be 1..255")
        with self._writer() as f:
            n_frames, n_atoms, n_values, n_str, n_bytes = _committed(f)
            strings = _strings(f["string_bytes"][:n_bytes].tobytes(), f["string_end"][:n_str])
            ids = {s: k for k, s in enumerate(strings)}
            new: list[bytes] = []

            def sid(text: str) -> int:
                if text not in ids:
                    ids[text] = len(strings) + len(new)
                    new.append(text.encode("utf-8"))
                return ids[text]

            arr = {
                "n_atoms": np.array([len(g.atoms) for g in grids], dtype=np.int32),
                "cell_A": np.array([g.atoms.cell.array for g in grids]),
                "pbc": np.array([g.atoms.pbc for g in grids], dtype=np.uint8),
                "grid_shape": np.array([g.shape for g in grids], dtype=np.int32),
                "temperature_K": np.array([g.temperature_K for g in grids]),
                "pressure_GPa": np.array([g.pressure_GPa for g in grids]),
                "group_id": np.array([sid(g.group) for g in grids], dtype=np.int32),
                "provenance_id": np.array([sid(dumps(g.provenance, indent=None, sort_keys=True)) for g in grids],
                                          dtype=np.int32),
                "numbers": np.concatenate([g.atoms.numbers for g in grids]).astype(np.uint8),
                "positions_A": np.concatenate([g.atoms.positions for g in grids]),
                "elf": np.concatenate([g.elf.ravel() for g in grids]),
                "string_bytes": np.frombuffer(b"".join(new), dtype=np.uint8),
                "string_end": n_bytes + np.cumsum([len(b) for b in new]).astype(np.int64),
            }
            sizes = (n_frames + len(grids), n_atoms + len(arr["numbers"]), n_values + len(arr["elf"]),
                     n_str + len(new), n_bytes + len(arr["string_bytes"]))
            for names, start, end in ((BYTE_FIELDS, n_bytes, sizes[4]), (STRING_FIELDS, n_str, sizes[3]),
                                      ({"elf": None}, n_values, sizes[2]), (ATOM_FIELDS, n_atoms, sizes[1]),
                                      (FRAME_FIELDS, n_frames, sizes[0])):
                for name in names:
                    ds = f[name]
                    if end > start:
                        if ds.shape[0] < end:
                            ds.resize(end, axis=0)
                        ds[start:end] = arr[name]
                    ds.flush()
            c = f["commit"]
            c.resize(c.shape[0] + 1, axis=0)
            c[c.shape[0] - 1] = np.asarray(sizes, dtype=np.int64)
            c.flush()
            f.flush()
        return len(grids)


def open_or_create(path: str | os.PathLike, elf_dtype: str = "float32") -> ElfDataset:
    return ElfDataset(path) if os.path.exists(path) else ElfDataset.create(path, elf_dtype)
