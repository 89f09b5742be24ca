"""Labelling never loses a label: per-frame failures (SCF not converged, crash, timeout) are
recorded, good frames are kept, and a rerun skips what is done."""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT

from ptmlp.data.store import Dataset
from ptmlp.labelers.base import AseLabeler
from ptmlp.labelers.runner import failure_log_path, label_structures


class Flaky(EMT):
    """EMT, except: marker 1 -> "SCF not converged", 2 -> process dies, 3 -> hangs."""

    def calculate(self, atoms=None, properties=("energy",), system_changes=()):
        marker = int(round(atoms.info.get("marker", 0)))
        if marker == 1:
            raise RuntimeError("SCF did not converge in 10 iterations")
        if marker == 2:
            os._exit(9)
        if marker == 3:
            time.sleep(60)
        super().calculate(atoms, properties, system_changes)


def flaky_calculator():
    return Flaky()


def structures(markers):
    out = []
    for k, m in enumerate(markers):
        a = bulk("Al", "fcc", a=4.05, cubic=True)
        a.rattle(0.05, seed=k)
        a.info["marker"] = m
        out.append(a)
    return out


def test_failures_recorded_and_rerun_skips(tmp_path):
    path = str(tmp_path / "d.h5")
    labeler = AseLabeler(flaky_calculator, name="flaky-emt")
    report = label_structures(structures([0, 1, 0, 1, 0]), labeler, path, progress=False)
    assert report.labelled == 3 and report.failed == {"scf_not_converged": 2}
    assert len(Dataset(path)) == 3
    log = [json.loads(line) for line in open(failure_log_path(path))]
    assert [r["index"] for r in log] == [1, 3] and "did not converge" in log[0]["message"]
    again = label_structures(structures([0, 1, 0, 1, 0]), labeler, path, progress=False)
    assert again.labelled == 0 and again.skipped_done == 3 and again.skipped_failed == 2


def test_pool_survives_crash_and_timeout(tmp_path):
    """Two worker processes; one frame kills its worker, one hangs past the time limit."""
    path = str(tmp_path / "d.h5")
    labeler = AseLabeler(flaky_calculator, name="flaky-emt")
    t0 = time.monotonic()
    report = label_structures(structures([0, 2, 0, 3, 0, 0]), labeler, path, processes=2, timeout_s=3.0,
                              progress=False)
    wall = time.monotonic() - t0
    assert report.labelled == 4
    assert report.failed == {"crash": 1, "timeout": 1}
    assert wall < 40  # the hung frame did not hold up the run
    frames = Dataset(path).read()
    assert len(frames) == 4 and all(f.provenance["labeler"] == "flaky-emt" for f in frames)
    assert np.isfinite([f.energy_eV for f in frames]).all()


class _BlasThreadsEMT(EMT):
    """EMT that records the BLAS thread counts it sees while it computes."""

    seen: list = []

    def calculate(self, *args, **kwargs):
        from threadpoolctl import threadpool_info

        _BlasThreadsEMT.seen.append({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})
        super().calculate(*args, **kwargs)


def test_gpaw_style_labels_run_with_one_blas_thread():
    """A labeler with blas_threads = 1 (GPAW's) computes with one BLAS thread and gives the process
    its threads back afterwards; blas_threads None leaves them alone."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from ptmlp.labelers.gpaw_labeler import GpawLabeler

    assert GpawLabeler.blas_threads == 1
    with threadpool_limits(limits=2, user_api="blas"):  # as numpy starts on a 2-core machine
        before = {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
        one = AseLabeler(_BlasThreadsEMT)
        one.blas_threads = 1
        free = AseLabeler(_BlasThreadsEMT)
        _BlasThreadsEMT.seen.clear()
        one.label(bulk("Cu", "fcc", a=3.6, cubic=True))
        free.label(bulk("Cu", "fcc", a=3.6, cubic=True))
        after = {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    assert _BlasThreadsEMT.seen[0] == {1}
    assert _BlasThreadsEMT.seen[-1] == before and after == before
