"""Parsers of melt.in outputs (fix ave/histo, fix ave/chunk, thermo blocks), restart bookkeeping of
the run folders, and the growth-rate root used by the bracket method."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from ptmlp.melting.bracket import rate_root
from ptmlp.melting.runner import RunSpec, read_histogram, read_profiles
from ptmlp.thermo import read_thermo_blocks


def test_histogram_last_block(tmp_path):
    p = tmp_path / "h.dat"
    p.write_text(textwrap.dedent("""\
        # Histogrammed data for fix hist
        # TimeStep Number-of-bins Total-counts Missing-counts Min-value Max-value
        # Bin Coord Count Count/Total
        100 3 10 0 0 2
        1 0 5 0.5
        2 1 5 0.5
        3 2 0 0
        200 3 20 0 0 2
        1 0 4 0.2
        2 1 6 0.3
        3 2 10 0.5
        """))
    assert read_histogram(p).tolist() == [4.0, 6.0, 10.0]


def test_profiles(tmp_path):
    p = tmp_path / "p.dat"
    p.write_text(textwrap.dedent("""\
        # Chunk-averaged data for fix prof and group all
        # Timestep Number-of-chunks Total-count
        # Chunk Coord1 Ncount density/number v_solid
        500 2 100
          1 0.25 50 0.08 1
          2 0.75 50 0.07 0
        1000 2 100
          1 0.25 50 0.08 0.9
          2 0.75 50 0.07 0.2
        """))
    prof = read_profiles(p)
    assert prof["step"].tolist() == [500, 1000]
    assert prof["solid_label"].shape == (2, 2) and prof["solid_label"][1].tolist() == [0.9, 0.2]
    assert prof["density_per_A3"][0].tolist() == [0.08, 0.07]


def test_thermo_blocks(tmp_path):
    p = tmp_path / "log.lammps"
    p.write_text("run 10\n   Step Temp\n  0 1.0\n  10 2.0\nLoop time of 1\nrun 5\n   Step Temp v_fsolid\n"
                 "  10 2.0 0.5\n  15 3.0 0.4\nLoop time of 1\n")
    blocks = read_thermo_blocks(p)
    assert len(blocks) == 2 and blocks[1]["v_fsolid"].tolist() == [0.5, 0.4]


def test_input_hash_changes_with_inputs(tmp_path):
    tpl = tmp_path / "melt.in"
    tpl.write_text("x")
    data = tmp_path / "a.data"
    data.write_text("1")
    spec = RunSpec("r", {"T": 100}, files={"a.data": data})
    h = spec.input_hash(tpl)
    assert h == RunSpec("r", {"T": 100}, files={"a.data": data}).input_hash(tpl)
    assert h != RunSpec("r", {"T": 101}, files={"a.data": data}).input_hash(tpl)
    data.write_text("2")
    assert h != spec.input_hash(tpl)
    json.dumps(h)


def test_rate_root():
    t = np.array([1700.0, 1750.0, 1800.0, 1850.0])
    rate = -0.001 * (t - 1772.0)  # interface velocity ~ T_m - T
    root, err, slope = rate_root(t, rate, np.full(4, 0.002))
    assert root == pytest.approx(1772.0) and slope == pytest.approx(-0.001)
    # error: sigma_rate / |slope| / sqrt(n) at the centroid, a little more away from it
    assert 0.002 / 0.001 / 2 <= err < 0.002 / 0.001
