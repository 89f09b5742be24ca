"""Progress within a LAMMPS run (issue #20): the steps done read from a growing log (every thermo
block, the production restarting at step 0), reported to a RunBoard as a fraction with the last
temperature, and the step count of each transport template."""

import pytest

from ptmlp.progress import RunBoard
from ptmlp.run_progress import LogWatcher, steps_done
from ptmlp.transport.templates import total_steps


def test_log_watcher_reports_the_fraction_of_steps(tmp_path):
    log = tmp_path / "log.lammps"
    lines = []
    board = RunBoard(lines.append)
    board.started("run_000", 108 * 2000, "msd")
    w = LogWatcher(board, "run_000", log, 2000)
    assert w.poll() is None  # no log yet
    head = "LAMMPS (22 Jul 2025)\nStep Temp PotEng\n"
    log.write_text(head + "0 300 -1\n100 299 -1\n")  # equilibration block: 100 of 2000 steps
    assert w.poll() == pytest.approx(0.05)
    # the equilibration ends at 500; production restarts at step 0 (reset_timestep) and reaches 700
    log.write_text(head + "0 300 -1\n100 299 -1\n500 301 -1\nLoop time of 1\nStep Temp PotEng\n0 300 -1\n700 302.5 -1\n")
    assert steps_done(log) == (1200, 302.5) and w.poll() == pytest.approx(0.6)
    progress = [ln for ln in lines if " % after " in ln]
    assert len(progress) == 1 and progress[0].startswith("    run_000: 60 % after ") and "T = 302.5 K" in progress[0]
    w.poll()
    assert len([ln for ln in lines if " % after " in ln]) == 1  # each 10 % mark once


@pytest.mark.parametrize("template, variables, steps", [
    ("msd", {"T_melt": 2000, "melt_steps": 5000, "equil_steps": 5000, "run_steps": 20000}, 30000),
    ("msd", {"melt_steps": 5000, "run_steps": 20000}, 30000),  # T_melt 0 by default: no melt stage
    ("nemd_viscosity", {"steady_steps": 1000, "run_steps": 2000, "equil_steps": 100}, 3100),
])
def test_total_steps_of_templates(template, variables, steps):
    assert total_steps(template, variables) == steps
