"""How ptmlp's append-only HDF5 stores are opened, created and appended to.

A store file is never open for writing under its own name. Creating one writes the whole new
file under a temporary sibling name; appending copies the file to a temporary sibling, writes
the new rows into the copy, and renames the copy over the file. So:

- a writer killed at any instant (SIGKILL, a node lost) leaves the previous file untouched and
  free of HDF5's "open for write" status flags: h5py, h5ls, h5dump, HDFView, ... open it as is
  (tests/unit/test_data_store.py kills writers mid-append and opens the file with each);
- a failed creation or append leaves nothing behind (the copy is removed; the copy of a killed
  writer is removed by the next writer);
- readers never see a partial append (a reader keeps the file it opened);
- one writer at a time: an advisory lock on ``<file>.lock``.

The price is one copy of the file per append (at page-cache speed): append in batches.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional

import h5py

from ..atomic import atomic_path, atomic_temp_path
from ..errors import InputError

#: what HDF5 says of a file whose superblock still carries a writer's status flags
_FLAGGED = ("open for write", "consistency flags")


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


@contextmanager
def swmr_reader(path: str, what: str, error: type[Exception]) -> Iterator[h5py.File]:
    """Open ``path`` read-only (a file that is not HDF5 raises ``error``, one line naming ``what``).

    A file still flagged by a writer in HDF5 SWMR mode (a running ELF-store writer, or a dataset
    left by a ptmlp that appended in SWMR mode and was killed) is read in SWMR mode: only what
    that writer committed."""
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        if not any(s in str(exc) for s in _FLAGGED):
            raise error(f"{what} {path}: cannot be opened as HDF5 ({_first_line(exc)})") from None
        try:
            f = h5py.File(path, "r", libver="latest", swmr=True)
        except OSError as exc2:
            raise error(f"{what} {path}: cannot be opened as HDF5 ({_first_line(exc2)})") from None
    try:
        yield f
    finally:
        f.close()


@contextmanager
def writer_lock(path: str, busy: Exception) -> Iterator[None]:
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


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_copies(path: str) -> None:
    """Remove the temporary copies (``.<name>.<pid>.tmp``, see ``atomic_temp_path``) that killed
    writers of ``path`` left; copies of live processes are kept."""
    p = Path(path)
    for tmp in p.parent.glob(f".{p.name}.*.tmp"):
        pid = tmp.name[len(p.name) + 2:-len(".tmp")]
        if pid.isdigit() and not _pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link_new(tmp: Path, path: str) -> None:
    """Give ``tmp`` the name ``path`` unless a file of that name appeared meanwhile."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if os.path.exists(path):
            raise FileExistsError(path) from None
        os.replace(tmp, path)


def create_store(path: str, what: str, error: type[Exception], fill: Callable[[h5py.File], None]) -> None:
    """Create the HDF5 file ``path`` whose whole content ``fill(f)`` writes; it appears complete
    or not at all (an exception in ``fill`` leaves nothing). Raises ``error`` when ``path``
    cannot be written, InputError when it already exists."""
    exists = InputError(f"{what} {path} already exists; append to it or choose another name")
    if os.path.exists(path):
        raise exists
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise error(f"{what} {path}: folder {folder} does not exist")
    tmp = atomic_temp_path(path)
    try:
        try:
            with h5py.File(tmp, "w") as f:
                fill(f)
            _fsync(tmp)
            _link_new(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    except FileExistsError:
        raise exists from None
    except OSError as exc:
        raise error(f"{what} {path}: cannot be written ({_first_line(exc)})") from None


@contextmanager
def append_transaction(path: str, what: str, error: type[Exception],
                       rebuild: Optional[Callable[[Path], None]] = None) -> Iterator[h5py.File]:
    """The store ``path`` opened for appending, as a copy that replaces ``path`` when the block
    ends without an exception (and is removed otherwise).

    ``rebuild(tmp)`` writes a fresh, unflagged copy of the committed content at ``tmp``; it is
    called for a file whose superblock still carries an SWMR writer's flags (left by a killed
    writer of an older ptmlp), which HDF5 refuses to open for writing."""
    with writer_lock(path, error(f"{what} {path} is being written by another process")):
        remove_stale_copies(path)
        with atomic_path(path) as tmp:
            try:
                shutil.copyfile(path, tmp)
                shutil.copymode(path, tmp)
                f = h5py.File(tmp, "r+")
            except OSError as exc:
                if rebuild is None or not any(s in str(exc) for s in _FLAGGED):
                    raise error(f"{what} {path}: cannot be opened for writing ({_first_line(exc)})") from None
                rebuild(tmp)
                f = h5py.File(tmp, "r+")
            with f:
                yield f


def open_swmr_writer(path: str) -> h5py.File:
    """Open ``path`` for writing in HDF5 SWMR mode (the ELF store's writer; a writer killed while
    it holds the file leaves HDF5 status flags that only SWMR readers accept: new code appends
    with ``append_transaction``)."""
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.open(path.encode(), h5py.h5f.ACC_RDWR | h5py.h5f.ACC_SWMR_WRITE, fapl)
    return h5py.File(fid)
