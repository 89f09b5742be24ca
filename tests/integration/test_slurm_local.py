"""The sbatch templates submitted to a real SLURM: a private single-node slurmctld + slurmd
(ptmlp.hpc.local_slurm, 4 CPUs and 2 stand-in GPUs declared) started for this module.

Covered: 2-task MPI runs through srun and mpirun, the multi-node and GPU templates (on one
node, GPUs as stand-ins), sbatch refusing an impossible request, the active-learning chain
train -> explore array -> label array -> merge with one explore element failing, being
resubmitted alone and the waiting jobs re-pointed, and a job killed by its time limit that
resumes from its restart file when resubmitted.

Skipped (with the reason) where SLURM cannot run: not root, or slurm-wlm/munge not installed
(`apt-get install slurm-wlm munge`). Daemons that are installed but fail to start fail the test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from ptmlp.demo import DEMO_MODEL
from ptmlp.hpc.local_slurm import LocalSlurm, missing_requirements
from ptmlp.hpc.submit import submit_file
from ptmlp.hpc.workflow_state import WorkflowState
from ptmlp.lammps_env import venv_bin
from ptmlp.thermo import read_thermo

EXAMPLES = Path(__file__).resolve().parents[2] / "slurm" / "examples"

LJ_INPUT = """
# LJ liquid, 864 atoms
variable steps index 200
units        lj
lattice      fcc 0.8442
region       box block 0 6 0 6 0 6
create_box   1 box
create_atoms 1 box
mass         1 1.0
velocity     all create 1.44 87287 loop geom
pair_style   lj/cut 2.5
pair_coeff   1 1 1.0 1.0 2.5
fix          1 all nve
thermo       50
run          ${steps}
"""

FE_INPUT = """
# bcc Fe with the ptmlp demo model, 54 atoms
units        metal
lattice      bcc 2.86
region       box block 0 3 0 3 0 3
create_box   1 box
create_atoms 1 box
mass         1 55.845
pair_style   ptmlp ${model}
pair_coeff   * * Fe
velocity     all create 1500 4928459
fix          1 all nve
thermo       10
run          20
"""

# Resumable LJ run (the contract of ptmlp.hpc.restart) that sleeps 1 s every 20 steps on its
# first attempt only, so that a 1-minute time limit kills it mid-way without burning a core.
SLOW_INPUT = """
variable restart_file index none
variable timeout index off
variable steps index 3000
timer timeout ${timeout} every 10
units lj
variable resume equal is_file(${restart_file})
if "${resume} == 0" then "lattice fcc 0.8442" "region box block 0 4 0 4 0 4" "create_box 1 box" &
   "create_atoms 1 box" "mass 1 1.0" "velocity all create 1.44 87287 loop geom" "variable pause equal 1" &
