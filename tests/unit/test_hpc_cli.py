"""`ptmlp slurm` command line: render writes the script, --example documents the keys, user
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


def test_example_of_every_template_renders(tmp_path):
    proc = ptmlp("slurm", "render", "--example")
    assert proc.returncode == 0
    assert "template: lammps_mpi" in proc.stdout
    assert "others: lammps_multinode, lammps_gpu, lammps_array, command" in proc.stdout.splitlines()[0]
    for template in ("lammps_mpi", "lammps_multinode", "lammps_gpu", "lammps_array", "command"):
        for action in ("render", "submit"):
            proc = ptmlp("slurm", action, "--example", template)
            assert proc.returncode == 0 and f"template: {template}" in proc.stdout
        (tmp_path / f"{template}.yaml").write_text(proc.stdout)
        proc = ptmlp("slurm", "render", f"{template}.yaml", "--out-dir", template, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(f"run1: {tmp_path / template / 'run1.sbatch'}")
    assert "#SBATCH --gpus-per-node=4" in (tmp_path / "lammps_gpu" / "run1.sbatch").read_text()
    assert "#SBATCH --ntasks-per-node=32" in (tmp_path / "lammps_multinode" / "run1.sbatch").read_text()
    proc = ptmlp("slurm", "render", "--example", "lammps_cpu")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "templates are lammps_mpi" in proc.stderr


def test_user_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("template: lammps_mpi\nname: x\ninput: in.lmp\nnodes: 2\nntasks: 1\n")
    proc = ptmlp("slurm", "render", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"ptmlp slurm: error: {bad}: ntasks=1 is fewer than nodes=2: every node needs a rank"]
    for text, expected in (("template: lammps_mpi\nname: x\ninput: in.lmp\nntasks: 1.5\n",
                            "ntasks = 1.5 (a number): expected an integer"),
                           ("template: lammps_mpi\nname: x\ninput: in.lmp\nntask: 2\n",
                            "ntask: unknown key (did you mean 'ntasks'?)"),
                           ("template: lammps_mpi\nname: x\ninput: in.lmp\nnodes: 0\n",
                            "nodes = 0 (an integer): expected >= 1"),
                           ("template: lammps_mpi\nname: x\n", "input: required key missing (LAMMPS input file, relative to workdir)"),
                           ("template: lammps_mpi\nname: x\ninput: in.lmp\nexclusive: 'yes'\n",
                            "exclusive = 'yes' (a string): expected true or false")):
        bad.write_text(text)
        for action in ("render", "submit"):
            proc = ptmlp("slurm", action, str(bad))
            assert proc.returncode == 2
            assert proc.stderr.strip().splitlines() == [f"ptmlp slurm: error: {bad}: {expected}"]
    proc = ptmlp("slurm", "render", str(tmp_path / "missing.yaml"))
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        f"ptmlp slurm: error: {tmp_path / 'missing.yaml'}: no such config file"]
    proc = ptmlp("slurm", "render")
    assert proc.returncode == 2 and "--example prints a complete one" in proc.stderr
    proc = ptmlp("slurm", "status", str(tmp_path / "none.state.json"))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "no such file" in proc.stderr
