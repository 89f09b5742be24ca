"""Progress lines of long runs (ptmlp.progress.RunBoard): start when a run starts, 10 % steps, end
with duration and verdict, a running count and an ETA."""

from __future__ import annotations

import time

from ptmlp.progress import Progress, RunBoard, format_duration


def test_start_progress_end_lines_with_count_and_eta():
    lines: list[str] = []
    board = RunBoard(lines.append, parallel=1)
    board.plan("a", 1000.0)
    board.plan("b", 1000.0)
    assert lines == []  # planning (queueing) prints nothing
    board.started("a", 1000.0, "10 atoms, 100 steps")
    assert lines[-1].startswith("  [run 1/2 start] a: 10 atoms, 100 steps; ETA ")
    for f in (0.05, 0.12, 0.15, 0.31):
        time.sleep(0.01)
        board.progress("a", f, "T = 900 K")
    steps = [ln for ln in lines if ln.startswith("    a: ")]
    assert [ln.split(":")[1].split("%")[0].strip() for ln in steps] == ["12", "31"]  # at each 10 % crossed
    assert "T = 900 K" in steps[0] and "ETA" in steps[0] and "ETA ?" not in steps[-1]
    board.finished("a", "accepted: settled")
    assert lines[-1].startswith("  [run 1/2 done] a: ") and "accepted: settled" in lines[-1]
    board.plan("c", 500.0)  # an extension planned later raises n
    board.started("b", 1000.0)
    assert lines[-1].startswith("  [run 2/3 start] b")
    board.unplan("c")
    board.finished("b")
    assert lines[-1].startswith("  [run 2/2 done] b") and lines[-1].endswith("ETA 0 s")


def test_format_duration_and_old_progress_bar_still_work():
    assert format_duration(12.2) == "12 s" and format_duration(200) == "3.3 min"
    assert format_duration(7200) == "2.0 h" and format_duration(float("nan")) == "?"

    import io

    out = io.StringIO()
    bar = Progress(10, "labelling", stream=out)
    for k in range(1, 11):
        bar.update(k)
    lines = out.getvalue().splitlines()
    assert len(lines) == 10 and lines[-1].startswith("labelling: 10/10")
