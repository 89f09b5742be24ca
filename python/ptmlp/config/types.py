"""Annotated value types shared by the config models (paths resolved in the config's folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, ValidationInfo


def _base(info: ValidationInfo) -> Path:
    ctx = info.context or {}
    return Path(ctx.get("base_dir") or ".")


def resolve_path(value: str, info: ValidationInfo) -> str:
    """``value`` made absolute against the config file's folder (``~`` expanded)."""
    p = Path(value).expanduser()
    return str(p if p.is_absolute() else (_base(info) / p).resolve())


def _existing_file(value: str, info: ValidationInfo) -> str:
    path = resolve_path(value, info)
    if not Path(path).is_file():
        raise ValueError(f"no such file ({path})" if not Path(path).exists() else f"not a file ({path})")
    return path


def _existing_path(value: str, info: ValidationInfo) -> str:
    path = resolve_path(value, info)
    if not Path(path).exists():
        raise ValueError(f"no such file or folder ({path})")
    return path


#: a file that must exist; stored as an absolute path
InputFile = Annotated[str, AfterValidator(_existing_file)]
#: a file or folder that must exist; stored as an absolute path
InputPath = Annotated[str, AfterValidator(_existing_path)]
#: a file or folder written by the workflow; stored as an absolute path
OutputPath = Annotated[str, AfterValidator(resolve_path)]
