"""Active learning: ensemble deviation, exploration over P-T(-T_e) grids, selection, the loop."""
