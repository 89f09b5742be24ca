"""Progress a user can follow (issue #20): start/end lines with a running count and an ETA, and
progress within a run every 10 % of its steps read from a growing LAMMPS log (ptmlp.run_progress),
and the step count of each transport template."""

import pytest

from ptmlp.run_progress import LogWatcher, RunCounter, duration, steps_done
from ptmlp.transport.templates import total_steps


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_run_counter_lines_and_eta():
    lines, clock = [], Clock()
    c = RunCounter(3, "ptmlp transport run: ", lines.append, clock=clock)
    c.start("run_000", "msd, seed 1")
    clock.t = 40.0
    c.end("run_000", "done, T = 998 +- 1 K")
    c.start("run_001")
    clock.t = 100.0
    c.end("run_001", "done")
    assert lines[0] == "ptmlp transport run: [1/3] start run_000 (msd, seed 1)"
    assert lines[1] == "ptmlp transport run: [1/3] end run_000 after 40 s: done, T = 998 +- 1 K; 1 done, 2 to go; ETA 1 min 20 s"
    assert lines[2] == "ptmlp transport run: [2/3] start run_001; ETA 1 min 20 s"
    assert lines[3].endswith("[2/3] end run_001 after 1 min 00 s: done; 2 done, 1 to go; ETA 50 s")
    assert duration(7300) == "2 h 01 min" and duration(float("nan")) == "?"


def test_log_watcher_reports_every_tenth_of_the_steps(tmp_path):
    log = tmp_path / "log.lammps"
    lines, clock = [], Clock()
    w = LogWatcher(log, 2000, "run_000", lines.append, clock=clock)
    assert w.poll() is None  # no log yet
    head = "LAMMPS (22 Jul 2025)\nStep Temp PotEng\n"
    log.write_text(head + "0 300 -1\n100 299 -1\n")  # equilibration block: 100 of 2000 steps
    clock.t = 10.0
    assert w.poll() == pytest.approx(0.05) and not lines
    # the equilibration ends at 500; production restarts at step 0 (reset_timestep) and reaches 700
    log.write_text(head + "0 300 -1\n100 299 -1\n500 301 -1\nLoop time of 1\nStep Temp PotEng\n0 300 -1\n700 300 -1\n")
    clock.t = 60.0
    assert steps_done(log) == 1200 and w.poll() == pytest.approx(0.6)
    assert lines == ["  run_000: 60% of 2000 steps, 1 min 00 s elapsed, ETA 40 s"]
    w.poll()
    assert len(lines) == 1  # each mark once


@pytest.mark.parametrize("template, variables, steps", [
    ("msd", {"T_melt": 2000, "melt_steps": 5000, "equil_steps": 5000, "run_steps": 20000}, 30000),
    ("msd", {"melt_steps": 5000, "run_steps": 20000}, 30000),  # T_melt 0 by default: no melt stage
    ("nemd_viscosity", {"steady_steps": 1000, "run_steps": 2000, "equil_steps": 100}, 3100),
])
def test_total_steps_of_templates(template, variables, steps):
    assert total_steps(template, variables) == steps
