"""Restarts without SLURM: a LAMMPS run killed mid-way resumes from its newest readable restart
file and reaches the same final step; a run stopped by `timer timeout` says it is incomplete
(exit 3) and resumes too. Uses slurm/examples/resumable_md.in (bcc Fe, Mendelev 2003 EAM)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from ptmlp.hpc.restart import latest_restart, restart_step, run_resumable
from ptmlp.potential import potentials_dir
from ptmlp.lammps_env import lammps_binary, lammps_environment
from ptmlp.thermo import read_thermo

EXAMPLE = Path(__file__).resolve().parents[2] / "slurm" / "examples" / "resumable_md.in"


def thermo_rows(log: Path) -> dict[int, dict[str, float]]:
    """Every thermo row of a log (all runs), keyed by step."""
    rows, header = {}, None
    for line in log.read_text().splitlines():
        parts = line.split()
        if parts[:1] == ["Step"]:
            header = parts
            continue
        if header and len(parts) == len(header):
            try:
                values = [float(p) for p in parts]
            except ValueError:
                header = None
                continue
            rows[int(values[0])] = dict(zip(header, values))
    return rows


def start_lmp(workdir: Path, variables: dict) -> subprocess.Popen:
    cmd = [lammps_binary(), "-in", str(EXAMPLE), "-log", "log.lammps", "-nocite"]
    for k, v in variables.items():
        cmd += ["-var", k, str(v)]
    return subprocess.Popen(cmd, cwd=workdir, env=lammps_environment(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def test_killed_run_resumes_to_same_final_step(tmp_path):
    steps = 6000
    variables = {"potentials": potentials_dir(), "n": 5, "steps": steps, "restart_every": 500}
    proc = start_lmp(tmp_path, variables)
    log = tmp_path / "log.lammps"
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < 120:  # kill once two restart files exist (step >= 1000)
            rows = thermo_rows(log) if log.exists() else {}
            if rows and max(rows) >= 1200:
                break
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    killed_rows = thermo_rows(log)
    killed_at = max(killed_rows)
    assert killed_at < steps
    shutil.copy(log, tmp_path / "log.killed")

    result = run_resumable(EXAMPLE, tmp_path, steps, nprocs=2, variables=variables)  # 2 ranks: restarts are portable
    assert result.complete and result.final_step == steps
    assert 1000 <= result.start_step <= killed_at and result.start_step % 500 == 0
    resumed = thermo_rows(tmp_path / "log.lammps")
    assert min(resumed) == result.start_step and max(resumed) == steps
    # the state read back is the state written: same energies and thermostat energy at the restart step
    before, after = killed_rows[result.start_step], resumed[result.start_step]
    for key in ("PotEng", "KinEng", "f_nvt"):
        assert after[key] == pytest.approx(before[key], abs=1e-6), key  # eV, 250 atoms
    assert (tmp_path / "final.data").exists()


def test_truncated_restart_file_is_skipped(tmp_path):
    run = run_resumable(EXAMPLE, tmp_path, 1000, variables={"potentials": potentials_dir(), "n": 3,
                                                            "restart_every": 500})
    assert run.complete and run.start_step == 0
    good = latest_restart("restart.*", tmp_path)
    assert good is not None and good.step == 1000
    data = good.path.read_bytes()
    (tmp_path / "restart.z").write_bytes(data[: len(data) // 2])  # newest file, cut short by a "kill"
    assert restart_step(tmp_path / "restart.z") is None
    assert latest_restart("restart.*", tmp_path) == good


def test_timer_timeout_stops_cleanly_then_resumes(tmp_path):
    variables = {"potentials": potentials_dir(), "n": 6, "restart_every": 100000, "timeout": 1}
    first = run_resumable(EXAMPLE, tmp_path, 20000, variables=variables)
    assert not first.complete and 0 < first.final_step < 20000
    stop = latest_restart("restart.*", tmp_path)
    assert stop.path.name == "restart.stop" and stop.step == first.final_step
    variables["timeout"] = "off"
    second = run_resumable(EXAMPLE, tmp_path, first.final_step + 500, variables=variables)
    assert second.complete and second.start_step == first.final_step
    temps = read_thermo(tmp_path / "log.lammps")["Temp"]
    assert np.all((temps > 500) & (temps < 3000))  # K: the 1500 K NVT run goes on, no restart from 0 K
