"""The one results writer: ``summary.json``, ``test_summary.json``, model ``metadata.json`` and
workflow state are written here, atomically and as strict JSON (NaN and +-Infinity become
``null``, numpy scalars and arrays become numbers and lists, paths become strings).

Units belong in the key names (``pressure_GPa``); a value that could not be measured is ``null``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
import os
from pathlib import Path
from typing import Any

from .atomic import atomic_write_text
from .errors import InputError


def to_strict(obj: Any) -> Any:
    """``obj`` as plain JSON data with every non-finite float replaced by ``None``."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): to_strict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_strict(v) for v in obj]
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if isinstance(obj, (_dt.datetime, _dt.date)):
        return obj.isoformat()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_strict(dataclasses.asdict(obj))
    if hasattr(obj, "model_dump"):  # pydantic models
        return to_strict(obj.model_dump(mode="json"))
    tolist = getattr(obj, "tolist", None)  # numpy scalars and arrays, torch tensors
    if callable(tolist):
        return to_strict(tolist())
    item = getattr(obj, "item", None)
    if callable(item):
        return to_strict(item())
    raise TypeError(f"cannot write {type(obj).__name__} to JSON")


def dumps(obj: Any, indent: int | None = 1, sort_keys: bool = False) -> str:
    """Strict JSON text of ``obj`` (see :func:`to_strict`); ``sort_keys`` for a canonical form
    (hashes, provenance records)."""
    return json.dumps(to_strict(obj), indent=indent, allow_nan=False, sort_keys=sort_keys)


def write_json(path: str | os.PathLike, obj: Any, indent: int | None = 1) -> Path:
    """Write ``obj`` to ``path`` atomically as strict JSON; returns the path."""
    return atomic_write_text(path, dumps(obj, indent) + "\n")


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def loads(text: str | bytes, source: str = "JSON") -> Any:
    """Parse strict JSON (NaN/Infinity refused, as the C++ reader and most tools do)."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        raise InputError(f"{source}: not valid JSON ({str(exc).splitlines()[0]})") from None


def read_json(path: str | os.PathLike) -> Any:
    """Strict JSON of ``path``; a missing file or invalid JSON is one :class:`InputError` line."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return loads(text, str(path))
