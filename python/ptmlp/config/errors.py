"""One line for any config mistake: file, dotted key, the value, what was expected."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, Optional

from pydantic import BaseModel, ValidationError

from ..errors import InputError


class ConfigError(InputError):
    """Raised when a config file (or mapping) is missing, not YAML, or fails validation; the
    message is one line naming the file, the dotted key, the value and what was expected."""


_EXPECTED = {
    "int_type": "an integer", "int_from_float": "an integer", "int_parsing": "an integer",
    "float_type": "a number", "float_parsing": "a number", "finite_number": "a finite number",
    "bool_type": "true or false", "bool_parsing": "true or false",
    "string_type": "a string", "list_type": "a list", "tuple_type": "a list",
    "dict_type": "a mapping (key: value)", "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)", "none_required": "null",
}


def _show(value: Any) -> str:
    text = repr(value)
    kind = "" if value is None else f" ({_kind(value)})"
    return (text if len(text) <= 60 else text[:57] + "...") + kind


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a mapping"}.get(type(value), type(value).__name__)


def _unwrap(tp: Any) -> list:
    """The model classes reachable from an annotation (through Optional, Union, list, dict)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, dict, set):
        out = []
        for a in typing.get_args(tp):
            out += _unwrap(a)
        return out
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    return []


def _model_at(root: type[BaseModel], loc: tuple) -> Optional[type[BaseModel]]:
    """The model class that owns the last key of ``loc`` (for did-you-mean and descriptions)."""
    current: list = [root]
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        nxt = []
        for m in current:
            if part in m.model_fields:
                nxt += _unwrap(m.model_fields[part].annotation)
        if not nxt:  # a union tag or a dict key: stay where we are
            nxt = [m for m in current if m.__name__ == part] or current
        current = nxt
    for m in current:
        if loc and loc[-1] in m.model_fields:
            return m
    return current[0] if current else None


def _dotted(loc: tuple, root: type[BaseModel]) -> str:
    parts, models = [], [root]
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
            continue
        names = {f for m in models for f in m.model_fields}
        if part not in names and any(m.__name__ == part for m in _all_models(models)):
            continue  # pydantic's union member tag, not a key
        parts.append(("." if parts else "") + str(part))
        nxt = []
        for m in models:
            if part in m.model_fields:
                nxt += _unwrap(m.model_fields[part].annotation)
        models = nxt or models
    return "".join(parts) or "(top level)"


def _all_models(models: list) -> list:
    out = list(models)
    for m in models:
        for f in m.model_fields.values():
            out += _unwrap(f.annotation)
    return out


def _expected(err: dict) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    if kind == "literal_error":
        return "one of " + str(ctx.get("expected", "")).replace(" or ", ", ")
    bounds = {"greater_than": "> {gt}", "greater_than_equal": ">= {ge}", "less_than": "< {lt}",
              "less_than_equal": "<= {le}", "multiple_of": "a multiple of {multiple_of}"}
    if kind in bounds:
        return bounds[kind].format(**ctx)
    if kind in ("too_short", "too_long"):
        lo, hi = ctx.get("min_length"), ctx.get("max_length")
        if kind == "too_short":
            return f"at least {lo} item(s)"
        return f"at most {hi} item(s)"
    if kind in ("value_error", "assertion_error"):
        msg = str(err.get("msg", ""))
        for prefix in ("Value error, ", "Assertion failed, "):
            if msg.startswith(prefix):
                msg = msg[len(prefix):]
        return msg
    return str(err.get("msg", kind))


def format_error(err: dict, root: type[BaseModel], source: str) -> str:
    loc = tuple(err.get("loc", ()))
    key = _dotted(loc, root)
    kind = err["type"]
    if kind == "extra_forbidden":
        owner = _model_at(root, loc)
        known = list(owner.model_fields) if owner is not None else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(known)
        return f"{source}: {key}: unknown key ({hint})"
    if kind == "missing":
        owner = _model_at(root, loc)
        info = owner.model_fields.get(loc[-1]) if owner is not None and loc else None
        what = f" ({info.description})" if info is not None and info.description else ""
        return f"{source}: {key}: required key missing{what}"
    if kind in ("value_error", "assertion_error") and not loc:
        return f"{source}: {_expected(err)}"
    if kind in ("value_error", "assertion_error"):
        value = err.get("input")
        shown = "" if isinstance(value, dict) else f" = {_show(value)}"  # a whole section: the message says it
        return f"{source}: {key}{shown}: {_expected(err)}"
    return f"{source}: {key} = {_show(err.get('input'))}: expected {_expected(err)}"


def format_validation_error(exc: ValidationError, root: type[BaseModel], source: str) -> str:
    """One line for ``exc`` (its first error, and how many more there are)."""
    errors = exc.errors(include_url=False)
    line = format_error(errors[0], root, source)
    if len(errors) > 1:
        line += f" (and {len(errors) - 1} more problem(s))"
    return line
