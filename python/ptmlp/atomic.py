"""Atomic file writes: the data go to a temporary file in the same folder, are flushed to disk,
and the temporary file is renamed over the target, so a crash leaves either the old file or the
new one, never a half-written file. The one place ptmlp does this."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """Open a temporary sibling of ``path`` for writing; it replaces ``path`` when the block ends
    without an exception and is removed otherwise."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open mode {mode!r}: only 'w' or 'wb'")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    with atomic_open(path, "w") as fh:
        fh.write(text)
    return Path(path)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    with atomic_open(path, "wb") as fh:
        fh.write(data)
    return Path(path)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary sibling path for writers that need a name rather than a file object (HDF5,
    ``torch.jit.save``, ``savefig``, a folder): write it inside the block; it is fsynced (files)
    and renamed over ``path`` when the block ends without an exception, removed otherwise."""
    import shutil

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        if tmp.is_file():
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        if path.is_dir() and tmp.is_dir():  # a folder replaces a folder: move the old one aside first
            old = path.with_name(f".{path.name}.{os.getpid()}.old")
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise


def file_sha256(path: str | os.PathLike, chunk_bytes: int = 1 << 20) -> str:
    """SHA-256 hex digest of a file's bytes (dataset provenance in model metadata)."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk_bytes), b""):
            h.update(block)
    return h.hexdigest()


def atomic_temp_path(path: str | os.PathLike) -> Path:
    """A temporary sibling name for writers that need a path rather than a file object (HDF5,
    ``torch.jit.save``): write it, then ``os.replace(tmp, path)``."""
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")
