"""Validated YAML configs for ``ptmlp phonons`` and ``ptmlp elastic`` (shared pieces).

Every section is checked against its allowed keys; an unknown or mistyped key is an
:class:`~ptmlp.errors.InputError` naming the key, the section and the allowed keys.

Structure (``structure:``): a file readable by ASE (``file: fe.cif``, optional ``index``), or a
built crystal (``build: {symbol: Fe, crystalstructure: bcc, a_A: 2.8553, cubic: true}``, with
``c_A``/``covera``/``repeat`` optional). Potential (``potential:``/``reference:``): a ptmlp model
(``model: path.pt`` or ``model: demo``) or a classical LAMMPS potential (``pair_style``,
``pair_coeff``, ``species``, ``cutoff_A``), or any ASE calculator for phonons and 0 K elastic
constants (``ase_calculator: "gpaw:GPAW"``, ``kwargs: {...}``, ``cutoff_A``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from .potential import PotentialSpec

STRUCTURE_KEYS = {"file", "index", "build"}
BUILD_KEYS = {"symbol", "crystalstructure", "a_A", "c_A", "covera", "cubic", "orthorhombic", "repeat"}
POTENTIAL_KEYS = {"model", "pair_style", "pair_coeff", "species", "cutoff_A", "label", "ase_calculator", "kwargs"}


def check_keys(section: Any, allowed: set, where: str, required: set = frozenset()) -> dict:
    """``section`` as a dict; raise InputError on unknown or missing keys."""
    if section is None:
        section = {}
    if not isinstance(section, dict):
        raise InputError(f"{where} must be a mapping (key: value), got {type(section).__name__}")
    unknown = sorted(set(section) - set(allowed))
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(map(str, unknown))} in {where}; "
                         f"allowed: {', '.join(sorted(allowed))}")
    missing = sorted(set(required) - set(section))
    if missing:
        raise InputError(f"{where} lacks required key(s) {', '.join(missing)}")
    return section


def load_yaml(path) -> dict:
    import yaml

    p = Path(path)
    if not p.exists():
        raise InputError(f"config file {p} not found")
    try:
        data = yaml.safe_load(p.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise InputError(f"config file {p} is not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise InputError(f"config file {p} must hold a mapping of keys")
    return data


def build_structure(section: dict, base_dir: Path):
    """ASE Atoms from a ``structure:`` section."""
    from ase.build import bulk

    section = check_keys(section, STRUCTURE_KEYS, "structure")
    if ("file" in section) == ("build" in section):
        raise InputError("structure needs exactly one of file: or build:")
    if "file" in section:
        from ase.io import read

        path = Path(section["file"])
        path = path if path.is_absolute() else base_dir / path
        if not path.exists():
            raise InputError(f"structure file {path} not found")
        try:
            atoms = read(str(path), index=section.get("index", -1))
        except Exception as exc:  # ASE raises many kinds
            raise InputError(f"cannot read structure file {path}: {exc}") from None
        return atoms
    b = check_keys(section["build"], BUILD_KEYS, "structure.build", {"symbol", "crystalstructure"})
    kwargs = {"crystalstructure": b["crystalstructure"]}
    for key, arg in (("a_A", "a"), ("c_A", "c"), ("covera", "covera")):
        if key in b:
            kwargs[arg] = float(b[key])
    for key in ("cubic", "orthorhombic"):
        if key in b:
            kwargs[key] = bool(b[key])
    try:
        atoms = bulk(str(b["symbol"]), **kwargs)
    except Exception as exc:
        raise InputError(f"cannot build structure {b}: {exc}") from None
    if "repeat" in b:
        rep = np.atleast_1d(np.asarray(b["repeat"], dtype=int))
        atoms = atoms.repeat(int(rep[0]) if rep.size == 1 else [int(v) for v in rep])
    return atoms


def build_potential(section: dict, where: str, base_dir: Path) -> PotentialSpec:
    section = check_keys(section, POTENTIAL_KEYS, where)
    if "model" in section:
        extra = sorted(set(section) - {"model", "label", "cutoff_A"})
        if extra:
            raise InputError(f"{where}: model: cannot be combined with {', '.join(extra)}")
        model = str(section["model"])
        if model != "demo" and not Path(model).is_absolute():
            model = str(base_dir / model)
        return PotentialSpec.from_model(model, label=section.get("label"))
    if "ase_calculator" in section:
        extra = sorted(set(section) - {"ase_calculator", "kwargs", "species", "cutoff_A", "label"})
        if extra:
            raise InputError(f"{where}: ase_calculator: cannot be combined with {', '.join(extra)}")
        return PotentialSpec.ase(section["ase_calculator"], section.get("kwargs"), section.get("species"),
                                 section.get("cutoff_A"), label=section.get("label"))
    if "kwargs" in section:
        raise InputError(f"{where}: kwargs: belongs to ase_calculator:")
    if "pair_style" not in section:
        raise InputError(f"{where} needs model: (a ptmlp .pt file or demo), pair_style/pair_coeff/species, "
                         "or ase_calculator: module:Class")
    check_keys(section, POTENTIAL_KEYS, where, {"pair_style", "pair_coeff", "species"})
    return PotentialSpec.classical(section["pair_style"], section["pair_coeff"], section["species"],
                                   section.get("cutoff_A"), label=section.get("label"))


def number(section: dict, key: str, default, where: str, positive: bool = False, allow_none: bool = False):
    """``section[key]`` as a float (or the default); InputError for non-numbers."""
    value = section.get(key, default)
    if value is None and allow_none:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}.{key} must be a number, got {value!r}") from None
    if positive and not value > 0:
        raise InputError(f"{where}.{key} must be positive, got {value}")
    return value
