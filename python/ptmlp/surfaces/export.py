"""Surface-property model files: TorchScript + ``metadata.json`` (targets, units, graph settings,
architecture, elements seen in training), written and read by ``ptmlp.export``'s
``save_scripted`` / ``load_scripted``."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Any, Optional, Sequence

import torch
from ase.data import chemical_symbols

from ..errors import InputError, ModelFileError, SpeciesError
from ..export import load_scripted, save_scripted
from ..jsonfile import loads
from .config import TARGET_UNITS, GraphSettings, ModelSettings
from .model import SurfaceCGCNN

MODEL_KIND = "ptmlp.surfaces"
FORMAT_VERSION = 1


def build_network(n_targets: int, model: ModelSettings, graph: GraphSettings) -> SurfaceCGCNN:
    return SurfaceCGCNN(n_targets, embedding_dim=model.embedding_dim, conv_layers=model.conv_layers,
                        hidden_dim=model.hidden_dim, head_hidden_layers=model.head_hidden_layers,
                        radius_A=graph.radius_A, gaussian_step_A=model.gaussian_step_A,
                        surface_embedding=model.surface_embedding, surface_depth_A=model.surface_depth_A)


def export_surface_model(model: SurfaceCGCNN, path: str | os.PathLike, targets: Sequence[str],
                         model_settings: ModelSettings, graph: GraphSettings, elements: Sequence[int],
                         training: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """Script ``model`` and write it with its metadata; return the metadata."""
    training = dict(training or {})
    training.setdefault("created", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    meta = {"format_version": FORMAT_VERSION, "model_kind": MODEL_KIND, "targets": list(targets),
            "units": {t: TARGET_UNITS[t] for t in targets}, "length_unit": "angstrom",
            "graph": graph.to_dict(), "architecture": model_settings.to_dict(),
            # the elements seen in training (not type_names: the embedding takes any Z, these are the
            # ones it has learnt; predictions for others are refused)
            "elements": [chemical_symbols[z] for z in sorted(set(int(z) for z in elements))],
            "training": training}
    save_scripted(model, Path(path), meta)
    return meta


def load_surface_model(path: str | os.PathLike) -> tuple[torch.jit.ScriptModule, dict[str, Any]]:
    """The scripted network and its metadata; :class:`ModelFileError` (one line) if ``path`` is not
    a surface-property model file."""
    path = str(path)
    module, text = load_scripted(path)
    try:
        meta = loads(text) if text else None
    except Exception:
        meta = None
    if not isinstance(meta, dict) or meta.get("model_kind") != MODEL_KIND:
        raise ModelFileError(f"model file {path}: not a surface-property model (metadata.json without "
                             f"model_kind {MODEL_KIND!r}; train one with ptmlp surfaces train)")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(f"model file {path}: format_version {meta.get('format_version')!r} is not "
                             f"{FORMAT_VERSION}")
    for key in ("targets", "graph", "architecture", "elements"):
        if key not in meta:
            raise ModelFileError(f"model file {path}: metadata.json lacks {key!r}")
    return module, meta


def settings_of(meta: dict[str, Any]) -> tuple[ModelSettings, GraphSettings]:
    return ModelSettings(**meta["architecture"]), GraphSettings(**meta["graph"])


def network_from_file(path: str | os.PathLike) -> tuple[SurfaceCGCNN, dict[str, Any]]:
    """A trainable network with the weights of model file ``path`` (for fine-tuning)."""
    module, meta = load_surface_model(path)
    model_settings, graph = settings_of(meta)
    net = build_network(len(meta["targets"]), model_settings, graph)
    net.load_state_dict(module.state_dict())
    return net, meta


def check_ensemble(metas: Sequence[dict[str, Any]], paths: Sequence[str]) -> None:
    for key in ("targets", "graph"):
        for m, p in zip(metas[1:], paths[1:]):
            if m[key] != metas[0][key]:
                raise ModelFileError(f"model files {paths[0]} and {p} differ in {key} ({metas[0][key]} vs {m[key]})")
    if metas[0]["architecture"]["surface_depth_A"] != metas[-1]["architecture"]["surface_depth_A"]:
        raise ModelFileError(f"model files {paths[0]} and {paths[-1]} differ in surface_depth_A")


def check_species(numbers: Sequence[int], meta: dict[str, Any], name: str) -> None:
    """:class:`SpeciesError` (one line) for an element the model was not trained on."""
    known = set(meta["elements"])
    for z in sorted(set(int(z) for z in numbers)):
        sym = chemical_symbols[z] if 0 < z < len(chemical_symbols) else str(z)
        if sym not in known:
            raise SpeciesError(f"{name}: unknown element {sym}: the model was trained on "
                               f"{', '.join(meta['elements'])}")


__all__ = ["build_network", "export_surface_model", "load_surface_model", "network_from_file", "check_ensemble",
           "check_species", "InputError"]
