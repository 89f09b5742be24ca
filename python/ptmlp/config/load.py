"""Validate a mapping or a YAML file against a config model; relative paths are resolved in the
config file's folder (the validation context's ``base_dir``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import ConfigError, format_validation_error
from .yaml_io import read_yaml

M = TypeVar("M", bound=BaseModel)

#: set by ``ptmlp <command> CONFIG --check``: the first config file loaded is validated, then the
#: command stops with :class:`ConfigChecked` instead of running
_check_only = {"on": False}


class ConfigChecked(Exception):
    """Raised by :func:`load_config` in check mode once the config file has validated."""

    def __init__(self, path: Path, model: type[BaseModel]):
        super().__init__(f"{path}: valid {model.__name__} config")


def check_only(on: bool = True) -> None:
    """Validate the next config file and stop (``--check``)."""
    _check_only["on"] = on


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


def load_config(model: type[M], path: str | Path, *, overrides: Optional[dict[str, Any]] = None,
                context: Optional[dict] = None) -> M:
    """Read YAML ``path`` and validate it; relative paths inside are relative to its folder.

    ``overrides`` (command-line flags) replace keys of the file before validation: dotted keys
    (``{"training.epochs": 5}``); ``None`` values mean "not given". An error names the flag's key
    and the flag it came from (``--key-name value``)."""
    path = Path(path)
    data = read_yaml(path)
    source = str(path)
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    if given:
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping of keys (key: value), got {type(data).__name__}")
        for key, value in given.items():
            section = data
            *parents, last = key.split(".")
            for part in parents:
                section = section.setdefault(part, {})
                if not isinstance(section, dict):
                    raise ConfigError(f"{path}: {part} must be a mapping to take {key} from the command line")
            section[last] = value
        flags = ", ".join(f"--{k.rsplit('.', 1)[-1].replace('_', '-')} {v}" for k, v in given.items())
        source = f"{path} (with {flags})"
    cfg = validate_config(model, data, source=source, base_dir=path.resolve().parent, context=context)
    if _check_only["on"]:
        raise ConfigChecked(path, model)
    return cfg
