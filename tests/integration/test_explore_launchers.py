"""Exploration runs the same tasks with local processes and inside one `mpirun` allocation
(ptmlp fanout); a run that blows up is recorded and its frames before the crash are kept."""

from __future__ import annotations

import json

import numpy as np
from ase.build import bulk
from ase.io import write

from ptmlp.al.explore import ExploreConfig, explore
from ptmlp.demo import DEMO_MODEL

from conftest import make_model


def test_mpi_fanout_matches_local(tmp_path, plugin_built):
    write(tmp_path / "fe.extxyz", bulk("Fe", "bcc", a=2.8, cubic=True).repeat(2))
    other = make_model(tmp_path / "m1.pt", type_names=["Fe"], r_cut=5.0,
                       fit_on=bulk("Fe", "bcc", a=2.8, cubic=True).repeat(3))
    models = [str(DEMO_MODEL), str(other)]
    kw = dict(structures=[str(tmp_path / "fe.extxyz")], temperatures_K=[800, 60000], steps=60, every=10,
              dt_ps=0.004, processes=2)
    rec_local, fr_local = explore(tmp_path / "local", models, ["Fe"], ExploreConfig(launcher="local", **kw),
                                  log=lambda s: None)
    rec_mpi, fr_mpi = explore(tmp_path / "mpi", models, ["Fe"], ExploreConfig(launcher="mpi", **kw),
                              log=lambda s: None)
    assert [r["status"] for r in rec_local] == [r["status"] for r in rec_mpi]
    assert rec_local[0]["status"] == "done" and rec_local[1]["status"] in ("failed", "halted")
    assert len(fr_local) == len(fr_mpi) and len(fr_local) > 7  # crashed run's early frames kept
    for a, b in zip(fr_local, fr_mpi):
        assert a.step == b.step and np.allclose(a.atoms.positions, b.atoms.positions, atol=1e-6)
        assert abs(a.max_devi_f - b.max_devi_f) < 1e-8
    again, _ = explore(tmp_path / "mpi", models, ["Fe"], ExploreConfig(launcher="mpi", **kw), log=lambda s: None)
    assert json.dumps(again) == json.dumps(rec_mpi)  # finished tasks are not rerun (NaN-safe comparison)
