"""The ``metadata.json`` contract of a ptmlp model file (see shared/design.md).

Keys are defined here once; the C++ core (``cpp/metadata.cpp``) checks the same
rules and words its messages the same way.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from .errors import EnsembleMismatchError, ModelFileError

METADATA_FILE = "metadata.json"
FORMAT_VERSION = 1

KEY_FORMAT_VERSION = "format_version"
KEY_TYPE_NAMES = "type_names"  # list[str], model species order
KEY_R_CUT = "r_cut"  # float, angstrom
KEY_DTYPE = "dtype"  # "float64" | "float32"
KEY_ENERGY_UNIT = "energy_unit"  # must be "eV"
KEY_LENGTH_UNIT = "length_unit"  # must be "angstrom"
KEY_TE = "electronic_temperature"  # null | {"unit": "K", "per_atom": bool, "train_range": [lo, hi]}
KEY_ARCHITECTURE = "architecture"
KEY_TRAINING = "training"

REQUIRED_KEYS = (KEY_FORMAT_VERSION, KEY_TYPE_NAMES, KEY_R_CUT, KEY_DTYPE,
                 KEY_ENERGY_UNIT, KEY_LENGTH_UNIT, KEY_TE)


def _fail(filename: str, problem: str) -> ModelFileError:
    return ModelFileError(f"model file {filename}: {problem}")


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON value; re-export the model (NaN is written as null)")


def parse_metadata(text: str | bytes, filename: str) -> dict[str, Any]:
    """Parse and validate the metadata text of ``filename``; return the dict.

    Raises :class:`ModelFileError` with one line naming the file and the problem.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not text.strip():
        raise _fail(filename, f"has no {METADATA_FILE}; export it with ptmlp.export.export_model")
    try:
        meta = json.loads(text, parse_constant=_no_constant)  # NaN/Infinity are not JSON (C++ agrees)
    except json.JSONDecodeError as exc:
        raise _fail(filename, f"{METADATA_FILE} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except ValueError as exc:
        raise _fail(filename, f"{METADATA_FILE} is not valid JSON ({exc})") from None
    validate_metadata(meta, filename)
    return meta


def read_model_metadata(path: str | Path) -> dict[str, Any]:
    """Validated ``metadata.json`` of a model file, read from the TorchScript zip without torch."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"model file {path}: no such file")
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.endswith(f"extra/{METADATA_FILE}")]
            if not names:
                raise _fail(str(path), f"has no {METADATA_FILE}; export it with ptmlp.export.export_model")
            text = zf.read(names[0])
    except zipfile.BadZipFile:
        raise _fail(str(path), "not a TorchScript archive") from None
    return parse_metadata(text, str(path))


def validate_metadata(meta: Any, filename: str) -> None:
    """Check every contract key of ``meta``; raise :class:`ModelFileError` on the first fault."""
    if not isinstance(meta, dict):
        raise _fail(filename, f"{METADATA_FILE} must be a JSON object")
    if meta.get("model_kind") == "elf":
        raise _fail(filename, "is an ELF model (use `ptmlp elf predict` / `ptmlp elf info`), not an "
                              "interatomic potential")
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if missing:
        raise _fail(filename, f"{METADATA_FILE} lacks key(s) {', '.join(missing)}")
    fv = meta[KEY_FORMAT_VERSION]
    if type(fv) is not int or fv != FORMAT_VERSION:  # 1.0 is refused, as in C++
        raise _fail(filename, f"format_version {fv!r} is not supported (this ptmlp reads {FORMAT_VERSION}); "
                              "re-export the model with a matching ptmlp")
    names = meta[KEY_TYPE_NAMES]
    if (not isinstance(names, list) or not names
            or not all(isinstance(n, str) and n for n in names)):
        raise _fail(filename, "type_names must be a non-empty list of species names")
    if len(set(names)) != len(names):
        raise _fail(filename, f"type_names {names} has duplicates")
    rc = meta[KEY_R_CUT]
    if isinstance(rc, bool) or not isinstance(rc, (int, float)) or not rc > 0:
        raise _fail(filename, f"r_cut {rc!r} must be a positive number (angstrom)")
    if meta[KEY_DTYPE] not in ("float64", "float32"):
        raise _fail(filename, f"dtype {meta[KEY_DTYPE]!r} must be float64 or float32")
    if meta[KEY_ENERGY_UNIT] != "eV":
        raise _fail(filename, f"energy_unit {meta[KEY_ENERGY_UNIT]!r} is not supported (expected eV)")
    if meta[KEY_LENGTH_UNIT] != "angstrom":
        raise _fail(filename, f"length_unit {meta[KEY_LENGTH_UNIT]!r} is not supported (expected angstrom)")
    te = meta[KEY_TE]
    if te is not None:
        if not isinstance(te, dict):
            raise _fail(filename, "electronic_temperature must be null or an object")
        if te.get("unit") != "K":
            raise _fail(filename, f"electronic_temperature unit {te.get('unit')!r} is not supported (expected K)")
        if not isinstance(te.get("per_atom"), bool):
            raise _fail(filename, "electronic_temperature.per_atom must be true or false")
        rng = te.get("train_range")
        if (not isinstance(rng, list) or len(rng) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in rng)
                or not 0 <= rng[0] <= rng[1]):
            raise _fail(filename, f"electronic_temperature.train_range {rng!r} must be [low_K, high_K]")


def te_spec(meta: dict[str, Any]) -> Any:
    """The T_e spec that ensemble members must share (None for a T_e-free model)."""
    te = meta[KEY_TE]
    if te is None:
        return None
    return {"unit": te["unit"], "per_atom": te["per_atom"]}


def check_ensemble(metas: list[dict[str, Any]], filenames: list[str]) -> None:
    """Raise :class:`EnsembleMismatchError` if ensemble members disagree."""
    ref, ref_name = metas[0], filenames[0]
    for meta, name in zip(metas[1:], filenames[1:]):
        for key, get in ((KEY_TYPE_NAMES, lambda m: m[KEY_TYPE_NAMES]),
                         (KEY_R_CUT, lambda m: float(m[KEY_R_CUT])),
                         ("electronic_temperature spec", te_spec)):
            if get(meta) != get(ref):
                raise EnsembleMismatchError(
                    f"ensemble member {name} has {key} {get(meta)!r} but {ref_name} has {get(ref)!r}; "
                    "all members must share type_names, r_cut and the T_e spec")
