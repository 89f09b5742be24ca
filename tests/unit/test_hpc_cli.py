"""`ptmlp slurm` command line: render writes the script, --list documents the keys, user
mistakes are one line with exit status 2."""

from __future__ import annotations

import subprocess

from ptmlp.lammps_env import venv_bin


def ptmlp(*args, cwd=None):
    return subprocess.run([venv_bin("ptmlp"), *args], capture_output=True, text=True, cwd=cwd)


def test_render_writes_script(tmp_path):
    (tmp_path / "job.yaml").write_text("template: lammps_mpi\nname: melt\ninput: melt.in\nntasks: 8\n")
    proc = ptmlp("slurm", "render", str(tmp_path / "job.yaml"), "--out-dir", str(tmp_path / "scripts"))
    assert proc.returncode == 0, proc.stderr
    script = tmp_path / "scripts" / "melt.sbatch"
    assert proc.stdout.strip() == f"melt: {script}"
    assert "#SBATCH --ntasks=8" in script.read_text()


def test_list_templates_and_keys():
    proc = ptmlp("slurm", "render", "--list")
    assert proc.returncode == 0
    names = [line.split()[0] for line in proc.stdout.splitlines()]
    assert names == ["lammps_mpi", "lammps_multinode", "lammps_gpu", "lammps_array", "command"]
    proc = ptmlp("slurm", "render", "--list", "lammps_gpu")
    assert "gpus_per_node" in proc.stdout and "stop_before_limit_s" in proc.stdout


def test_user_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("template: lammps_mpi\nname: x\ninput: in.lmp\nnodes: 2\nntasks: 1\n")
    proc = ptmlp("slurm", "render", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"ptmlp slurm: error: {bad}: ntasks=1 is fewer than nodes=2: every node needs a rank"]
    proc = ptmlp("slurm", "status", str(tmp_path / "none.state.json"))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "no such file" in proc.stderr
