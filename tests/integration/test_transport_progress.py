"""Progress a user can follow through ``ptmlp transport run`` (issue #20), with the real lmp: a start
and an end line per run (running count, duration, the measured temperature against the target,
ETA) and progress lines within the run read from its growing log; the run summary carries the
measured temperature of each run."""

from __future__ import annotations

import re
import subprocess
import sys

import yaml

from ptmlp.jsonfile import read_json
from ptmlp.resources import inputs_dir


def test_transport_run_prints_start_end_and_progress(tmp_path):
    cfg = yaml.safe_load((inputs_dir() / "transport" / "lj_argon_gk_viscosity.yaml").read_text())
    cfg["variables"].update(melt_steps=200, equil_steps=1000, run_steps=40000)  # a few seconds per run
    cfg["n_runs"] = 2
    (tmp_path / "lj.yaml").write_text(yaml.safe_dump(cfg))
    p = subprocess.run([sys.executable, "-m", "ptmlp.cli.main", "transport", "run", "lj.yaml"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=600)
    print(p.stdout)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].startswith("ptmlp transport run: 2 run(s) of gk_viscosity in ")
    assert lines[1] == "  [run 1/2 start] run_000: gk_viscosity, seed 1, 108 atoms, 41,200 steps; ETA after the first 10 %"
    end = [ln for ln in lines if " done] run_" in ln]
    assert len(end) == 2
    assert re.match(r"  \[run 1/2 done\] run_000: [\d.]+ (s|min), done, T = [\d.]+ \+- [\d.]+ K "
                    r"\(target 86.4956 K\); ETA [\d.]+ (s|min)$", end[0]), end[0]
    assert re.search(r"^  \[run 2/2 start\] run_001: .*; ETA [\d.]+ (s|min)$", p.stdout, re.MULTILINE)
    progress = [ln for ln in lines if re.match(r"    run_00[01]: \d+ % after [\d.]+ (s|min); T = [\d.]+ K; ETA", ln)]
    assert progress, "no progress line within the runs"
    s = read_json(tmp_path / "lj_argon_gk" / "summary.json")
    assert [r["temperature_target_K"] for r in s["runs"]] == [86.4956, 86.4956]
    assert all(abs(r["temperature_K"] - 86.5) < 10 and r["temperature_err_K"] > 0 for r in s["runs"])
    assert s["temperature_error_model"]["n_runs"] == 2 and len(s["temperature_error_model"]["tau_int_ps"]) == 2
