"""Workflow state without a SLURM: SLURM's answers are replaced by recorded ones, so the
bookkeeping (dependencies, resubmission of failed elements, resume) is checked on its own.
The same paths run against a real SLURM in tests/integration/test_slurm_local.py."""

from __future__ import annotations

import json
import subprocess

import pytest

from ptmlp.errors import InputError
from ptmlp.hpc import slurm_cli
from ptmlp.hpc.jobspec import load_job_file
from ptmlp.hpc.slurm_cli import ElementState, expand_indices, scontrol_records
from ptmlp.hpc.templates import render_job
from ptmlp.hpc.workflow_state import WorkflowState

WORKFLOW = """
jobs:
  train: {template: command, command: "true"}
  explore: {template: lammps_array, input: in.lmp, tasks: [{T: 1}, {T: 2}, {T: 3}], after: [train]}
  merge: {template: command, command: "true", after: [explore]}
"""


class FakeSlurm:
    """sbatch gives ids 100, 101, ...; job states are set by the test."""

    def __init__(self, monkeypatch):
        self.next_id, self.submitted, self.updates, self.states = 100, [], [], {}
        monkeypatch.setattr(slurm_cli, "sbatch", self.sbatch)
        monkeypatch.setattr(slurm_cli, "update_dependency", lambda j, d, env=None: self.updates.append((j, d)))
        monkeypatch.setattr(slurm_cli, "scontrol_records", lambda j, env=None: dict(self.states.get(j, {})))
        monkeypatch.setattr(slurm_cli, "sacct_records", lambda j, env=None: {})

    def sbatch(self, script, array=None, dependency=None, env=None, **kw):
        job_id = str(self.next_id)
        self.next_id += 1
        self.submitted.append((str(script).rsplit("/", 1)[-1], job_id, array, dependency))
        indices = [None] if array is None else [int(i) for i in array.split(",")]
        self.states[job_id] = {i: ElementState("PENDING") for i in indices}
        return job_id


@pytest.fixture
def workflow(tmp_path, monkeypatch):
    (tmp_path / "wf.yaml").write_text(WORKFLOW)
    fake = FakeSlurm(monkeypatch)
    state = WorkflowState(tmp_path / "wf.state.json")
    for job in load_job_file(tmp_path / "wf.yaml").jobs:
        state.submit(render_job(job), after=job.after, dependency=job.dependency)
    return state, fake


def test_submit_order_and_dependencies(workflow):
    state, fake = workflow
    assert fake.submitted == [("train.sbatch", "100", None, None),
                              ("explore.sbatch", "101", "0,1,2", "afterok:100"),
                              ("merge.sbatch", "102", None, "afterok:101")]
    saved = json.loads(state.path.read_text())
    assert list(saved["jobs"]) == ["train", "explore", "merge"]
    assert saved["jobs"]["explore"]["elements"]["2"] == {"job_id": "101", "state": "PENDING", "exit_code": None,
                                                        "attempts": 1, "reason": ""}


def test_submitting_again_resumes(workflow, tmp_path):
    state, fake = workflow
    again = WorkflowState(state.path)
    for job in load_job_file(tmp_path / "wf.yaml").jobs:
        again.submit(render_job(job), after=job.after)
    assert len(fake.submitted) == 3  # nothing submitted twice


def test_failed_element_resubmitted_and_dependent_repointed(workflow):
    state, fake = workflow
    fake.states["100"] = {None: ElementState("COMPLETED", 0)}
    fake.states["101"] = {0: ElementState("COMPLETED", 0), 1: ElementState("FAILED", 1),
                          2: ElementState("COMPLETED", 0)}
    fake.states["102"] = {None: ElementState("PENDING", None, "DependencyNeverSatisfied")}
    state.refresh()
    assert state.failed() == {"explore": ["1"]}
    assert state._stuck(None)  # merge can never start: wait() returns instead of polling forever
    with pytest.raises(InputError, match="job explore element 1 is FAILED; resubmit it first"):
        state.dependency_spec(["explore"])
    assert state.resubmit_failed() == {"explore": "103"}
    assert fake.submitted[-1] == ("explore.sbatch", "103", "1", None)  # train is done: no dependency
    assert fake.updates == [("102", "afterok:103")]
    el = state.job("explore")["elements"]["1"]
    assert (el["job_id"], el["attempts"], el["state"]) == ("103", 2, "PENDING")


def test_partially_finished_array_uses_element_refs(workflow):
    state, fake = workflow
    fake.states["100"] = {None: ElementState("COMPLETED", 0)}
    fake.states["101"] = {0: ElementState("COMPLETED", 0), 1: ElementState("RUNNING"), 2: ElementState("PENDING")}
    state.refresh()
    assert state.dependency_spec(["explore"]) == "afterok:101_1:101_2"
    assert state.dependency_spec(["train", "explore"], "afterany") == "afterany:101_1:101_2"


def test_forgotten_job_read_from_exit_status_file(workflow, tmp_path):
    state, fake = workflow
    fake.states.clear()  # SLURM has forgotten every job
    status = tmp_path / ".ptmlp_status"
    status.mkdir()
    (status / "100.exit").write_text("0\n")
    (status / "101_0.exit").write_text("0\n")
    (status / "101_1.exit").write_text("143\n")
    state.refresh()
    assert state.counts("train") == {"COMPLETED": 1}
    assert state.counts("explore") == {"COMPLETED": 1, "FAILED": 1, "LOST": 1}
    assert state.job("explore")["elements"]["1"]["exit_code"] == 143


def test_expand_indices():
    assert expand_indices("0-3,7") == [0, 1, 2, 3, 7]
    assert expand_indices("2-9:3%2") == [2, 5, 8]
    assert expand_indices("5") == [5]


def test_scontrol_parsing(monkeypatch):
    text = ("JobId=12 ArrayJobId=11 ArrayTaskId=1 JobName=ex JobState=FAILED Reason=NonZeroExitCode ExitCode=1:0\n"
            "JobId=11 ArrayJobId=11 ArrayTaskId=2-3%1 JobName=ex JobState=PENDING Reason=JobArrayTaskLimit "
            "ExitCode=0:0\n"
            "JobId=13 ArrayJobId=11 ArrayTaskId=0 JobName=ex JobState=COMPLETED Reason=None ExitCode=0:0\n")
    monkeypatch.setattr(slurm_cli, "_run", lambda cmd, env=None, check=True, timeout_s=60:
                        subprocess.CompletedProcess(cmd, 0, text, ""))
    records = scontrol_records("11")
    assert {k: v.state for k, v in records.items()} == {0: "COMPLETED", 1: "FAILED", 2: "PENDING", 3: "PENDING"}
    assert records[1].exit_code == 1 and records[2].reason == "JobArrayTaskLimit"


def test_state_file_of_other_format_refused(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"format_version": 99, "jobs": {}}')
    with pytest.raises(InputError, match="not a ptmlp state file of format_version 1"):
        WorkflowState(path)


def test_jobs_behind_a_failed_element_count_as_stuck(workflow):
    state, fake = workflow
    fake.states["100"] = {None: ElementState("COMPLETED", 0)}
    fake.states["101"] = {0: ElementState("FAILED", 1), 1: ElementState("COMPLETED", 0),
                          2: ElementState("RUNNING")}
    fake.states["102"] = {None: ElementState("PENDING", None, "Dependency")}
    state.refresh()
    assert not state._stuck(None)  # element 2 still runs
    fake.states["101"][2] = ElementState("COMPLETED", 0)
    state.refresh()
    assert state._stuck(None)  # merge waits (reason "Dependency") on explore, which has failed
    assert state.wait(poll_s=0) is False
