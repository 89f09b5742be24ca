"""The ``metadata.json`` contract of a ptmlp model file (see shared/design.md).

Keys are defined here once; the C++ core (``cpp/metadata.cpp``) checks the same
rules and words its messages the same way.
"""

from __future__ import annotations

import json
import math
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
KEY_TRAINING = "training"  # optional object; its optional ranges below are what training saw
KEY_PRESSURE_RANGE = "pressure_range_GPa"  # null | [lo, hi], static (virial) pressure, GPa
KEY_MIN_PAIR_DISTANCE = "min_pair_distance_A"  # null | float > 0, shortest pair distance, angstrom
KEY_NEIGHBOURS_RANGE = "neighbours_per_atom_range"  # null | [min, max] ints, neighbours within r_cut
MAX_NEIGHBOURS = 1000000  # sanity bound of a neighbour count (the same in C++)

REQUIRED_KEYS = (KEY_FORMAT_VERSION, KEY_TYPE_NAMES, KEY_R_CUT, KEY_DTYPE,
                 KEY_ENERGY_UNIT, KEY_LENGTH_UNIT, KEY_TE)


def _fail(filename: str, problem: str) -> ModelFileError:
    return ModelFileError(f"model file {filename}: {problem}")


_MISSING = object()


def shown(value: Any) -> str:
    """``value`` as compact JSON for messages (``null`` when absent), exactly as the C++ validator
    renders it (nlohmann ``dump()``: sorted keys, no spaces, UTF-8 kept)."""
    if value is _MISSING:
        return "null"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text[:77] + "..." if len(text) > 80 else text


class _Refused(ValueError):
    """A JSON text the C++ reader refuses too; ``str()`` is the detail for the message."""


class _RepeatedKey(ValueError):
    """An object repeats a key (reported when the object closes, as in C++)."""


def _no_constant(name: str):
    raise _Refused(f"{name} is not a JSON value; re-export the model (NaN is written as null)")


def _overflow(token: str) -> str:
    """nlohmann's wording, with the token cut to 40 characters as in C++."""
    return f"number overflow parsing '{token if len(token) <= 40 else token[:37] + '...'}'"


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):
        raise _Refused(_overflow(text))
    return value


