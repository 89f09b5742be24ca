"""Strict YAML configs: nested dataclasses, unknown keys rejected with the list of known ones."""

from __future__ import annotations

import dataclasses
import os
import typing
from typing import Any, TypeVar

import yaml

from .errors import InputError

T = TypeVar("T")


def _is_dataclass_type(tp) -> bool:
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def from_dict(cls: type[T], data: Any, where: str = "config") -> T:
    """Build dataclass ``cls`` from ``data``; nested dataclass fields are built recursively."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{where} must be a mapping of keys to values, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise InputError(f"{where}: unknown key(s) {unknown}; known keys: {sorted(known)}")
    kwargs = {}
    for name, value in data.items():
        tp = hints[name]
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        target = tp if _is_dataclass_type(tp) else (args[0] if len(args) == 1 and _is_dataclass_type(args[0]) else None)
        if target is not None and isinstance(value, dict):
            value = from_dict(target, value, f"{where}.{name}")
        kwargs[name] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise InputError(f"{where}: {exc}") from None


def read_yaml(path: str | os.PathLike) -> Any:
    """The parsed YAML of ``path`` (``{}`` for an empty file); one-line :class:`InputError` when the
    file is missing or not YAML."""
    try:
        with open(path) as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError:
        raise InputError(f"config file {path}: no such file") from None
    except yaml.YAMLError as exc:
        raise InputError(f"config file {path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    return {} if data is None else data


def load_yaml(cls: type[T], path: str | os.PathLike) -> T:
    return from_dict(cls, read_yaml(path), where=str(path))


def to_dict(obj) -> dict:
    return dataclasses.asdict(obj)
