"""Job YAML validation for `ptmlp slurm`: unknown keys, bad values and impossible requests are
refused with one line naming the key; workflows are ordered by their dependencies; the shipped
example workflow and every template's `--example` are valid job files."""

from __future__ import annotations

import textwrap

import pytest

from ptmlp.errors import InputError
from ptmlp.hpc.jobspec import TEMPLATES, example, format_time_limit, load_job_file, parse_time_limit
from ptmlp.resources import slurm_dir


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
    assert job.ntasks == 1 and job.launcher == "srun"
    assert job.time_limit_s == 3600 and job.workdir == str(tmp_path.resolve())


def test_unknown_key_names_the_close_match(tmp_path):
    msg = refused(tmp_path, BASE + "ntask: 4\n")
    assert msg.endswith("job.yaml: ntask: unknown key (did you mean 'ntasks'?)")


def test_key_of_another_template_is_unknown(tmp_path):
    msg = refused(tmp_path, BASE + "tasks: [{T: 1}]\n")
    assert "tasks: unknown key" in msg


@pytest.mark.parametrize("extra, expected", [
    ("ntasks: 0\n", "ntasks = 0 (an integer): expected >= 1"),
    ("ntasks: two\n", "ntasks = 'two' (a string): expected an integer"),
    ("ntasks: 2.0\n", "ntasks = 2.0 (a number): expected an integer"),
    ("time_limit: '90'\n", "is not HH:MM:SS or D-HH:MM:SS"),
    ("time_limit: '00:00:30'\n", "at least 00:01:00"),
    ("time_limit: '01:75:00'\n", "below 60"),
    ("launcher: mpiexec\n", "launcher = 'mpiexec' (a string): expected one of 'srun', 'mpirun'"),
    ("variables: {T: '3000 K'}\n", "without spaces"),
    ("variables: {2T: 3}\n", "not a LAMMPS variable name"),
    ("sbatch_options: [-p debug]\n", "sbatch_options[0] = '-p debug' (a string): '-p debug' is not a long sbatch option"),
    ("name: 'my run'\n", "name = 'my run' (a string): use letters"),
    ("template: lammps_cpu\n", "template = 'lammps_cpu' (a string): expected one of 'lammps_mpi'"),
])
def test_bad_values(tmp_path, extra, expected):
    key = extra.split(":")[0] + ":"
    assert expected in refused(tmp_path, "".join(line + "\n" for line in BASE.strip().splitlines()
                                                 if not line.startswith(key)) + extra)


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
    ("cluster: {cpu_per_node: 4}\n", "cluster.cpu_per_node: unknown key (did you mean 'cpus_per_node'?)"),
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
    assert job.ntasks == 8


def test_multinode_needs_ranks_per_node(tmp_path):
    text = "template: lammps_multinode\nname: m\ninput: in.lmp\nnodes: 2\nntasks: 8\n"
    assert "needs ntasks_per_node" in refused(tmp_path, text)


def test_array_tasks(tmp_path):
    text = "template: lammps_array\nname: a\ninput: in.lmp\n"
    assert "tasks: required key missing" in refused(tmp_path, text)
    assert "tasks = [] (a list): expected at least 1 item(s)" in refused(tmp_path, text + "tasks: []\n")
    assert "tasks[1] = 5 (an integer): expected a mapping" in refused(tmp_path, text + "tasks: [{T: 1}, 5]\n")
    job = load_job_file(write(tmp_path, text + "tasks: [{T: 1}, {T: 2}, {T: 3}]\n")).jobs[0]
    assert job.array_length == 3


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
    assert all(j.partition == "debug" and j.time_limit == "00:10:00" for j in jobs)
    assert [j.source for j in jobs][0].endswith("job.yaml: job train")


@pytest.mark.parametrize("change, expected", [
    (("after: [train]", "after: [trian]"), "after 'trian', which is not a job of this file"),
    (('train: {template: command, command: "true"}', 'train: {template: command, command: "true", after: [merge]}'),
     "dependency cycle"),
    (("partition: debug", "partiton: debug"), "defaults.partiton: unknown key (did you mean 'partition'?)"),
    (("defaults:", "default:"), "default: unknown key (did you mean 'defaults'?)"),
    (("array_size: 4", "array_size: 4, input: x.in"), "jobs.label.input: unknown key"),
    (("array_size: 4", "array_size: 0"), "jobs.label.array_size = 0 (an integer): expected >= 1"),
    (("template: lammps_array", "template: lammps_arr"), "jobs.explore.template = 'lammps_arr' (a string): "
                                                         "expected one of 'lammps_mpi'"),
    (("{template: command, command: \"true\"}", "{command: \"true\"}"), "jobs.train.template: required key missing"),
])
def test_workflow_errors(tmp_path, change, expected):
    assert expected in refused(tmp_path, WORKFLOW.replace(*change))


def test_workflow_defaults_of_other_templates_are_skipped(tmp_path):
    text = WORKFLOW.replace("partition: debug", "partition: debug, tasks: [{T: 5}], command: 'false'")
    jobs = {j.name: j for j in load_job_file(write(tmp_path, text)).jobs}
    assert jobs["train"].command == "true" and jobs["explore"].tasks == [{"T": 1}, {"T": 2}]


def test_one_job_file_cannot_wait(tmp_path):
    assert "after: names jobs of a workflow file" in refused(tmp_path, BASE + "after: [x]\n")


def test_shipped_workflow_and_examples_are_valid(tmp_path):
    jobs = load_job_file(slurm_dir() / "examples" / "al_iteration.yaml").jobs
    assert [j.name for j in jobs] == ["train", "explore", "label", "merge"]
    for template in TEMPLATES:
        job = load_job_file(write(tmp_path, example(template), f"{template}.yaml")).jobs[0]
        assert job.template == template and job.name == "run1"


def test_time_limit_round_trip():
    assert parse_time_limit("1-02:03:04") == 93784
    assert format_time_limit(93784) == "1-02:03:04"
    assert format_time_limit(3600) == "01:00:00"
