"""Splits are reproducible, respect fractions, and never put one group in two splits."""

from __future__ import annotations

import pytest

from ptmlp.data.splits import grouped_split
from ptmlp.errors import InputError


def test_grouped_split_reproducible_and_disjoint():
    groups = [f"traj{k // 10}" for k in range(200)]  # 20 trajectories of 10 frames
    a = grouped_split(groups, (0.7, 0.15, 0.15), seed=3)
    b = grouped_split(groups, (0.7, 0.15, 0.15), seed=3)
    assert a == b
    assert sorted(a["train"] + a["validation"] + a["test"]) == list(range(200))
    owner = {}
    for name, idx in a.items():
        for i in idx:
            assert owner.setdefault(groups[i], name) == name  # a group never straddles
    assert abs(len(a["train"]) - 140) <= 10 and abs(len(a["test"]) - 30) <= 10
    assert grouped_split(groups, (0.7, 0.15, 0.15), seed=4) != a


def test_ungrouped_and_bad_fractions():
    s = grouped_split(["g"] * 50, (0.8, 0.1, 0.1), seed=0, by_group=False)
    assert (len(s["train"]), len(s["validation"]), len(s["test"])) == (40, 5, 5)
    with pytest.raises(InputError, match="summing to 1"):
        grouped_split(["g"] * 5, (0.8, 0.3, 0.1))
