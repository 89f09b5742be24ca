"""Readers for the LAMMPS outputs the transport analyses use: ``fix ave/time`` files (scalar
and vector mode), ``fix ave/chunk`` profiles, ``run_info.yaml`` written by the ``inputs/``
templates, thermo logs, and text dumps (plain or gzip) streamed frame by frame.

Why our own readers: ``fix ave/*`` files have no reader in ASE, MDAnalysis or freud;
LAMMPS's own ``pizza.py``/``lammps-logfile`` are not dependencies here. For dumps, ASE's
``read_lammps_dump_text`` builds one ``Atoms`` per frame and reads the whole file into
memory, while the MSD needs only a few columns of every frame: :func:`iter_dump_frames`
streams them (files larger than memory work). Our dump reader is tested against ASE's.
"""

from __future__ import annotations

import gzip
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Sequence

import numpy as np

from ..errors import InputError
from .constants import SUPPORTED_UNITS


def open_text(path: str | os.PathLike) -> io.TextIOBase:
    """Open a text file, transparently gunzipping ``*.gz``; a missing file is an InputError."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file")
    if p.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(p, "rb"))
    return open(p)


def check_units(units: Optional[str], source: str) -> None:
    """Refuse outputs written in a unit system the analysis does not convert."""
    if units is not None and units not in SUPPORTED_UNITS:
        raise InputError(f"{source}: units mismatch: written with 'units {units}', but ptmlp transport reads "
                         f"'units {SUPPORTED_UNITS[0]}' outputs (eV, A, ps, bar); rerun with units metal "
                         "(the inputs/ templates do)")


def read_run_info(path: str | os.PathLike) -> dict:
    """``run_info.yaml`` of a template run (a file or its folder); checks ``units``."""
    import yaml

    p = Path(path)
    if p.is_dir():
        p = p / "run_info.yaml"
    with open_text(p) as fh:
        info = yaml.safe_load(fh) or {}
    if not isinstance(info, dict):
        raise InputError(f"{p}: not a run_info mapping")
    check_units(info.get("units"), str(p))
    return info


def nemd_geometry(folder: Path, info: dict, template: str) -> tuple[float, float, float]:
    """(box length along z in A, cross-section in A^2, time step in ps) of a NEMD run's run_info.yaml,
    checked present and positive, and its swaps (swap_every, nswap) positive."""
    for key in ("lz_A", "area_A2", "timestep_ps", "nbins"):
        if key not in info:
            raise InputError(f"{folder}/run_info.yaml has no '{key}' (written by inputs/{template})")
    lz, area, ts = float(info["lz_A"]), float(info["area_A2"]), float(info["timestep_ps"])
    if not (lz > 0 and area > 0 and ts > 0):
        raise InputError(f"{folder}: box length, area and time step must be positive, got {lz} A, {area} A^2, {ts} ps")
    if not (int(info.get("swap_every_steps", 1)) > 0 and int(info.get("nswap", 1)) > 0):
        raise InputError(f"{folder}: swap_every and nswap must be positive")
    return lz, area, ts


def run_info_near(path: str | os.PathLike) -> Optional[dict]:
    """``run_info.yaml`` in the folder of ``path`` (or ``path`` itself if a folder), if any."""
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    f = folder / "run_info.yaml"
    return read_run_info(f) if f.is_file() else None


def require(info: Optional[dict], key: str, given, source: str, flag: str):
    """A value from the command line/config if given, else from run_info.yaml, else an error."""
    if given is not None:
        return given
    if info is not None and info.get(key) is not None:
        return info[key]
    raise InputError(f"{source}: {key} unknown: no run_info.yaml next to it with '{key}'; give {flag}")


def read_ave_time(path: str | os.PathLike) -> tuple[list[str], np.ndarray]:
    """A scalar-mode ``fix ave/time`` file: (column names, data (n_rows, n_columns));
    the first column is ``TimeStep``."""
    with open_text(path) as fh:
        header = None
        for line in fh:
            if line.startswith("#"):
                words = line[1:].split()
                if words and words[0] == "TimeStep":
                    header = words
                    break
            else:
                break
        if header is None:
            raise InputError(f"{path}: not a fix ave/time file (no '# TimeStep ...' header line)")
        if "Number-of-rows" in header:
            raise InputError(f"{path}: a vector-mode fix ave/time file; read it with read_ave_time_vector")
        try:
            data = np.loadtxt(fh, ndmin=2, comments="#")
        except ValueError as exc:
            raise InputError(f"{path}: unreadable data row ({exc})") from None
    if data.size == 0:
        raise InputError(f"{path}: no data rows (did the run finish?)")
    if data.shape[1] != len(header):
        raise InputError(f"{path}: {data.shape[1]} data columns but header names {len(header)}: {header}")
    return header, data


def columns(header: Sequence[str], data: np.ndarray, wanted: Sequence[str], path, hint: str = "") -> np.ndarray:
    """Columns ``wanted`` by name, as (n_rows, len(wanted)); a clear error names the missing ones."""
    missing = [w for w in wanted if w not in header]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; it has {' '.join(header)}"
                         + (f"; {hint}" if hint else ""))
    return data[:, [list(header).index(w) for w in wanted]]


@dataclass
class BlockFile:
    """Blocked output (``fix ave/chunk`` or vector-mode ``fix ave/time``): one block per
    output step. ``data[name]`` is (n_blocks, n_rows)."""

    steps: np.ndarray
    names: list[str]
    data: dict


def read_blocks(path: str | os.PathLike) -> BlockFile:
    """Read a ``fix ave/chunk`` file or a vector-mode ``fix ave/time`` file."""
    with open_text(path) as fh:
        comments = []
        first = None
        for line in fh:
            if line.startswith("#"):
                comments.append(line[1:].split())
            else:
                first = line
                break
        if len(comments) < 3:
            raise InputError(f"{path}: not a fix ave/chunk or vector fix ave/time file (expected 3 '#' header lines)")
        names = comments[2]
        steps, blocks = [], []
        line = first
        while line:
            head = line.split()
            if not head:
                line = fh.readline()
                continue
            try:
                step, n_rows = int(head[0]), int(head[1])
            except (ValueError, IndexError):
                raise InputError(f"{path}: bad block header line {line.strip()!r}") from None
            rows = [fh.readline().split() for _ in range(n_rows)]
            if any(len(r) != len(names) for r in rows):
                break  # truncated last block (run still going or killed): keep the complete ones
            steps.append(step)
            blocks.append(np.array(rows, dtype=float))
            line = fh.readline()
    if not blocks:
        raise InputError(f"{path}: no complete data block")
    n_rows = {b.shape[0] for b in blocks}
    if len(n_rows) != 1:
        raise InputError(f"{path}: blocks have different numbers of rows {sorted(n_rows)} "
                         "(the box changed size? use a fixed number of bins)")
    arr = np.array(blocks)
    return BlockFile(steps=np.array(steps), names=names, data={n: arr[:, :, k] for k, n in enumerate(names)})


_UNITS_LINE = re.compile(r"^\s*units\s+(\w+)", re.MULTILINE)
_TIMESTEP_LINE = re.compile(r"^\s*timestep\s+([0-9.eE+-]+)", re.MULTILINE)


def log_settings(log_path: str | os.PathLike) -> dict:
    """``units`` and ``timestep`` echoed in a LAMMPS log (None when not found); checks units."""
    with open_text(log_path) as fh:
        text = fh.read()
    units = _UNITS_LINE.findall(text)
    ts = _TIMESTEP_LINE.findall(text)
    out = {"units": units[-1] if units else None, "timestep_ps": float(ts[-1]) if ts else None}
    check_units(out["units"], str(log_path))
    return out


def thermo_table(log_path: str | os.PathLike) -> tuple[list[str], np.ndarray, dict]:
    """The last thermo block of a LAMMPS log as (column names, data, {units, timestep_ps});
    the first column is ``Step``. Checks the units."""
    from ..thermo import read_thermo

    settings = log_settings(log_path)
    try:
        th = read_thermo(log_path)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    header = list(th)
    return header, np.column_stack([th[h] for h in header]), settings


@dataclass
class DumpFrame:
    """One dump frame: step, box (3x3 rows a, b, c; LAMMPS triclinic form), columns by name
    (rows sorted by atom id when ``id`` is present)."""

    step: int
    box: np.ndarray
    columns: dict


def _box_from_bounds(lines: list[str], header: str) -> np.ndarray:
    vals = [list(map(float, ln.split())) for ln in lines]
    if "xy" in header:
        (xlo_b, xhi_b, xy), (ylo_b, yhi_b, xz), (zlo, zhi, yz) = vals
        xlo = xlo_b - min(0.0, xy, xz, xy + xz)
        xhi = xhi_b - max(0.0, xy, xz, xy + xz)
        ylo = ylo_b - min(0.0, yz)
        yhi = yhi_b - max(0.0, yz)
    else:
        (xlo, xhi), (ylo, yhi), (zlo, zhi) = [v[:2] for v in vals]
        xy = xz = yz = 0.0
    return np.array([[xhi - xlo, 0, 0], [xy, yhi - ylo, 0], [xz, yz, zhi - zlo]])


def iter_dump_frames(path: str | os.PathLike, wanted: Sequence[str]) -> Iterator[DumpFrame]:
    """Stream the frames of a ``dump custom`` text file (``.gz`` too), keeping only the
    ``wanted`` columns (plus ``id``/``type`` when present); memory use is one frame."""
    with open_text(path) as fh:
        n_frame = 0
        while True:
            line = fh.readline()
            if not line:
                return
            if not line.startswith("ITEM: TIMESTEP"):
                continue
            step = int(fh.readline().split()[0])
            if not fh.readline().startswith("ITEM: NUMBER OF ATOMS"):
                raise InputError(f"{path}: frame {n_frame}: malformed dump (no NUMBER OF ATOMS)")
            n_atoms = int(fh.readline())
            box_header = fh.readline()
            if not box_header.startswith("ITEM: BOX BOUNDS"):
                raise InputError(f"{path}: frame {n_frame}: malformed dump (no BOX BOUNDS)")
            box = _box_from_bounds([fh.readline() for _ in range(3)], box_header)
            atoms_header = fh.readline()
            if not atoms_header.startswith("ITEM: ATOMS"):
                raise InputError(f"{path}: frame {n_frame}: malformed dump (no ATOMS section)")
            names = atoms_header.split()[2:]
            missing = [w for w in wanted if w not in names]
            if missing:
                raise InputError(f"{path}: dump has no column(s) {', '.join(missing)} (it has {' '.join(names)}); "
                                 f"dump them, e.g. dump ID all custom N file id type xu yu zu")
            rows = [fh.readline() for _ in range(n_atoms)]
            if not rows or not rows[-1].endswith("\n"):
                return  # truncated last frame
            table = np.loadtxt(rows, ndmin=2)
            if table.shape != (n_atoms, len(names)):
                return
            keep = [n for n in ("id", "type") if n in names] + [w for w in wanted if w not in ("id", "type")]
            cols = {n: table[:, names.index(n)] for n in keep}
            if "id" in cols:
                order = np.argsort(cols["id"])
                cols = {n: v[order] for n, v in cols.items()}
            n_frame += 1
            yield DumpFrame(step=step, box=box, columns=cols)


def dump_columns(path: str | os.PathLike) -> list[str]:
    """Column names of the first frame of a text dump."""
    with open_text(path) as fh:
        for line in fh:
            if line.startswith("ITEM: ATOMS"):
                return line.split()[2:]
    raise InputError(f"{path}: not a LAMMPS text dump (no 'ITEM: ATOMS' line)")


def thermo_means(header: Sequence[str], data: np.ndarray, settings: dict, path, timestep_ps: Optional[float],
                 volume_A3: Optional[float]) -> tuple[Optional[float], Optional[float]]:
    """Fill what the caller did not give from a thermo table: the log's timestep (ps) and the mean
    ``Volume`` (A^3) where present (the temperature: :mod:`ptmlp.transport.temperature`)."""
    if timestep_ps is None:
        timestep_ps = settings["timestep_ps"]
    if volume_A3 is None and "Volume" in header:
        volume_A3 = float(columns(header, data, ["Volume"], path)[:, 0].mean())
    return timestep_ps, volume_A3