else "read_restart ${restart_file}" "variable pause equal 0"
pair_style lj/cut 2.5
pair_coeff 1 1 1.0 1.0 2.5
fix 1 all nve
thermo 20
thermo_modify flush yes
restart 20 restart.a restart.b
run ${steps} upto every 20 "shell sleep ${pause}"
if "$(step) < ${steps}" then "write_restart restart.stop" "quit 3"
"""


@pytest.fixture(scope="module")
def workroot():
    """This module's own temporary folder: pytest's basetemp of a long run can be removed by
    other pytest sessions of the same user meanwhile (it keeps the 3 newest)."""
    root = Path(tempfile.mkdtemp(prefix="ptmlp_slurm_test_"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def tmp_path(workroot, request):
    path = workroot / request.node.name.replace("[", "_").replace("]", "")
    path.mkdir()
    return path


@pytest.fixture(scope="module")
def cluster(workroot):
    reason = missing_requirements()
    if reason:
        pytest.skip(f"no local SLURM: {reason}")
    local = LocalSlurm(workroot / "cluster", cpus=4, gpus=2)
    local.start()  # installed but not starting is a failure, not a skip
    yield local
    local.stop()


def ptmlp_slurm(cluster, *args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([venv_bin("ptmlp"), "slurm", *args], env=cluster.env(), cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip())
    return path


@pytest.fixture(scope="module")
def slow_job(cluster, workroot):
    """A job with a 1-minute limit that would need ~150 s: submitted first, checked last."""
    work = workroot / "slow"
    work.mkdir()
    (work / "slow.in").write_text(SLOW_INPUT)
    job = write(work / "slow.yaml", """
        template: lammps_mpi
        name: slow
        time_limit: "00:01:00"
        input: slow.in
        variables: {steps: 3000}
        resume_from: "restart.*"
    """)
    state = submit_file(job, env=cluster.env())
    return work, state


def test_time_limited_job_runs_and_writes_restarts(slow_job):
    work, state = slow_job
    t0 = time.monotonic()
    while time.monotonic() - t0 < 60:
        state.refresh()
        if state.counts("slow").get("RUNNING") and (work / "restart.a").exists():
            break
        time.sleep(1)
    assert state.counts("slow") == {"RUNNING": 1}
    assert (work / "restart.a").exists()


def test_mpi_multinode_gpu_templates(cluster, tmp_path):
    (tmp_path / "lj.in").write_text(LJ_INPUT)
    (tmp_path / "fe.in").write_text(FE_INPUT)
    wf = write(tmp_path / "runs.yaml", f"""
        defaults: {{time_limit: "00:05:00", cluster: {{cpus_per_node: 4, gpus_per_node: 2}}}}
        jobs:
          srun2: {{template: lammps_mpi, ntasks: 2, input: ../lj.in, workdir: srun2, variables: {{steps: 200}}}}
          mpirun2: {{template: lammps_mpi, ntasks: 2, launcher: mpirun, input: ../lj.in, workdir: mpirun2}}
          multi: {{template: lammps_multinode, nodes: 1, ntasks: 2, ntasks_per_node: 2, input: ../lj.in,
                  workdir: multi}}
          gpu: {{template: lammps_gpu, gpus_per_node: 2, ntasks: 2, input: ../fe.in, workdir: gpu,
                variables: {{model: {DEMO_MODEL}}}}}
    """)
    proc = ptmlp_slurm(cluster, "submit", str(wf), "--wait", "--poll-s", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    state = json.loads((tmp_path / "runs.state.json").read_text())
    assert {n: j["elements"]["-"]["state"] for n, j in state["jobs"].items()} == \
        {"srun2": "COMPLETED", "mpirun2": "COMPLETED", "multi": "COMPLETED", "gpu": "COMPLETED"}
    for name, steps in (("srun2", 200), ("mpirun2", 200), ("multi", 200), ("gpu", 20)):
        log = (tmp_path / name / "log.lammps").read_text()
        assert f"on 2 procs for {steps} steps" in log, name  # one 2-rank MPI job, not 2 singletons
        assert read_thermo(tmp_path / name / "log.lammps")["Step"][-1] == steps
    gpu_out = next((tmp_path / "gpu").glob("gpu-*.out")).read_text()
    assert "CUDA_VISIBLE_DEVICES=0,1" in gpu_out  # SLURM handed both (stand-in) GPUs to the job
    assert "pair_style ptmlp: 1 model(s), species Fe" in (tmp_path / "gpu" / "log.lammps").read_text()


def test_impossible_request_refused_by_sbatch(cluster, tmp_path):
    (tmp_path / "lj.in").write_text(LJ_INPUT)
    job = write(tmp_path / "big.yaml", """
        template: lammps_mpi
        name: big
        ntasks: 64
        input: lj.in
    """)
    proc = ptmlp_slurm(cluster, "submit", str(job))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ptmlp slurm: error: sbatch refused")
    assert "More processors requested than permitted" in lines[0]


def test_al_chain_resubmits_failed_array_element(cluster, tmp_path):
    work = tmp_path / "al"
    shutil.copytree(EXAMPLES, work)
    wf = work / "al_iteration.yaml"
    # explore element 2 reads a model file that appears only later: it fails the first time
    wf.write_text(wf.read_text().replace("- {T: 3000}", "- {T: 3000, model: ../../late_model.pt}"))
    proc = ptmlp_slurm(cluster, "submit", str(wf), "--wait", "--poll-s", "1")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    state = WorkflowState(work / "al_iteration.state.json", env=cluster.env())
    state.refresh()
    assert state.counts("train") == {"COMPLETED": 1}
    assert state.counts("explore") == {"COMPLETED": 2, "FAILED": 1}
    assert state.failed() == {"explore": ["2"]}
    # the wait ended because label can never start; SLURM says so on its next scheduling pass
    t0 = time.monotonic()
    while time.monotonic() - t0 < 60:
        label = state.job("label")["elements"]
        if all("DependencyNeverSatisfied" in el["reason"] for el in label.values()):
            break
        time.sleep(1)
        state.refresh()
    assert {el["state"] for el in label.values()} == {"PENDING"}
    assert all("DependencyNeverSatisfied" in el["reason"] for el in label.values())

    # submitting the file again resumes: nothing new is submitted
    before = json.loads(state.path.read_text())
    assert ptmlp_slurm(cluster, "submit", str(wf)).returncode == 0
    assert [j["submissions"] for j in json.loads(state.path.read_text())["jobs"].values()] == \
        [j["submissions"] for j in before["jobs"].values()]

    shutil.copy(work / "model.pt", work / "late_model.pt")
    proc = ptmlp_slurm(cluster, "status", str(state.path), "--resubmit-failed", "--wait", "--poll-s", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "explore: resubmitted failed elements as job" in proc.stdout
    state = WorkflowState(state.path, env=cluster.env())
    explore = state.job("explore")
    assert len(explore["submissions"]) == 2 and explore["submissions"][1]["indices"] == [2]
    assert explore["elements"]["2"]["attempts"] == 2
    assert all(state.counts(n) == {"COMPLETED": len(state.job(n)["elements"])} for n in state.jobs)
    merge_out = next(work.glob("merge-*.out")).read_text()
    assert "9 labelled frames in labelled.xyz" in merge_out  # 3 tasks x 3 snapshots (steps 0, 100, 200)
    import ase.io

    frames = ase.io.read(work / "labelled.xyz", index=":")
    assert len(frames) == 9 and all(len(a) == 54 for a in frames)
    # Mendelev Fe EAM near bcc: -4.1 eV/atom at 0 K (cohesive energy); hot snapshots a little above
    energies = [a.get_potential_energy() / len(a) for a in frames]
    assert all(-4.2 < e < -3.7 for e in energies), energies


def test_time_limit_kill_then_resume(cluster, slow_job):
    work, state = slow_job
    state.wait(poll_s=2, timeout_s=240)
    assert state.counts("slow") == {"TIMEOUT": 1}
    killed_at = max(read_thermo_all_steps(work / "log.lammps"))
    assert 0 < killed_at < 3000
    proc = ptmlp_slurm(cluster, "status", str(state.path), "--resubmit-failed", "--wait", "--poll-s", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    state = WorkflowState(state.path, env=cluster.env())
    el = state.job("slow")["elements"]["-"]
    assert (el["state"], el["attempts"]) == ("COMPLETED", 2)
    steps = read_thermo_all_steps(work / "log.lammps")
    assert 0 < min(steps) <= killed_at and min(steps) % 20 == 0  # resumed from a restart file, not step 0
    assert max(steps) == 3000


def read_thermo_all_steps(log: Path) -> list[int]:
    steps = []
    for line in log.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[0].isdigit():
            try:
                [float(p) for p in parts]
            except ValueError:
                continue
            steps.append(int(parts[0]))
    return steps
