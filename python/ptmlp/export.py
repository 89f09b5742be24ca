"""Write and read ptmlp model files: TorchScript + ``metadata.json`` (shared/design.md)."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Any, Optional

import torch

from .atomic import atomic_open
from .errors import ModelFileError
from .jsonfile import dumps, to_strict
from .metadata import FORMAT_VERSION, METADATA_FILE, check_ensemble, parse_metadata, validate_metadata


def build_metadata(model: torch.nn.Module, architecture: str = "ptmlp_v1",
                   training: Optional[dict[str, Any]] = None,
                   electronic_temperature: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """Metadata of ``model`` (a module with ``type_names``, ``r_cut`` and ``config``)."""
    dtype = next(model.parameters()).dtype
    training = dict(training or {})
    training.setdefault("created", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    arch = {"name": architecture}
    config = getattr(model, "config", None)
    if config is not None:
        arch.update(config.to_dict())
    return {
        "format_version": FORMAT_VERSION,
        "type_names": list(model.type_names),
        "r_cut": float(model.r_cut),
        "dtype": "float64" if dtype == torch.float64 else "float32",
        "energy_unit": "eV",
        "length_unit": "angstrom",
        "electronic_temperature": electronic_temperature,
        "architecture": arch,
        "training": training,
    }


def export_model(model: torch.nn.Module, path: str | os.PathLike, *, architecture: str = "ptmlp_v1",
                 training: Optional[dict[str, Any]] = None,
                 electronic_temperature: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """Script ``model`` and save it to ``path`` with its metadata (strict JSON: NaN is written as
    null); return the metadata. An interrupted export never leaves a half-written model behind."""
    path = Path(path)
    meta = to_strict(build_metadata(model, architecture, training, electronic_temperature))
    validate_metadata(meta, str(path))
    save_scripted(model, path, meta)
    return meta


def save_scripted(model: torch.nn.Module, path: Path, meta: dict[str, Any]) -> None:
    """Script ``model`` in eval mode and write it atomically with ``meta`` as its metadata file
    (strict JSON)."""
    was_training = model.training
    model.eval()
    scripted = torch.jit.script(model)
    model.train(was_training)
    with atomic_open(path, "wb") as fh:
        torch.jit.save(scripted, fh, _extra_files={METADATA_FILE: dumps(meta)})


def load_scripted(path: str, device: str | torch.device = "cpu") -> tuple[torch.jit.ScriptModule, Any]:
    """Load a TorchScript file and its raw metadata text; :class:`ModelFileError` (one line) when
    the file is missing or not TorchScript."""
    if not os.path.isfile(path):
        raise ModelFileError(f"model file {path}: no such file")
    extra = {METADATA_FILE: ""}
    try:
        module = torch.jit.load(path, map_location=device, _extra_files=extra)
    except Exception as exc:  # torch raises RuntimeError/ValueError with multi-line traces
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        first = first.split(". ")[0]
        raise ModelFileError(f"model file {path}: not a readable TorchScript file ({first})") from None
    module.eval()
    return module, extra[METADATA_FILE]


def load_model(path: str | os.PathLike, device: str | torch.device = "cpu"
               ) -> tuple[torch.jit.ScriptModule, dict[str, Any]]:
    """Load a model file and validate its metadata; raise :class:`ModelFileError` on any fault."""
    path = str(path)
    module, text = load_scripted(path, device)
    return module, parse_metadata(text, path)


def load_ensemble(paths: list[str | os.PathLike], device: str | torch.device = "cpu"
                  ) -> list[tuple[torch.jit.ScriptModule, dict[str, Any]]]:
    """Load several model files and check that they agree (type_names, r_cut, T_e spec)."""
    loaded = [load_model(p, device) for p in paths]
    check_ensemble([m for _, m in loaded], [str(p) for p in paths])
    return loaded
