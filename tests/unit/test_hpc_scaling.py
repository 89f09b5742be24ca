"""Smoke run of the strong-scaling benchmark (ptmlp.hpc.scaling) on a tiny box, and its parsing."""

from __future__ import annotations

from dataclasses import astuple

import pytest

from ptmlp.demo import DEMO_MODEL
from ptmlp.errors import InputError
from ptmlp.hpc.scaling import loop_time, strong_scaling, table


def test_loop_time_parsing():
    text = "Loop time of 1.5 on 1 procs for 10 steps with 54 atoms\n...\nLoop time of 0.25 on 2 procs for 20 steps " \
           "with 4394 atoms\n"
    assert astuple(loop_time(text)) == (0.25, 2, 20, 4394)
    with pytest.raises(InputError):
        loop_time("no timing here\n")


def test_scaling_smoke(plugin_built):
    points = strong_scaling(DEMO_MODEL, ranks=(1, 2), cells=3, steps=5, repeats=1)
    assert [p.ranks for p in points] == [1, 2]
    assert all(p.n_atoms == 54 and p.steps == 5 and p.loop_time_s > 0 for p in points)
    assert points[0].speedup == 1.0 and points[0].efficiency == 1.0
    assert 0 < points[1].efficiency < 1.5  # 54 atoms on a shared machine: only a sanity range
    assert "54 atoms" in table(points)
