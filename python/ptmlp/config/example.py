"""``ptmlp <command> --example``: the complete commented YAML of a config model, generated from the
model itself (every key, its default, one line of meaning) so that it cannot drift."""

from __future__ import annotations

import types
import typing
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from .errors import _unwrap

_WIDTH = 44


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
    return text[:-4].strip() if text.endswith("\n...") or text.endswith(" ...") else text.removesuffix("...").strip()


def _plain(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _constraints(info) -> str:
    out = []
    for m in info.metadata:
        for attr, sym in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<="), ("min_length", "min items"),
                          ("max_length", "max items")):
            v = getattr(m, attr, None)
            if v is not None:
                out.append(f"{sym} {v}")
    ann = info.annotation
    args = typing.get_args(ann)
    members = list(args) if typing.get_origin(ann) in (typing.Union, types.UnionType) else [ann]
    members = [_plain(a) for a in members if a is not type(None)]
    lit = [a for a in members if typing.get_origin(a) is typing.Literal]
    if lit:
        words = [str(v) for a in lit for v in typing.get_args(a)]
        names = {int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a mapping"}
        words += [names.get(typing.get_origin(a) or a, getattr(a, "__name__", str(a)))
                  for a in members if typing.get_origin(a) is not typing.Literal]
        out.append("one of " + ", ".join(dict.fromkeys(words)))
    return "; ".join(out)


def _value(info) -> tuple[Any, bool]:
    """(value shown, required?)"""
    if info.examples:
        return info.examples[0], info.is_required()
    if info.default is not PydanticUndefined:
        v = info.default
    elif info.default_factory is not None:
        v = info.default_factory()
    else:
        return None, True
    if isinstance(v, BaseModel):
        v = v.model_dump(mode="json")
    return v, False


def _lines(model: type[BaseModel], indent: int, values: dict | None = None) -> list[str]:
    """Example lines of ``model``'s fields; ``values`` overrides their defaults (a nested field whose
    default instance differs from the class defaults)."""
    out = []
    pad = "  " * indent
    for name, info in model.model_fields.items():
        doc = info.description or ""
        sub = _unwrap(info.annotation)
        nested = (len(sub) == 1 and typing.get_origin(info.annotation) not in (list, dict)
                  and not info.examples and (info.default is PydanticUndefined or isinstance(info.default, BaseModel)
                                             or info.default_factory is not None))
        if nested:
            req = "REQUIRED; " if info.is_required() else ""
            out.append(f"{pad}{name}:".ljust(_WIDTH) + f"  # {req}{doc}")
            value, _ = _value(info)  # the field's own default instance, where it differs from the class's
            out += _lines(sub[0], indent + 1, _differences(sub[0], value))
            continue
        value, required = _value(info)
        if values is not None and name in values:  # the section's default instance sets this key itself
            value, required = values[name], False
        extra = _constraints(info)
        note = ("REQUIRED; " if required else "") + doc + (f" [{extra}]" if extra else "")
        if isinstance(value, (dict, list)) and value and len(_scalar(value)) > 60:
            out.append(f"{pad}{name}:".ljust(_WIDTH) + f"  # {note}")
            for line in yaml.safe_dump(value, sort_keys=False, default_flow_style=False).splitlines():
                out.append(f"{pad}  {line}")
            continue
        out.append(f"{pad}{name}: {_scalar(value)}".ljust(_WIDTH) + f"  # {note}")
    return out


def _differences(model: type[BaseModel], instance: Any) -> dict | None:
    """Keys whose value in a section's default ``instance`` differs from ``model``'s own defaults."""
    if not isinstance(instance, dict):
        return None
    try:
        base = model().model_dump(mode="json")
    except Exception:  # a model with required keys has no class default to compare with
        return instance
    return {k: v for k, v in instance.items() if base.get(k) != v} or None


def example_yaml(model: type[BaseModel], title: str = "") -> str:
    """Commented YAML with every key of ``model``; it validates against ``model`` when every
    REQUIRED key has an example in its field definition."""
    head = [f"# {title}"] if title else []
    doc = (model.__doc__ or "").strip().splitlines()
    if doc:
        head.append(f"# {doc[0]}")
    head.append("# Generated from the config model; every key with its default and meaning. Units are in key names.")
    return "\n".join(head + _lines(model, 0)) + "\n"
