"""One line for any config mistake: file, dotted key, the value, what was expected."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, Mapping, Optional

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


def _strip(tp: Any) -> Any:
    """``tp`` without Annotated and without the None of Optional."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp


def _member_for_tag(tp: Any, tag: str) -> Any:
    """The member of union ``tp`` that pydantic's loc tag ``tag`` names (best effort)."""
    members = [a for a in typing.get_args(tp) if a is not type(None)]
    for m in members:
        m0 = _strip(m)
        name = getattr(m0, "__name__", "")
        origin = typing.get_origin(m0)
        if name and (tag == name or tag.endswith(f", {name}]") or tag.startswith(f"{name}[")):
            return m
        if origin is not None and tag.startswith(f"{getattr(origin, '__name__', '')}["):
            return m
    return members[0] if members else tp


def _walk(loc: tuple, root: type[BaseModel]) -> tuple[str, Optional[type[BaseModel]], Any]:
    """Dotted key of ``loc`` (pydantic's union-member and validator tags left out), the model that
    owns its last key, and the annotation at the end."""
    parts: list[str] = []
    tp: Any = root
    owner: Optional[type[BaseModel]] = root
    for part in loc:
        tp = _strip(tp)
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType) and isinstance(part, str):
            tp = _member_for_tag(tp, part)  # a union member tag, not a key
            continue
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            owner = tp
            parts.append(("." if parts else "") + str(part))
            info = tp.model_fields.get(part) if isinstance(part, str) else None
            tp = info.annotation if info is not None else Any
            continue
        if origin in (list, tuple, set, frozenset) and isinstance(part, int):
            parts.append(f"[{part}]")
            args = typing.get_args(tp)
            tp = args[0] if args else Any
            continue
        if origin is dict:
            parts.append(("." if parts else "") + str(part))
            args = typing.get_args(tp)
            tp = args[1] if len(args) == 2 else Any
            continue
        if isinstance(part, int):
            parts.append(f"[{part}]")
        # else: a validator tag such as 'function-after[...]' on a scalar: not a key
    return "".join(parts) or "(top level)", owner, tp


def _model_at(root: type[BaseModel], loc: tuple) -> Optional[type[BaseModel]]:
    """The model class that owns the last key of ``loc`` (for did-you-mean and descriptions)."""
    return _walk(loc, root)[1]


def _dotted(loc: tuple, root: type[BaseModel]) -> str:
    return _walk(loc, root)[0]


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


def _is_type_error(err: dict) -> bool:
    return err["type"].endswith("_type") or err["type"] in ("int_from_float", "int_parsing", "float_parsing",
                                                             "bool_parsing", "literal_error")


def format_validation_error(exc: ValidationError, root: type[BaseModel], source: str,
                            flags: Optional[Mapping[str, str]] = None) -> str:
    """One line for ``exc``: its first problem (for a value that fits none of a union's members:
    the member whose type it has, or every expected type), and how many more problems there are.
    ``flags`` maps dotted keys set from the command line to the flag as typed: a problem in one of
    them names the flag after ``source``."""
    errors = exc.errors(include_url=False)
    # an unknown key first: a misspelt required key also shows up as "required key missing"
    errors.sort(key=lambda e: e["type"] != "extra_forbidden")
    keyed: dict[str, list[dict]] = {}
    for err in errors:
        keyed.setdefault(_dotted(tuple(err.get("loc", ())), root), []).append(err)
    first_key = next(iter(keyed))
    if all(_is_type_error(e) for e in keyed[first_key]):
        # a union: the member whose container type fits reports deeper keys (T_K[1]); prefer it
        deeper = [k for k in keyed if k.startswith((first_key + "[", first_key + "."))]
        if deeper:
            for k in deeper + [first_key]:
                keyed.setdefault(k, [])
            keyed.pop(first_key)
            first_key = deeper[0]
    flag = next((text for key, text in (flags or {}).items()
                 if first_key == key or first_key.startswith((key + ".", key + "["))), None)
    if flag is not None:
        source = f"{source} (with {flag})"
    group = keyed[first_key]
    chosen = next((e for e in group if not _is_type_error(e)), None)
    if chosen is not None:
        line = format_error(chosen, root, source)
    elif len(group) > 1:
        expected = list(dict.fromkeys(_expected(e) for e in group))
        line = f"{source}: {first_key} = {_show(group[0].get('input'))}: expected {' or '.join(expected)}"
    else:
        line = format_error(group[0], root, source)
    if len(keyed) > 1:
        line += f" (and {len(keyed) - 1} more problem(s))"
    return line
