"""A small strict schema for YAML configs: typed keys with defaults, unknown keys refused.

Each error is one line naming the file, the key and what is expected (``InputError``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

from ..errors import InputError

REQUIRED = object()


@dataclass(frozen=True)
class Key:
    """One config key: accepted Python types, default (``REQUIRED`` when it must be given), doc line."""

    types: tuple
    default: Any = None
    doc: str = ""
    check: Optional[Callable[[Any], Optional[str]]] = None  # returns a problem text or None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


def _type_name(types: tuple) -> str:
    names = {bool: "true/false", int: "an integer", float: "a number", str: "a string", list: "a list",
             dict: "a mapping", type(None): "null"}
    return " or ".join(names.get(t, t.__name__) for t in types)


def check_value(where: str, key: str, value: Any, spec: Key) -> Any:
    """Type-check one value (bool is not an int; an int is a float)."""
    ok = any((isinstance(value, t) and not (t in (int, float) and isinstance(value, bool))) for t in spec.types)
    if not ok and float in spec.types and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        raise InputError(f"{where}: {key}={value!r} must be {_type_name(spec.types)}")
    if spec.check is not None and value is not None:
        problem = spec.check(value)
        if problem:
            raise InputError(f"{where}: {key}={value!r}: {problem}")
    return value


def validate(where: str, data: Any, schema: dict[str, Key]) -> dict:
    """Return ``data`` with defaults filled; refuse unknown keys (with a close match) and bad types."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping of keys, got {type(data).__name__}")
    for key in data:
        if key not in schema:
            close = difflib.get_close_matches(str(key), list(schema), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; known keys: {', '.join(sorted(schema))}"
            raise InputError(f"{where}: unknown key {key!r}{hint}")
    out = {}
    for key, spec in schema.items():
        if key in data:
            out[key] = check_value(where, key, data[key], spec)
        elif spec.required:
            raise InputError(f"{where}: required key {key!r} missing ({spec.doc})")
        else:
            default = spec.default
            out[key] = list(default) if isinstance(default, list) else dict(default) if isinstance(default, dict) \
                else default
    return out


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(path: str | Path) -> Any:
    """Parse a YAML file; a missing file, a syntax error or a repeated key is one ``InputError`` line."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{path}:{at} not valid YAML ({getattr(exc, 'problem', None) or exc})") from None


def positive(value) -> Optional[str]:
    return None if value >= 1 else "must be at least 1"


def non_negative(value) -> Optional[str]:
    return None if value >= 0 else "must be 0 or more"


def describe(schema: dict[str, Key]) -> list[str]:
    """One line per key: name, doc, default (for ``--list`` output)."""
    rows = []
    for key, spec in schema.items():
        default = "required" if spec.required else f"default {spec.default!r}"
        rows.append(f"  {key:22s} {spec.doc} ({default})")
    return rows
