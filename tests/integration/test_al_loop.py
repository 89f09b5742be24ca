"""The active-learning loop through `ptmlp al run` with a fast real oracle (ASE EMT for Al):
converges on its own; the deviation file of an exploration run matches Python; killed at any
stage it resumes without relabelling or losing a frame; failing labels and exploding runs are
recorded, never fatal."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.io import write

from ptmlp.al.deviation import EnsembleEvaluator, read_deviation_file
from ptmlp.data.store import Dataset
from ptmlp.lammps_data import read_dump_frames
from ptmlp.lammps_env import lammps_environment, venv_bin

TESTS = Path(__file__).resolve().parents[1]

CONFIG = """
workdir: run
initial_structures: [al.extxyz]
initial_rattle_copies: {copies}
initial_rattle_A: 0.08
model: {{type_names: [Al], r_cut: 4.5, n_radial: 5, n_channels: 5, l_max: 2, hidden_widths: [16]}}
training: {{epochs: {epochs}, batch_frames: 4, lr: 0.005, lr_final: 0.0003, early_stopping_patience_epochs: 15}}
ensemble: {ensemble}
explore:
  structures: [al.extxyz]
  temperatures_K: {temps}
  steps: {steps}
  every: 15
  dt_ps: {dt}
select: {{trust_lo: 0.12, trust_hi: 0.5, max_per_iteration: 15, max_per_point: 15}}
labeler: {{kind: ase, potential: {{ase_calculator: "al_oracles:{oracle}"}}}}
max_iterations: {iters}
target_accurate_fraction: 0.9
rmse_improvement_tol: 0.2
"""


def setup_run(tmp_path, **kw) -> Path:
    opts = dict(copies=16, epochs=40, ensemble=3, temps="[300, 700]", steps=300, dt=0.001, oracle="counting_emt",
                iters=4)
    opts.update(kw)
    write(tmp_path / "al.extxyz", bulk("Al", "fcc", a=4.05, cubic=True).repeat(2))
    (tmp_path / "al.yaml").write_text(CONFIG.format(**opts))
    return tmp_path


def al_run(workdir: Path, kill: str = "", check: bool = True):
    env = lammps_environment()
    env.update(PYTHONPATH=str(TESTS), PTMLP_TEST_LABEL_LOG=str(workdir / "labels.log"), OMP_NUM_THREADS="1")
    env.pop("PTMLP_AL_KILL", None)
    if kill:
        env["PTMLP_AL_KILL"] = kill
    proc = subprocess.run([venv_bin("ptmlp"), "al", "run", "al.yaml"], cwd=workdir, env=env, capture_output=True,
                          text=True, timeout=1500)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def labels_logged(workdir: Path) -> list[str]:
    return (workdir / "labels.log").read_text().split() if (workdir / "labels.log").exists() else []


def test_loop_converges_and_deviation_matches_python(tmp_path):
    work = setup_run(tmp_path)
    out = al_run(work).stdout
    state = json.loads((work / "run" / "al_state.json").read_text())
    print("\n".join(line for line in out.splitlines() if line.startswith(("iteration", "active learning"))))
    assert state["converged"], state["stopped"]
    assert len(state["iterations"]) <= 4
    assert (work / "run" / "status.png").exists()
    # every labelled structure was computed once, and every label is in the dataset
    ds = Dataset(work / "run" / "dataset.h5")
    assert len(labels_logged(work)) == len(ds) == len(set(ds.hashes()))
    # the deviation LAMMPS wrote for an exploration run equals the ensemble's in Python
    it0 = work / "run" / "iter_000"
    models = sorted(str(p) for p in (it0 / "train").glob("member_*/model.pt"))
    task = sorted((it0 / "explore").glob("task_*"))[0]
    rows = read_deviation_file(task / "model_devi.out")
    frames = dict(read_dump_frames(task / "traj.dump", ["Al"]))
    ens = EnsembleEvaluator(models)
    for row in rows[::5]:
        ref = ens.deviation(frames[int(row["step"])])
        assert row["max_devi_f"] == pytest.approx(ref["max_devi_f"], rel=1e-8)
        assert row["devi_e"] == pytest.approx(ref["devi_e"], rel=1e-6, abs=1e-12)
    status = subprocess.run([venv_bin("ptmlp"), "al", "status", "run"], cwd=work, capture_output=True, text=True)
    assert status.returncode == 0 and "converged at iteration" in status.stdout


def test_killed_at_every_stage_resumes_without_relabelling(tmp_path):
    work = setup_run(tmp_path, copies=8, epochs=12, ensemble=2, temps="[500]", steps=150, iters=2)
    for kill in ("label:3", "train:4", "explore:1", "select:1", "train:20", "label:2"):
        proc = al_run(work, kill=kill, check=False)
        assert proc.returncode in (0, -9), proc.stderr[-2000:]
    al_run(work)
    state = json.loads((work / "run" / "al_state.json").read_text())
    assert all(it["stages"] == {s: "done" for s in ("train", "explore", "select", "label")}
               for it in state["iterations"])
    ds = Dataset(work / "run" / "dataset.h5")
    logged = labels_logged(work)
    # a kill between a label's computation and its commit may cost one recomputation, never a lost frame
    assert set(logged) == set(ds.hashes())
    assert len(logged) - len(set(logged)) <= 2
    selected = sum(len(json.loads((work / "run" / f"iter_{k:03d}" / "selected.json").read_text()))
                   for k in range(len(state["iterations"])))
    assert len(ds) == 8 + selected
    print(f"resumed after 6 kills: {len(ds)} frames, {len(logged)} label computations")


def test_failing_labels_and_exploding_runs_are_recorded(tmp_path):
    work = setup_run(tmp_path, copies=8, epochs=12, ensemble=2, temps="[300, 20000]", steps=150, dt=0.01,
                     oracle="flaky_emt", iters=1)
    al_run(work)
    state = json.loads((work / "run" / "al_state.json").read_text())
    it = state["iterations"][0]
    log = [json.loads(line) for line in (work / "run" / "dataset.h5.labels.jsonl").read_text().splitlines()]
    assert log and all(r["reason"] == "scf_not_converged" for r in log)
    bad = it["runs"]["failed"] + it["runs"]["halted"]
    assert bad, "the 20000 K run with a 10 fs step must blow up"
    task = json.loads((work / "run" / "iter_000" / "explore" / f"task_{bad[0]}" / "task.json").read_text())
    assert task["status"] in ("failed", "halted") and task["error"]
    status = subprocess.run([venv_bin("ptmlp"), "al", "status", "run"], cwd=work, capture_output=True, text=True)
    print(status.stdout)
    assert "reached max_iterations" in state["stopped"]
    # raising max_iterations continues the stopped loop (iteration 0 is kept as it was)
    (work / "al.yaml").write_text((work / "al.yaml").read_text().replace("max_iterations: 1", "max_iterations: 2"))
    al_run(work)
    again = json.loads((work / "run" / "al_state.json").read_text())
    assert len(again["iterations"]) == 2 and again["iterations"][0] == it
    assert "max_iterations=2" in again["stopped"] or again["converged"]
