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


def _lines(model: type[BaseModel], indent: int, values: dict | None = None, *, item: bool = False) -> list[str]:
    """Example lines of ``model``'s fields; ``values`` overrides their defaults (a nested field whose
    default instance differs from the class defaults). ``item``: a list item whose own keys are
    ``values``; they come first, the other keys follow commented out (their defaults)."""
    names = list(model.model_fields)
    if not item:
        return [line for name in names for line in _field_lines(model, name, indent, values)]
    values = values or {}
    pad = "  " * indent
    out = [line for name in names if name in values for line in _field_lines(model, name, indent, values, True)]
    for name in names:
        if name not in values:
            out += [f"{line[:len(pad)]}# {line[len(pad):]}" for line in _field_lines(model, name, indent, None)]
    return out


def _field_lines(model: type[BaseModel], name: str, indent: int, values: dict | None, item: bool = False) -> list[str]:
    info = model.model_fields[name]
    pad = "  " * indent
    doc = info.description or ""
    sub = _unwrap(info.annotation)
    nested = (len(sub) == 1 and typing.get_origin(info.annotation) not in (list, dict)
              and not info.examples and (info.default is PydanticUndefined or isinstance(info.default, BaseModel)
                                         or info.default_factory is not None))
    if nested:
        req = "REQUIRED; " if info.is_required() else ""
        head = [f"{pad}{name}:".ljust(_WIDTH) + f"  # {req}{doc}"]
        if item and isinstance(values.get(name), dict):  # a list item's own section
            return head + _lines(sub[0], indent + 1, values[name], item=True)
        value, _ = _value(info)  # the field's own default instance, where it differs from the class's
        return head + _lines(sub[0], indent + 1, _differences(sub[0], value))
    value, required = _value(info)
    if values is not None and name in values:  # the section's default instance sets this key itself
        value, required = values[name], False
    extra = _constraints(info)
    note = ("REQUIRED; " if required else "") + doc + (f" [{extra}]" if extra else "")
    item_model = _list_item_model(info.annotation)
    if item_model is not None:
        return _list_lines(name, item_model, value, note, indent)
    if isinstance(value, (dict, list)) and value and len(_scalar(value)) > 60:
        return [f"{pad}{name}:".ljust(_WIDTH) + f"  # {note}"] + [
            f"{pad}  {line}" for line in yaml.safe_dump(value, sort_keys=False, default_flow_style=False).splitlines()]
    return [f"{pad}{name}: {_scalar(value)}".ljust(_WIDTH) + f"  # {note}"]


def _list_item_model(tp: Any) -> type[BaseModel] | None:
    """The model of the items of a list-of-sections annotation (``list[FluidSet]``), else None."""
    tp = _plain(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        tp = _plain(members[0]) if len(members) == 1 else None
    if typing.get_origin(tp) is not list:
        return None
    args = typing.get_args(tp)
    item = _plain(args[0]) if args else None
    return item if isinstance(item, type) and issubclass(item, BaseModel) else None


def _item_lines(model: type[BaseModel], indent: int, values: dict) -> list[str]:
    """One list item of ``model``: its own keys (``values``), then the others commented out."""
    lines = _lines(model, indent + 1, values, item=True)
    pad = "  " * indent
    if lines:  # '- ' takes the place of the first key's indentation, so the columns stay aligned
        lines[0] = f"{pad}- {lines[0][len(pad) + 2:]}"
    return lines


def _list_lines(name: str, model: type[BaseModel], value: Any, note: str, indent: int) -> list[str]:
    """A list of sections: its first item with its own keys, then every other key of ``model``
    commented out; further items as given. An empty list is followed by a commented-out item."""
    pad = "  " * indent
    items = value if isinstance(value, list) else []
    if items and all(isinstance(v, dict) and v for v in items):
        out = [f"{pad}{name}:".ljust(_WIDTH) + f"  # {note}"]
        out += _item_lines(model, indent + 1, items[0])
        for more in items[1:]:
            out += [f"{pad}  {line}" for line in
                    yaml.safe_dump([more], sort_keys=False, default_flow_style=False).splitlines()]
        return out
    inner = "  " * (indent + 1)
    example = _lines(model, indent + 2)  # every key with its default (or example)
    if example:
        example[0] = f"{inner}- {example[0][len(inner) + 2:]}"
    return ([f"{pad}{name}: {_scalar(value)}".ljust(_WIDTH) + f"  # {note}", f"{inner}# each item:"]
            + [f"{inner}# {line[len(inner):]}" for line in example])


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
