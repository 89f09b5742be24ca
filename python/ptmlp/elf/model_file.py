"""ELF model files: TorchScript + ``metadata.json`` marked ``"model_kind": "elf"``.

The metadata deliberately carries no ``format_version``/``energy_unit``/``electronic_temperature``
keys of the potential contract (ptmlp.metadata), so the potential loaders (ASE calculator,
pair_style ptmlp, ``ptmlp info``) refuse an ELF file instead of running it as a potential.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Any, Optional

import torch

from ..errors import InputError, ModelFileError
from ..jsonfile import loads
from ..export import load_scripted, save_scripted
from ..metadata import METADATA_FILE
from .model import ElfModel

MODEL_KIND = "elf"
ELF_FORMAT_VERSION = 1
KEY_KIND = "model_kind"  # "elf"
KEY_ELF_FORMAT = "elf_format_version"
REQUIRED = (KEY_KIND, KEY_ELF_FORMAT, "type_names", "r_cut", "length_unit", "dtype", "descriptor", "output")


def build_elf_metadata(model: ElfModel, type_names: list[str], training: Optional[dict[str, Any]] = None
                       ) -> dict[str, Any]:
    training = dict(training or {})
    training.setdefault("created", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    return {
        KEY_KIND: MODEL_KIND,
        KEY_ELF_FORMAT: ELF_FORMAT_VERSION,
        "type_names": list(type_names),
        "r_cut": float(model.r_cut),
        "length_unit": "angstrom",
        "dtype": "float32" if model.feature_mean.dtype == torch.float32 else "float64",
        "output": "electron localization function (dimensionless, 0..1) at each grid point",
        "inputs": "edge vectors grid point -> atom [E,3] (A), grid-point index [E] sorted, n_points",
        "descriptor": model.descriptor.hyperparameters(),
        "architecture": model.architecture(),
        "training": training,
    }


def validate_elf_metadata(meta: Any, filename: str) -> None:
    if not isinstance(meta, dict):
        raise ModelFileError(f"model file {filename}: {METADATA_FILE} must be a JSON object")
    if meta.get(KEY_KIND) != MODEL_KIND:
        raise ModelFileError(f"model file {filename}: not an ELF model ({METADATA_FILE} has no "
                             f'"{KEY_KIND}": "{MODEL_KIND}"); potentials are used with pair_style ptmlp')
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise ModelFileError(f"model file {filename}: {METADATA_FILE} lacks key(s) {', '.join(missing)}")
    if meta[KEY_ELF_FORMAT] != ELF_FORMAT_VERSION:
        raise ModelFileError(f"model file {filename}: elf_format_version {meta[KEY_ELF_FORMAT]!r} is not "
                             f"supported (this ptmlp reads {ELF_FORMAT_VERSION})")
    if meta["length_unit"] != "angstrom":
        raise ModelFileError(f"model file {filename}: length_unit {meta['length_unit']!r} (expected angstrom)")
    rc = meta["r_cut"]
    if isinstance(rc, bool) or not isinstance(rc, (int, float)) or not rc > 0:
        raise ModelFileError(f"model file {filename}: r_cut {rc!r} must be a positive number (angstrom)")


def export_elf_model(model: ElfModel, path: str | os.PathLike, type_names: list[str],
                     training: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """Script ``model`` and write it with its metadata (temporary name, then rename)."""
    path = Path(path)
    meta = build_elf_metadata(model, type_names, training)
    validate_elf_metadata(meta, str(path))
    save_scripted(model, path, meta)
    return meta


def load_elf_model(path: str | os.PathLike) -> tuple[torch.jit.ScriptModule, dict[str, Any]]:
    path = str(path)
    module, text = load_scripted(path)
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not text.strip():
        raise ModelFileError(f"model file {path}: has no {METADATA_FILE}")
    try:
        meta = loads(text, f"model file {path}: {METADATA_FILE}")
    except InputError as exc:
        raise ModelFileError(str(exc)) from None
    validate_elf_metadata(meta, path)
    return module, meta
