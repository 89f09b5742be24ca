"""Exploration as a SLURM job array (``launcher: slurm``) on a private single-node SLURM
(ptmlp.hpc.local_slurm, 2 CPUs): the same records and frames as the local launcher, the job id
kept in the exploration folder, a rerun after a crash waiting for the array it submitted
instead of submitting it again, and a run that blows up recorded as failed with its early
frames kept while the others finish.

Skipped (with the reason) where SLURM cannot run: not root, or slurm-wlm/munge not installed
(`apt-get install slurm-wlm munge`). Daemons that are installed but fail to start fail the test.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.io import write

from ptmlp.al.explore import SLURM_STATE, ExploreConfig, explore
from ptmlp.config import validate_config
from ptmlp.demo import DEMO_MODEL
from ptmlp.errors import InputError
from ptmlp.hpc.local_slurm import LocalSlurm, missing_requirements

from conftest import make_model


class Interrupted(Exception):
    """Stands for the AL process dying right after it submitted the array."""


def test_bad_slurm_key_is_one_line_input_error(tmp_path):
    write(tmp_path / "fe.extxyz", bulk("Fe", "bcc", a=2.8, cubic=True))

    def refused(**explore) -> str:
        with pytest.raises(InputError) as err:
            validate_config(ExploreConfig, {"structures": ["fe.extxyz"], **explore}, source="al.yaml: explore",
                            base_dir=tmp_path)
        assert len(str(err.value).splitlines()) == 1
        return str(err.value)

    for slurm, expected in (({"partion": "debug"}, "slurm.partion: unknown key (did you mean 'partition'?)"),
                            ({"tasks": []}, "slurm: key 'tasks' is set by the exploration itself; leave it out"),
                            ({"nodes": 2, "ntasks": 2}, "slurm: lammps_array elements run on one node each: "
                                                        "nodes=2 must be 1"),
                            ({"poll_s": 0}, "slurm.poll_s = 0 (an integer): expected > 0.0")):
        assert refused(launcher="slurm", slurm=slurm) == f"al.yaml: explore: {expected}"
    assert refused(launcher="sbatch") == ("al.yaml: explore: launcher = 'sbatch' (a string): expected one of "
                                          "'local', 'mpi', 'slurm'")
    assert refused(launcher="slurm", timeout_s=7200, slurm={"cluster": {"max_time_limit": "01:00:00"}}) == (
        "al.yaml: explore: time_limit=02:00:00 exceeds the cluster's max_time_limit=01:00:00")
    assert refused(structures=["none.extxyz"]).startswith("al.yaml: explore: structures[0] = 'none.extxyz' "
                                                           "(a string): no such file")


@pytest.fixture(scope="module")
def workroot():
    """This module's own temporary folder (pytest's basetemp may be pruned by other sessions)."""
    root = Path(tempfile.mkdtemp(prefix="ptmlp_explore_slurm_"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster(workroot):
    reason = missing_requirements()
    if reason:
        pytest.skip(f"no local SLURM: {reason}")
    local = LocalSlurm(workroot / "cluster", cpus=2)
    local.start()  # installed but not starting is a failure, not a skip
    yield local
    local.stop()


@pytest.fixture
def slurm_env(cluster, monkeypatch):
    """SLURM clients of this process (and the jobs they submit) talk to the private cluster."""
    for key in [k for k in os.environ if k.startswith("SLURM_")]:
        monkeypatch.delenv(key)  # (a test run inside a SLURM job must not leak that job's settings)
    monkeypatch.setenv("SLURM_CONF", str(cluster.conf))
    return cluster


def test_slurm_array_matches_local_resumes_and_keeps_failed_run(slurm_env, workroot, plugin_built):
    work = workroot / "explore"
    work.mkdir()
    write(work / "fe.extxyz", bulk("Fe", "bcc", a=2.8, cubic=True).repeat(2))
    other = make_model(work / "m1.pt", type_names=["Fe"], r_cut=5.0,
                       fit_on=bulk("Fe", "bcc", a=2.8, cubic=True).repeat(3))
    models = [str(DEMO_MODEL), str(other)]
    # 16 atoms, 60 steps; 99000 K loses atoms after two dumps (the deliberately broken run; at 60000 K
    # the demo model retrained on 2026-11-22 only trips the temperature guard, a "halted" run)
    kw = dict(structures=[str(work / "fe.extxyz")], temperatures_K=[800, 1500, 99000], steps=60, every=10,
              dt_ps=0.004)
    rec_local, fr_local = explore(work / "local", models, ["Fe"], ExploreConfig(launcher="local", processes=2, **kw),
                                  log=lambda s: None)
    cfg = ExploreConfig(launcher="slurm", slurm={"time_limit": "00:05:00", "poll_s": 0.5, "wait_timeout_s": 120},
                        **kw)

    def crash_after_submit(line: str) -> None:
        if "submitted as SLURM job array" in line:
            raise Interrupted(line)

    with pytest.raises(Interrupted):
        explore(work / "slurm", models, ["Fe"], cfg, log=crash_after_submit)
    job = json.loads((work / "slurm" / SLURM_STATE).read_text())["jobs"]["explore"]
    job_id = job["submissions"][0]["job_id"]
    assert job_id.isdigit() and job["array_size"] == 3

    lines: list[str] = []
    rec, frames = explore(work / "slurm", models, ["Fe"], cfg, log=lines.append)
    print("\n".join(lines))
    assert not any("submitted as SLURM job array" in line for line in lines)  # resumed: waited, not resubmitted
    assert any("waiting for SLURM job array(s) explore" in line for line in lines)
    assert "explore: 2/3 done, 1 failed, 0 running, 0 pending" in lines[-2]
    job = json.loads((work / "slurm" / SLURM_STATE).read_text())["jobs"]["explore"]
    assert [s["job_id"] for s in job["submissions"]] == [job_id]
    assert [el["state"] for el in job["elements"].values()] == ["COMPLETED", "COMPLETED", "FAILED"]

    assert [r["status"] for r in rec] == [r["status"] for r in rec_local] == ["done", "done", "failed"]
    assert [r["n_frames"] for r in rec] == [r["n_frames"] for r in rec_local]
    assert rec[0]["n_frames"] == rec[1]["n_frames"] == 60 // 10 + 1
    assert 0 < rec[2]["n_frames"] < 7  # the crashed run's frames before the crash are kept
    assert rec[2]["error"].startswith("SLURM FAILED (exit 1): ERROR: Lost atoms"), rec[2]["error"]
    assert len(frames) == len(fr_local) == sum(r["n_frames"] for r in rec)
    for a, b in zip(frames, fr_local):
        assert (a.task, a.step) == (b.task, b.step)
        assert np.allclose(a.atoms.positions, b.atoms.positions, atol=1e-6)
        assert abs(a.max_devi_f - b.max_devi_f) < 1e-8 and a.max_devi_f > 0

    again_lines: list[str] = []
    again, again_frames = explore(work / "slurm", models, ["Fe"], cfg, log=again_lines.append)
    assert json.dumps(again) == json.dumps(rec) and len(again_frames) == len(frames)  # (NaN-safe comparison)
    assert not any("SLURM" in line for line in again_lines)
    job = json.loads((work / "slurm" / SLURM_STATE).read_text())["jobs"]["explore"]
    assert [s["job_id"] for s in job["submissions"]] == [job_id]


def test_wait_timeout_cancels_the_array_and_keeps_its_frames(slurm_env, workroot, plugin_built):
    work = workroot / "timeout"
    work.mkdir()
    write(work / "fe.extxyz", bulk("Fe", "bcc", a=2.8, cubic=True).repeat(2))
    cfg = ExploreConfig(structures=[str(work / "fe.extxyz")], temperatures_K=[800], steps=1_000_000, every=500,
                        launcher="slurm", slurm={"poll_s": 0.5, "wait_timeout_s": 8})
    lines: list[str] = []
    t0 = time.monotonic()
    rec, frames = explore(work / "run", [str(DEMO_MODEL)] * 2, ["Fe"], cfg, log=lines.append)
    assert time.monotonic() - t0 < 60, "\n".join(lines)
    assert any("1 runs not finished after wait_timeout_s=8 s: cancelled" in line for line in lines)
    assert rec[0]["status"] == "failed"
    assert rec[0]["error"].startswith("not finished after wait_timeout_s=8: SLURM CANCELLED"), rec[0]["error"]
    assert rec[0]["n_frames"] >= 1 and len(frames) == rec[0]["n_frames"]  # frames before the cancel are kept
    job = json.loads((work / "run" / SLURM_STATE).read_text())["jobs"]["explore"]
    assert job["elements"]["0"]["state"] == "CANCELLED"
