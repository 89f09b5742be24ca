"""sbatch templates: every placeholder is documented in the template's header, every template
renders to a script bash accepts, optional lines vanish, and values land where SLURM reads them."""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from ptmlp.errors import InputError
from ptmlp.hpc.jobspec import TEMPLATES, load_job_file
from ptmlp.hpc.templates import documented_parameters, placeholders, render_job, render_text, template_path

SAMPLES = {
    "lammps_mpi": "input: in.lmp\nntasks: 4\nvariables: {T: 3000, steps: 100}\n",
    "lammps_multinode": "input: in.lmp\nnodes: 2\nntasks: 8\nntasks_per_node: 4\nexclusive: true\n",
    "lammps_gpu": "input: in.lmp\nnodes: 2\ngpus_per_node: 4\nntasks: 8\n",
    "lammps_array": "input: in.lmp\nvariables: {seed: 1, steps: 10}\ntasks: [{T: 1000}, {T: 2000, seed: 3}]\n"
                    "array_max_concurrent: 1\n",
    "command": "command: |\n  echo one\n  echo two\narray_size: 3\n",
}


def job_file(tmp_path, template, extra=""):
    path = tmp_path / f"{template}.yaml"
    path.write_text(f"template: {template}\nname: j-{template}\n" + SAMPLES[template] + extra)
    return load_job_file(path).jobs[0]


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_placeholder_documented(template):
    text = template_path(template).read_text()
    missing = placeholders(text) - documented_parameters(text)
    assert not missing, f"{template}: placeholders without a doc line in the header: {sorted(missing)}"


@pytest.mark.parametrize("template", TEMPLATES)
def test_renders_to_valid_bash(tmp_path, template):
    rendered = render_job(job_file(tmp_path, template))
    text = rendered.script.read_text()
    assert "{{" not in text and "}}" not in text
    proc = subprocess.run(["bash", "-n", str(rendered.script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert f"#SBATCH --job-name=j-{template}" in text
    assert f"#SBATCH --chdir={tmp_path.resolve()}" in text
    # options not given leave no line behind
    assert "--partition" not in text and "--account" not in text and "--mem" not in text


def test_values_land_in_sbatch_lines(tmp_path):
    job = job_file(tmp_path, "lammps_mpi", "partition: big\naccount: geo\ntime_limit: '1-00:30:00'\n"
                   "mem_per_cpu_MB: 2000\nmodules: [gcc/12, cuda]\nsetup: ['export A=1']\n"
                   "sbatch_options: [--mail-type=END]\nlauncher: mpirun\nvenv: /opt/venv\n")
    text = render_job(job).script.read_text()
    for line in ("#SBATCH --partition=big", "#SBATCH --account=geo", "#SBATCH --time=1-00:30:00",
                 "#SBATCH --mem-per-cpu=2000M", "#SBATCH --ntasks=4", "#SBATCH --mail-type=END",
                 "module load gcc/12 cuda", "source /opt/venv/bin/activate", "export A=1",
                 'mpirun -np "$SLURM_NTASKS" lmp "${lmp_args[@]}"', "-var T 3000 -var steps 100"):
        assert line in text, line
    assert "restart_file" not in text and "-var timeout" not in text  # resume off


def test_resume_and_timeout_lines(tmp_path):
    job = job_file(tmp_path, "lammps_mpi", "time_limit: '02:00:00'\nresume_from: 'restart.*'\n"
                   "stop_before_limit_s: 600\n")
    text = render_job(job).script.read_text()
    assert "python -m ptmlp.hpc.restart latest --pattern 'restart.*'" in text
    assert "lmp_args+=(-var timeout 6600)" in text


def test_multinode_and_gpu_specifics(tmp_path):
    multi = render_job(job_file(tmp_path, "lammps_multinode")).script.read_text()
    assert "#SBATCH --ntasks-per-node=4" in multi and "#SBATCH --exclusive" in multi
    assert 'srun --kill-on-bad-exit=1 lmp "${lmp_args[@]}"' in multi
    gpu = render_job(job_file(tmp_path, "lammps_gpu")).script.read_text()
    assert "#SBATCH --gpus-per-node=4" in gpu and "#SBATCH --nodes=2" in gpu


def test_array_tasks_file(tmp_path):
    rendered = render_job(job_file(tmp_path, "lammps_array"))
    text = rendered.script.read_text()
    assert "#SBATCH --array=0-1%1" in text and "#SBATCH --output=j-lammps_array-%A_%a.out" in text
    assert f"-in {tmp_path.resolve() / 'in.lmp'}" in text  # absolute: elements run in their own folder
    assert rendered.tasks_file.read_text().splitlines() == [
        "j-lammps_array/task_0 -var seed 1 -var steps 10 -var T 1000",
        "j-lammps_array/task_1 -var seed 3 -var steps 10 -var T 2000"]  # the task's seed wins


def test_command_array(tmp_path):
    text = render_job(job_file(tmp_path, "command")).script.read_text()
    assert "#SBATCH --array=0-2" in text and "echo one\necho two\n" in text
    assert "--gpus-per-node" not in text
    gpu = render_job(job_file(tmp_path, "command", "gpus_per_node: 2\n")).script.read_text()
    assert "#SBATCH --gpus-per-node=2" in gpu  # e.g. a training stage


def test_render_rules():
    assert render_text("a={{a}}\nb={{b}}\nc\n", {"a": "1", "b": None}) == "a=1\nc\n"
    with pytest.raises(InputError, match="placeholder .*zz.* has no value"):
        render_text("{{zz}}\n", {})


def test_unsafe_workdir_refused(tmp_path):
    path = tmp_path / "job.yaml"
    path.write_text(textwrap.dedent("""
        template: lammps_mpi
        name: x
        input: in.lmp
        workdir: "my runs"
    """))
    with pytest.raises(InputError, match="holds spaces"):
        render_job(load_job_file(path).jobs[0])
