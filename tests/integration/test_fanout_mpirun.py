"""`mpirun -np 2 ptmlp fanout`: six short LAMMPS runs in one MPI allocation, one made to fail:
five results, one recorded failure with LAMMPS's error line, exit status 1."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from ptmlp.hpc.fanout import load_fanout_file
from ptmlp.lammps_env import lammps_environment, venv_bin
from ptmlp.resources import inputs_dir
from ptmlp.thermo import read_thermo

LJ_INPUT = """
# LJ liquid, 500 atoms; the run length and seed come from -var
variable steps index 100
variable seed  index 1
units        lj
lattice      fcc 0.8442
region       box block 0 5 0 5 0 5
create_box   1 box
create_atoms 1 box
mass         1 1.0
velocity     all create 1.44 ${seed} loop geom
pair_style   lj/cut 2.5
pair_coeff   1 1 1.0 1.0 2.5
fix          1 all nve
thermo       50
run          ${steps}
"""


def write_jobs(tmp_path: Path, mode: str, ranks_per_job: int = 1, n_jobs: int = 6, bad: int = 3,
               resume: bool = False) -> Path:
    (tmp_path / "lj.in").write_text(LJ_INPUT)
    jobs = []
    for k in range(n_jobs):
        # job `bad` asks for a negative run length: LAMMPS stops it with an ERROR on all ranks
        steps = -1 if k == bad else 100
        jobs.append(f"  - {{name: run{k}, workdir: runs/run{k}, variables: {{seed: {k + 1}, steps: {steps}}}}}")
    text = textwrap.dedent(f"""
        ranks_per_job: {ranks_per_job}
        mode: {mode}
        resume: {str(resume).lower()}
        defaults: {{input: lj.in}}
        jobs:
        """) + "\n".join(jobs) + "\n"
    path = tmp_path / "jobs.yaml"
    path.write_text(text)
    return path


def fanout(jobs: Path, nprocs: int = 2, *args) -> subprocess.CompletedProcess:
    cmd = [venv_bin("mpirun"), "-np", str(nprocs), venv_bin("ptmlp"), "fanout", str(jobs), *args]
    return subprocess.run(cmd, cwd=jobs.parent, env=lammps_environment(), capture_output=True, text=True,
                          timeout=300)


def check_one_failure(tmp_path: Path, proc: subprocess.CompletedProcess, bad: int = 3) -> dict:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "fanout: 5 ok, 1 failed of 6 jobs on 2 MPI ranks" in proc.stdout
    summary = json.loads((tmp_path / "jobs.fanout.json").read_text())
    assert (summary["n_ok"], summary["n_failed"]) == (5, 1)
    by_name = {j["name"]: j for j in summary["jobs"]}
    assert by_name[f"run{bad}"]["status"] == "failed"
    assert "Invalid run command N value: -1" in by_name[f"run{bad}"]["error"]
    for k in range(6):
        if k == bad:
            continue
        assert by_name[f"run{k}"]["status"] == "ok"
        thermo = read_thermo(tmp_path / "runs" / f"run{k}" / "log.lammps")
        assert thermo["Step"][-1] == 100
    assert {j["group"] for j in summary["jobs"]} == {0, 1}  # both ranks did work
    return summary


@pytest.mark.parametrize("mode", ["library", "subprocess"])
def test_fanout_isolates_a_failed_job(tmp_path, mode, plugin_built):
    proc = fanout(write_jobs(tmp_path, mode))
    check_one_failure(tmp_path, proc)
    # the failure's own result file is written as soon as it ends
    own = json.loads((tmp_path / "runs" / "run3" / "fanout_result.json").read_text())
    assert own["status"] == "failed"


def test_fanout_resume_runs_only_what_failed(tmp_path, plugin_built):
    jobs = write_jobs(tmp_path, "library")
    check_one_failure(tmp_path, fanout(jobs))
    first_logs = {k: (tmp_path / "runs" / f"run{k}" / "log.lammps").stat().st_mtime_ns for k in range(6)}
    jobs.write_text(jobs.read_text().replace("steps: -1", "steps: 100"))  # fix the bad job
    proc = fanout(jobs, 2, "--resume")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "fanout: 6 ok, 0 failed of 6 jobs" in proc.stdout
    again = {k: (tmp_path / "runs" / f"run{k}" / "log.lammps").stat().st_mtime_ns for k in range(6)}
    assert [k for k in range(6) if again[k] != first_logs[k]] == [3]


def test_fanout_two_ranks_per_job(tmp_path, plugin_built):
    jobs = write_jobs(tmp_path, "library", ranks_per_job=2, n_jobs=2, bad=-1)
    proc = fanout(jobs)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for k in range(2):
        log = (tmp_path / "runs" / f"run{k}" / "log.lammps").read_text()
        assert "Loop time of" in log and "on 2 procs for 100 steps with 500 atoms" in log


def test_bad_job_file_is_one_line(tmp_path):
    path = tmp_path / "jobs.yaml"
    path.write_text("ranks_per_jobs: 2\njobs: []\n")
    proc = subprocess.run([venv_bin("ptmlp"), "fanout", str(path)], capture_output=True, text=True,
                          env=lammps_environment())
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"ptmlp fanout: error: {path}: ranks_per_jobs: unknown key (did you mean 'ranks_per_job'?)"]


@pytest.mark.parametrize("text, expected", [
    ("ranks_per_job: two\njobs: []\n", "ranks_per_job = 'two' (a string): expected an integer"),
    ("ranks_per_job: 1.0\njobs: []\n", "ranks_per_job = 1.0 (a number): expected an integer"),
    ("ranks_per_job: 0\njobs: []\n", "ranks_per_job = 0 (an integer): expected >= 1"),
    ("mode: threads\njobs: []\n", "mode = 'threads' (a string): expected one of 'library', 'subprocess'"),
    ("ranks_per_job: 1\n", "jobs: required key missing (the runs)"),
    ("jobs: [{name: a, input: missing.in}]\n", "jobs[0].input = 'missing.in' (a string): no such file"),
    ("jobs: [{name: a, input: lj.in, variables: {T: '1 2'}}]\n", "jobs[0].variables: T='1 2': a value must be a "
                                                                  "number or a word without spaces"),
    ("defaults: {inptu: lj.in}\njobs: []\n", "defaults.inptu: unknown key (did you mean 'input'?)"),
    ("jobs: [{name: a, input: lj.in}, {name: a, input: lj.in}]\n", "jobs[1]: name 'a' used twice"),
])
def test_bad_job_files_are_one_line(tmp_path, text, expected):
    (tmp_path / "lj.in").write_text(LJ_INPUT)
    path = tmp_path / "jobs.yaml"
    path.write_text(text)
    proc = subprocess.run([venv_bin("ptmlp"), "fanout", str(path)], capture_output=True, text=True,
                          env=lammps_environment())
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"ptmlp fanout: error: {path}: {expected}"), lines


def test_shipped_example_runs(tmp_path, plugin_built):
    """inputs/fanout/lj_fanout.yaml as shipped: 8 runs on 2 ranks, all ok."""
    shutil.copytree(inputs_dir() / "fanout", tmp_path / "fanout")
    proc = fanout(tmp_path / "fanout" / "lj_fanout.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = json.loads((tmp_path / "fanout" / "lj_fanout.fanout.json").read_text())
    assert (summary["n_ok"], summary["n_failed"], summary["mpi_ranks"]) == (8, 0, 2)
    thermo = read_thermo(tmp_path / "fanout" / "runs" / "T3.0-s2" / "log.lammps")
    assert thermo["Step"][-1] == 1000


def test_example_output_is_a_valid_job_file(tmp_path):
    proc = subprocess.run([venv_bin("ptmlp"), "fanout", "--example"], capture_output=True, text=True)
    assert proc.returncode == 0 and "ranks_per_job: 1" in proc.stdout
    (tmp_path / "jobs.yaml").write_text(proc.stdout)
    (tmp_path / "in.lmp").write_text(LJ_INPUT)
    plan = load_fanout_file(tmp_path / "jobs.yaml")
    assert [(j.name, j.workdir) for j in plan.jobs] == [("T2000", str(tmp_path / "T2000"))]
    assert plan.summary == str(tmp_path / "jobs.fanout.json")
