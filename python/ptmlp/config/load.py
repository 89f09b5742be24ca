"""Validate a mapping or a YAML file against a config model; relative paths are resolved in the
config file's folder (the validation context's ``base_dir``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import ConfigError, format_validation_error
from .yaml_io import read_yaml

M = TypeVar("M", bound=BaseModel)


def validate_config(model: type[M], data: Any, *, source: str = "config",
                    base_dir: Optional[str | Path] = None, context: Optional[dict] = None) -> M:
    """``model`` built from ``data``; any problem is one :class:`ConfigError` line."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of keys (key: value), got {type(data).__name__}")
    ctx = dict(context or {})
    ctx["base_dir"] = str(Path(base_dir if base_dir is not None else ".").resolve())
    ctx["source"] = source
    try:
        return model.model_validate(data, context=ctx)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, model, source)) from None


def load_config(model: type[M], path: str | Path, *, context: Optional[dict] = None) -> M:
    """Read YAML ``path`` and validate it; relative paths inside are relative to its folder."""
    path = Path(path)
    return validate_config(model, read_yaml(path), source=str(path), base_dir=path.resolve().parent,
                           context=context)
