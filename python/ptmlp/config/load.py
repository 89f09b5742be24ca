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

    def __init__(self, path: Path | str, model: type[BaseModel]):
        super().__init__(f"{path}: valid {model.__name__} config")


def check_only(on: bool = True) -> None:
    """Validate the next config file and stop (``--check``)."""
    _check_only["on"] = on


def validate_config(model: type[M], data: Any, *, source: str = "config",
                    base_dir: Optional[str | Path] = None, context: Optional[dict] = None,
                    flags: Optional[dict[str, str]] = None) -> M:
    """``model`` built from ``data``; any problem is one :class:`ConfigError` line (``flags``: the
    dotted keys that came from command-line flags, see :func:`format_validation_error`)."""
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
        raise ConfigError(format_validation_error(exc, model, source, flags)) from None


def load_config(model: type[M], path: Optional[str | Path], *, overrides: Optional[dict[str, Any]] = None,
                extend: Optional[dict[str, list]] = None, context: Optional[dict] = None) -> M:
    """Read YAML ``path`` and validate it; relative paths inside are relative to its folder.

    ``overrides`` (command-line flags) replace keys of the file before validation: dotted keys
    (``{"training.epochs": 5}``); ``None`` values mean "not given". ``extend`` (command-line lists)
    are appended to the file's lists; empty ones mean "not given". An error about a key that came
    from a flag names that flag (``--key-name value``); errors about the file's own keys do not. ``path`` None: a command whose config file is
    optional; the flags alone are validated (relative paths: the current folder)."""
    data = read_yaml(Path(path)) if path is not None else {}
    data = {} if data is None else data  # an empty file
    source = str(path) if path is not None else "command line"
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    added = {k: list(v) for k, v in (extend or {}).items() if v}
    if given or added:
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: expected a mapping of keys (key: value), got {type(data).__name__}")
        for key, value in [*given.items(), *added.items()]:
            section = data
            *parents, last = key.split(".")
            for part in parents:
                section = section.setdefault(part, {})
                if not isinstance(section, dict):
                    raise ConfigError(f"{source}: {part} must be a mapping to take {key} from the command line")
            if key in added:
                before = section.get(last)
                if before is not None and not isinstance(before, list):
                    raise ConfigError(f"{source}: {key} must be a list to take more items from the command line")
                value = list(before or []) + value
            section[last] = value
    base_dir = Path(path).resolve().parent if path is not None else Path.cwd()
    # without a file every key came from a flag, and the source already says "command line"
    flags = {k: f"--{k.rsplit('.', 1)[-1].replace('_', '-')} {_flag_value(v)}"
             for k, v in [*given.items(), *added.items()]} if path is not None else None
    cfg = validate_config(model, data, source=source, base_dir=base_dir, context=context, flags=flags)
    if _check_only["on"]:
        raise ConfigChecked(Path(path) if path is not None else "command line", model)
    return cfg


def _flag_value(value: Any) -> str:
    """A flag's value as typed: list items separated by spaces."""
    return " ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
