"""Job YAML validation for `ptmlp slurm`: unknown keys, bad values and impossible requests are
refused with one line naming the key; workflows are ordered by their dependencies."""

from __future__ import annotations

import textwrap

import pytest

from ptmlp.errors import InputError
from ptmlp.hpc.jobspec import format_time_limit, load_job_file, parse_time_limit


def write(tmp_path, text, name="job.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


BASE = """
template: lammps_mpi
name: run1
input: in.lmp
"""


def refused(tmp_path, text) -> str:
    with pytest.raises(InputError) as err:
        load_job_file(write(tmp_path, text))
    message = str(err.value)
    assert "\n" not in message
    return message


def test_defaults_filled(tmp_path):
    job = load_job_file(write(tmp_path, BASE)).jobs[0]
    assert job.values["ntasks"] == 1 and job.values["launcher"] == "srun"
    assert job.time_limit_s == 3600 and job.workdir == tmp_path.resolve()


def test_unknown_key_names_the_close_match(tmp_path):
    msg = refused(tmp_path, BASE + "ntask: 4\n")
    assert "unknown key 'ntask'" in msg and "did you mean 'ntasks'" in msg


def test_key_of_another_template_is_unknown(tmp_path):
    msg = refused(tmp_path, BASE + "tasks: [{T: 1}]\n")
    assert "unknown key 'tasks'" in msg


@pytest.mark.parametrize("extra, expected", [
    ("ntasks: 0\n", "ntasks=0: must be at least 1"),
    ("ntasks: two\n", "ntasks='two' must be an integer"),
    ("time_limit: '90'\n", "is not HH:MM:SS or D-HH:MM:SS"),
    ("time_limit: '00:00:30'\n", "at least 00:01:00"),
    ("time_limit: '01:75:00'\n", "below 60"),
    ("launcher: mpiexec\n", "must be one of srun, mpirun"),
    ("variables: {T: '3000 K'}\n", "without spaces"),
    ("variables: {2T: 3}\n", "not a LAMMPS variable name"),
    ("sbatch_options: [-p debug]\n", "not a long sbatch option"),
    ("name: 'my run'\n", "no spaces"),
])
def test_bad_values(tmp_path, extra, expected):
    assert expected in refused(tmp_path, BASE.replace("name: run1\n", "" if "name:" in extra else "name: run1\n")
                               + extra)


def test_key_given_twice(tmp_path):
    assert "key 'ntasks' given twice" in refused(tmp_path, BASE + "ntasks: 2\nntasks: 4\n")


@pytest.mark.parametrize("extra, expected", [
    ("nodes: 4\nntasks: 2\n", "ntasks=2 is fewer than nodes=4"),
    ("nodes: 2\nntasks: 10\nntasks_per_node: 4\n", "do not fit on nodes=2 x ntasks_per_node=4"),
    ("gpus_per_node: 1\n", "use template lammps_gpu"),
    ("mem_per_cpu_MB: 100\nmem_per_node_MB: 1000\n", "not both"),
    ("ntasks: 8\ncluster: {cpus_per_node: 4}\n", "exceed the cluster's cpus_per_node=4"),
    ("ntasks: 4\ncpus_per_task: 2\ncluster: {cpus_per_node: 4}\n", "cpus_per_task=2 per node exceed"),
    ("time_limit: '3-00:00:00'\ncluster: {max_time_limit: '2-00:00:00'}\n", "exceeds the cluster's max_time_limit"),
    ("nodes: 3\nntasks: 3\ncluster: {max_nodes: 2}\n", "max_nodes=2"),
    ("cluster: {cpu_per_node: 4}\n", "unknown key 'cpu_per_node'"),
    ("time_limit: '00:05:00'\nstop_before_limit_s: 300\n", "not below the time limit"),
])
def test_impossible_requests(tmp_path, extra, expected):
    assert expected in refused(tmp_path, BASE + extra)


def test_gpu_template_rules(tmp_path):
    gpu = "template: lammps_gpu\nname: g\ninput: in.lmp\n"
    assert "needs gpus_per_node >= 1" in refused(tmp_path, gpu)
    assert "one rank per GPU: ntasks=2 must be nodes x gpus_per_node = 8" in \
        refused(tmp_path, gpu + "nodes: 2\ngpus_per_node: 4\nntasks: 2\n")
    assert "exceeds the cluster's 2" in refused(tmp_path, gpu + "gpus_per_node: 4\nntasks: 4\n"
                                                 "cluster: {gpus_per_node: 2}\n")
    job = load_job_file(write(tmp_path, gpu + "nodes: 2\ngpus_per_node: 4\nntasks: 8\n")).jobs[0]
    assert job.values["ntasks"] == 8


def test_multinode_needs_ranks_per_node(tmp_path):
    text = "template: lammps_multinode\nname: m\ninput: in.lmp\nnodes: 2\nntasks: 8\n"
    assert "needs ntasks_per_node" in refused(tmp_path, text)


def test_array_tasks(tmp_path):
    text = "template: lammps_array\nname: a\ninput: in.lmp\n"
    assert "required key 'tasks' missing" in refused(tmp_path, text)
    assert "give at least one task" in refused(tmp_path, text + "tasks: []\n")
    assert "task 1 must be a mapping" in refused(tmp_path, text + "tasks: [{T: 1}, 5]\n")
    job = load_job_file(write(tmp_path, text + "tasks: [{T: 1}, {T: 2}, {T: 3}]\n")).jobs[0]
    assert job.array_size == 3


WORKFLOW = """
defaults: {time_limit: "00:10:00", partition: debug}
jobs:
  merge: {template: command, command: "true", after: [label]}
  label: {template: command, command: "true", array_size: 4, after: [explore]}
  explore: {template: lammps_array, input: in.lmp, tasks: [{T: 1}, {T: 2}], after: [train]}
  train: {template: command, command: "true"}
"""


def test_workflow_order_and_defaults(tmp_path):
    jobs = load_job_file(write(tmp_path, WORKFLOW)).jobs
    assert [j.name for j in jobs] == ["train", "explore", "label", "merge"]
    assert all(j.values["partition"] == "debug" and j.values["time_limit"] == "00:10:00" for j in jobs)


@pytest.mark.parametrize("change, expected", [
    (("after: [train]", "after: [trian]"), "after 'trian', which is not a job of this file"),
    (('train: {template: command, command: "true"}', 'train: {template: command, command: "true", after: [merge]}'),
     "dependency cycle"),
    (("partition: debug", "partiton: debug"), "defaults: unknown key 'partiton'"),
    (("defaults:", "default:"), "unknown top-level key 'default'"),
])
def test_workflow_errors(tmp_path, change, expected):
    assert expected in refused(tmp_path, WORKFLOW.replace(*change))


def test_time_limit_round_trip():
    assert parse_time_limit("1-02:03:04") == 93784
    assert format_time_limit(93784) == "1-02:03:04"
    assert format_time_limit(3600) == "01:00:00"
