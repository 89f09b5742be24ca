"""bench/gpu/run.sh (#22) in its CPU_ONLY dry run: the whole script's logic (stages, lmp runs with
the plugin loaded by path, device-vs-CPU comparison, timed segments, profile parsing, strict JSON and
markdown) with the CPU plugin, the device path on the CPU (PTMLP_STAGED=1) and one 16-atom size, so
that the script a GPU machine will run has run before it gets there."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ptmlp.jsonfile import read_json

RUN_SH = Path(__file__).resolve().parents[2] / "bench" / "gpu" / "run.sh"


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory, plugin_built):
    tmp = tmp_path_factory.mktemp("gpu_bench")
    env = {k: v for k, v in os.environ.items() if k not in ("LAMMPS_SITE", "MPI_PREFIX", "PYTHON")}
    env |= {"CPU_ONLY": "1", "OUT": str(tmp / "out"), "WORK": str(tmp / "work")}
    # an empty kit folder: LAMMPS and MPI come from this venv, as on a CPU machine without the kit
    (tmp / "no_kit").mkdir()
    proc = subprocess.run(["bash", str(RUN_SH), "--kit", str(tmp / "no_kit"), "--consistency-cells", "2", "2", "2"],
                          capture_output=True, text=True, env=env, timeout=300)
    return proc, tmp / "out"


def test_dry_run_passes_every_stage(dry_run):
    proc, out = dry_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    res = read_json(out / "gpu_bench.json")  # strict JSON
    assert res["mode"] == "cpu_only_dry_run"
    assert {k: v["status"] for k, v in res["stages"].items()} == dict.fromkeys(
        ["probe", "kit", "build", "models", "consistency", "timing"], "ok")
    assert res["stages"]["kit"]["source"] == "this venv"
    assert (out / "gpu_bench.md").read_text().count("| 16 |") == 1
    assert (out / "logs.tar.gz").stat().st_size > 0


def test_dry_run_consistency_numbers(dry_run):
    cons = read_json(dry_run[1] / "gpu_bench.json")["stages"]["consistency"]
    assert cons["atoms"] == 16 and cons["all_pass"]
    for run in ("device_float64", "device_float64_2ranks"):  # the float64 tolerances
        assert cons[run]["energy_diff_eV_per_atom"] < 1e-8
        assert cons[run]["max_force_diff_eV_per_A"] < 1e-6
    f32 = cons["device_float32"]
    assert 1e-9 < f32["max_force_diff_eV_per_A"] < 100 * 1.2e-7 * f32["max_force_eV_per_A"]


def test_dry_run_timing_and_profile(dry_run):
    row = read_json(dry_run[1] / "gpu_bench.json")["stages"]["timing"]["sizes"]["16"]
    for key in ("ptmlp_float64", "ptmlp_float32", "eam_fs_cpu"):
        assert row[key]["katom_steps_per_s"] > 0 and row[key]["steps"] > 0
        assert len(row[key]["segments_katom_steps_per_s"]) == 2
        assert row[key]["lammps_breakdown_percent"]["pair"] > 0
    assert row["eam_fs_cpu"]["mpi_ranks"] == 2
    for key in ("ptmlp_float64", "ptmlp_float32"):
        prof = row[key]["profile"]
        assert prof["phases"]["device model (fwd+bwd)"]["calls"] > 0
        # one copy in and one out per evaluation (the counters of the transfer test)
        c = prof["counts"]
        assert c["host->device copies"] == c["device->host copies"] == c["device evaluations"] > 0
