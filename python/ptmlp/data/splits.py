"""Reproducible train/validation/test splits, grouped by source trajectory."""

from __future__ import annotations

import os
from typing import Annotated, Optional, Sequence

import numpy as np
from pydantic import AfterValidator

from ..errors import InputError
from ..jsonfile import read_json, write_json

SPLIT_NAMES = ("train", "validation", "test")


def fractions_problem(fractions: Sequence[float]) -> Optional[str]:
    """Why ``fractions`` are not train/validation/test fractions (None when they are)."""
    if len(fractions) != 3 or any(not f >= 0 for f in fractions) or abs(sum(fractions) - 1.0) > 1e-9:
        return "must be three non-negative numbers summing to 1"
    return None


def _checked_fractions(value: list[float]) -> list[float]:
    problem = fractions_problem(value)
    if problem:
        raise ValueError(problem)
    return value


#: config type of train/validation/test fractions
SplitFractions = Annotated[list[float], AfterValidator(_checked_fractions)]


def grouped_split(groups: Sequence[str], fractions: Sequence[float] = (0.8, 0.1, 0.1), seed: int = 0,
                  by_group: bool = True) -> dict[str, list[int]]:
    """Frame indices of train/validation/test.

    With ``by_group`` whole groups (source trajectories) go to one split, so near-identical MD
    frames never straddle train and test; groups are shuffled with ``seed`` and assigned greedily
    until each split reaches its fraction of frames. Frames with an empty group name are their
    own groups. Without ``by_group`` frames are shuffled individually.
    """
    fractions = [float(f) for f in fractions]
    problem = fractions_problem(fractions)
    if problem:
        raise InputError(f"split fractions {fractions} {problem}")
    n = len(groups)
    if n == 0:
        raise InputError("cannot split an empty dataset")
    rng = np.random.default_rng(seed)
    if by_group:
        units: dict[str, list[int]] = {}
        for i, g in enumerate(groups):
            units.setdefault(g if g else f"__frame{i}", []).append(i)
        blocks = list(units.values())
    else:
        blocks = [[i] for i in range(n)]
    order = rng.permutation(len(blocks))
    targets = np.array(fractions) * n
    out: dict[str, list[int]] = {name: [] for name in SPLIT_NAMES}
    filled = np.zeros(3)
    for b in order:
        block = blocks[b]
        # the split furthest below its target (relative) takes the next block
        need = (targets - filled) / np.maximum(targets, 1e-12)
        need[targets == 0] = -np.inf
        k = int(np.argmax(need))
        out[SPLIT_NAMES[k]].extend(block)
        filled[k] += len(block)
    for name in SPLIT_NAMES:
        out[name].sort()
    return out


def save_split(split: dict[str, list[int]], path: str | os.PathLike, **info) -> None:
    write_json(path, {**info, **{k: list(map(int, v)) for k, v in split.items()}})


def load_split(path: str | os.PathLike) -> dict[str, list[int]]:
    if not os.path.exists(path):
        raise InputError(f"split file {path}: no such file (make one with `ptmlp data split`)")
    data = read_json(path)
    missing = [k for k in SPLIT_NAMES if not isinstance(data, dict) or k not in data]
    if missing:
        raise InputError(f"split file {path} lacks {missing}")
    bad = [k for k in SPLIT_NAMES if not isinstance(data[k], list)
           or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in data[k])]
    if bad:
        raise InputError(f"split file {path}: {bad[0]} must be a list of frame indices (integers >= 0)")
    return {k: list(data[k]) for k in SPLIT_NAMES}
