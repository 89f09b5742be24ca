"""The two band-gap tables (``formula, target`` in eV): reading, one PBE entry per composition, the
join with experiment. Every row problem is one :class:`InputError` line naming the file, line and entry."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from .formula import composition_key, parse_formula


@dataclass(frozen=True)
class GapTable:
    """Rows of a band-gap CSV: ``formula`` as written, its composition ``key``, the gap (eV)."""

    source: str
    formulas: list[str]
    keys: list[str]
    gaps_eV: np.ndarray

    def __len__(self) -> int:
        return len(self.keys)


def read_gap_csv(path: str | Path) -> GapTable:
    """Read ``formula,target`` (eV). Raises InputError (one line: file, line, entry) for a missing
    column, a malformed formula, an unknown element, a gap that is not a finite number >= 0, or no rows."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    formulas, keys, gaps = [], [], []
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None:
            raise InputError(f"{path}: empty file (expected a header 'formula,target' and rows)")
        missing = {"formula", "target"} - set(reader.fieldnames)
        if missing:
            raise InputError(f"{path}: missing column(s) {sorted(missing)} (header is {reader.fieldnames}; "
                             "expected formula,target)")
        for line, row in enumerate(reader, start=2):
            text = (row["formula"] or "").strip()
            try:
                key = composition_key(parse_formula(text))
            except InputError as exc:
                raise InputError(f"{path}:{line}: {exc}") from None
            try:
                gap = float(row["target"])
            except (TypeError, ValueError):
                raise InputError(f"{path}:{line}: gap {row['target']!r} of {text!r} is not a number") from None
            if not math.isfinite(gap) or gap < 0:
                raise InputError(f"{path}:{line}: gap {row['target']!r} of {text!r} is not a finite number >= 0")
            formulas.append(text)
            keys.append(key)
            gaps.append(gap)
    if not keys:
        raise InputError(f"{path}: no rows (expected formula,target lines after the header)")
    return GapTable(str(path), formulas, keys, np.asarray(gaps, dtype=float))


def one_per_composition(table: GapTable) -> dict[str, float]:
    """key -> one gap per composition. Rule: among the entries (polymorphs) of a composition, the one
    whose gap is the lower median (sorted gaps, index (n-1)//2) -- a real entry, insensitive to one odd
    polymorph. Compositions come out in alphabetical order of their keys."""
    by_key: dict[str, list[float]] = {}
    for key, gap in zip(table.keys, table.gaps_eV):
        by_key.setdefault(key, []).append(float(gap))
    return {key: sorted(v)[(len(v) - 1) // 2] for key, v in sorted(by_key.items())}


@dataclass(frozen=True)
class JoinedSet:
    """Compositions with both a PBE and an experimental gap (eV), in alphabetical order of their keys."""

    keys: list[str]
    pbe_eV: np.ndarray
    expt_eV: np.ndarray


def join_pbe_expt(pbe: dict[str, float], expt: dict[str, float]) -> JoinedSet:
    """Inner join by composition key (both sides already one value per composition)."""
    keys = sorted(set(pbe) & set(expt))
    return JoinedSet(keys, np.array([pbe[k] for k in keys]), np.array([expt[k] for k in keys]))