def _int(text: str) -> int:
    value = int(text)
    if len(text) > 300:  # C++ reads an integer beyond 64 bits as a double, which may overflow
        try:
            float(value)
        except OverflowError:
            raise _Refused(_overflow(text)) from None
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise _RepeatedKey(shown(key))
        seen.add(key)
    return dict(pairs)


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def parse_metadata(text: str | bytes, filename: str) -> dict[str, Any]:
    """Parse and validate the metadata text of ``filename``; return the dict.

    Raises :class:`ModelFileError` with one line naming the file and the problem. The C++ reader
    (``cpp/metadata.cpp``) accepts exactly the same texts: strict JSON in UTF-8 (an optional BOM),
    no NaN/Infinity, no repeated keys, no number that overflows a double.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fail(filename, f"{METADATA_FILE} is not valid JSON (ill-formed UTF-8 byte at "
                                  f"byte {exc.start})") from None
    if not text.strip(" \t\r\n"):
        raise _fail(filename, f"has no {METADATA_FILE}; export it with ptmlp.export.export_model")
    text = text.removeprefix("\ufeff")
    try:
        meta = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_int,
                          object_pairs_hook=_unique_keys)
    except _RepeatedKey as exc:
        raise _fail(filename, f"{METADATA_FILE} repeats key {exc} (each key may appear once)") from None
    except json.JSONDecodeError as exc:
        raise _fail(filename, f"{METADATA_FILE} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except ValueError as exc:
        raise _fail(filename, f"{METADATA_FILE} is not valid JSON ({exc})") from None
    if _has_lone_surrogate(meta):
        raise _fail(filename, f"{METADATA_FILE} is not valid JSON (a string holds a lone UTF-16 surrogate)")
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


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _number_pair(v: Any) -> bool:
    """[lo, hi] of numbers with lo <= hi."""
    return isinstance(v, list) and len(v) == 2 and all(map(_is_number, v)) and v[0] <= v[1]


def _count(v: Any) -> bool:
    return type(v) is int and 0 <= v <= MAX_NEIGHBOURS


def validate_metadata(meta: Any, filename: str) -> None:
    """Check every contract key of ``meta``; raise :class:`ModelFileError` on the first fault.

    Same checks, order and messages as ``parse_metadata`` in ``cpp/metadata.cpp``."""
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
        raise _fail(filename, f"format_version {shown(fv)} is not supported (this ptmlp reads {FORMAT_VERSION}); "
                              "re-export the model with a matching ptmlp")
    names = meta[KEY_TYPE_NAMES]
    if (not isinstance(names, list) or not names
            or not all(isinstance(n, str) and n for n in names)):
        raise _fail(filename, f"type_names {shown(names)} must be a non-empty list of species names")
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise _fail(filename, f"type_names {shown(names)} has duplicate {shown(n)}")
        seen.add(n)
    rc = meta[KEY_R_CUT]
    if not _is_number(rc) or not rc > 0:
        raise _fail(filename, f"r_cut {shown(rc)} must be a positive number (angstrom)")
    if meta[KEY_DTYPE] not in ("float64", "float32"):
        raise _fail(filename, f"dtype {shown(meta[KEY_DTYPE])} must be float64 or float32")
    if meta[KEY_ENERGY_UNIT] != "eV":
        raise _fail(filename, f"energy_unit {shown(meta[KEY_ENERGY_UNIT])} is not supported (expected eV)")
    if meta[KEY_LENGTH_UNIT] != "angstrom":
        raise _fail(filename, f"length_unit {shown(meta[KEY_LENGTH_UNIT])} is not supported (expected angstrom)")
    te = meta[KEY_TE]
    if te is not None:
        if not isinstance(te, dict):
            raise _fail(filename, f"electronic_temperature {shown(te)} must be null or an object")
        if te.get("unit", _MISSING) != "K":
            raise _fail(filename, f"electronic_temperature.unit {shown(te.get('unit', _MISSING))} is not "
                                  "supported (expected K)")
        if not isinstance(te.get("per_atom"), bool):
            raise _fail(filename, f"electronic_temperature.per_atom {shown(te.get('per_atom', _MISSING))} "
                                  "must be true or false")
        rng = te.get("train_range", _MISSING)
        if not _number_pair(rng) or rng[0] < 0:
            raise _fail(filename, f"electronic_temperature.train_range {shown(rng)} must be [low_K, high_K] "
                                  "with 0 <= low_K <= high_K")
    _validate_training(meta.get(KEY_TRAINING), filename)


def _validate_training(training: Any, filename: str) -> None:
    """The optional ranges of the ``training`` block (the pair style warns outside them)."""
    if training is None:
        return
    if not isinstance(training, dict):
        raise _fail(filename, f"training {shown(training)} must be null or an object")
    rng = training.get(KEY_PRESSURE_RANGE)
    if rng is not None and not _number_pair(rng):
        raise _fail(filename, f"training.{KEY_PRESSURE_RANGE} {shown(rng)} must be null or "
                              "[low_GPa, high_GPa] with low_GPa <= high_GPa")
    d = training.get(KEY_MIN_PAIR_DISTANCE)
    if d is not None and not (_is_number(d) and d > 0):
        raise _fail(filename, f"training.{KEY_MIN_PAIR_DISTANCE} {shown(d)} must be null or a positive "
                              "number (angstrom)")
    nb = training.get(KEY_NEIGHBOURS_RANGE)
    if nb is not None and not (isinstance(nb, list) and len(nb) == 2 and all(map(_count, nb)) and nb[0] <= nb[1]):
        raise _fail(filename, f"training.{KEY_NEIGHBOURS_RANGE} {shown(nb)} must be null or [min, max] "
                              f"neighbour counts (integers, 0 <= min <= max <= {MAX_NEIGHBOURS})")


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
