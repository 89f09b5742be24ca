"""Kill ``ptmlp melt`` mid-run, run the same command again: it resumes, finished runs are not
redone, and the answer equals that of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import yaml

from ptmlp.lammps_env import venv_bin
from test_melt_workflow import bracket_smoke_summary, smoke_mapping


def finished(workdir):
    return sorted(workdir.rglob("result.json"))


def test_kill_and_resume(tmp_path):
    ref = bracket_smoke_summary()  # the same job, uninterrupted, in-process

    work = tmp_path / "resumed"
    cfg = tmp_path / "melt.yaml"
    cfg.write_text(yaml.safe_dump(smoke_mapping(work)))
    cmd = [venv_bin("ptmlp"), "melt", str(cfg)]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)  # own process group: python + mpirun/lmp children
    deadline = time.monotonic() + 600
    while len(finished(work)) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole workflow, LAMMPS included, dies at once
    proc.wait()
    assert not (work / "summary.json").exists(), "the workflow finished before it could be killed"
    done = {p: p.stat().st_mtime_ns for p in finished(work)}
    assert len(done) >= 3

    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    summary = json.loads((work / "summary.json").read_text())
    assert summary["runs_reused"] >= len(done)
    assert all(p.stat().st_mtime_ns == m for p, m in done.items()), "a finished run was redone"
    a, b = ref["pressures"][0], summary["pressures"][0]
    assert b["T_melt_K"] == a["T_melt_K"] and b["T_melt_err_K"] == a["T_melt_err_K"]
    assert b["bracket_K"] == a["bracket_K"]
    assert [o["verdict"] for o in b["temperatures"]] == [o["verdict"] for o in a["temperatures"]]
