"""Restart temperatures of NPH runs that lost their interface or are still drifting."""

from __future__ import annotations

from ptmlp.melting.nph import next_start


def failed(start, end, above, **extra):
    return {"start_T_K": start, "end_T_K": end, "above_T_m": above, "valid": False, "bound_T_K": end, **extra}


def test_one_sided_failures_start_beyond_the_end_temperature():
    # melted completely from 2700 K, cooling to 2500 K: T_m <= 2500 K; start half the change lower
    melted = failed(2700.0, 2500.0, True)
    assert next_start([melted], melted) == 2400.0
    froze = failed(2500.0, 2700.0, False)  # froze, heating to 2700 K: T_m >= 2700 K
    assert next_start([froze], froze) == 2800.0
    # at least a 1% step beyond the end, in the right direction
    small = failed(2700.0, 2699.0, True)
    assert next_start([small], small) == 2672.0


def test_bounds_from_both_sides_bisect_between_end_temperatures():
    # froze from 2500 ending at 2560 (T_m >= 2560); melted from 2700 ending at 2620 (T_m <= 2620)
    attempts = [failed(2500.0, 2560.0, False), failed(2700.0, 2620.0, True)]
    assert next_start(attempts, attempts[-1]) == 2590.0


def test_inconsistent_bounds_fall_back_to_the_one_sided_rule():
    # noisy end temperatures of a small cell can cross: no bisection then
    attempts = [failed(2500.0, 2630.0, False), failed(2700.0, 2610.0, True)]
    assert next_start(attempts, attempts[-1]) == 2565.0


def test_drifting_run_restarts_where_it_ended_and_bounds_with_its_end():
    drifting = failed(89.0, 85.4, True, drifting=True)
    assert next_start([drifting], drifting) == 85.4
    froze = failed(80.0, 84.0, False)
    assert next_start([drifting, froze], froze) == 84.7  # between 84.0 (below) and 85.4 (above)


def test_reference_that_changed_phase_moves_the_start_by_its_factor():
    ref = {"start_T_K": 3000.0, "end_T_K": 2610.0, "above_T_m": True, "valid": False,
           "reference_changed_phase": True}
    assert next_start([ref], ref) == 2610.0


def test_start_offset_of_the_coexistence_stage_is_taken_out():
    # LJ at P = 0 (measured): started at 85 K, the window began at 92.8 K and drifted down to 86.9 K;
    # restarting at 86.9 K would begin the window near 94.7 K again. Aim the window's start at 86.9 K.
    drifting = failed(85.0, 86.9, True, drifting=True, T_first_K=92.8)
    assert next_start([drifting], drifting) == 79.1
    # melted completely: the half change is measured from the window's first temperature
    melted = failed(85.0, 88.0, True, T_first_K=94.0)
    assert next_start([melted], melted) == 76.0  # aim 88 - 3 = 85, minus the 9 K offset
    # the offset is the mean over the runs seen; bounds on both sides: aim between them
    froze = failed(70.0, 80.0, False, T_first_K=74.0)
    assert next_start([melted, froze], froze) == 77.5  # aim 84.0, minus (9 + 4) / 2
