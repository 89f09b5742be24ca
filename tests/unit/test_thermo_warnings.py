"""The thermo reader keeps the rows after a WARNING printed mid-run (issue #19: pair ptmlp's
training-range warning cut a 200-step run's thermo at the step it was printed)."""

from __future__ import annotations

from ptmlp.thermo import read_thermo, read_thermo_blocks

LOG = """LAMMPS (22 Jul 2025 - Update 4)
   Step          Temp          PotEng
         0   4000          -450.5
         1   3983.9        -450.3
WARNING: pair_style ptmlp/tel: at step 2 the configuration is outside the training data of model m.pt (pair_ptmlp.cpp:538)
         2   3946.8        -449.7
         3   3900.1        -449.1
Loop time of 1.06 on 1 procs for 3 steps with 108 atoms
   Step          Temp          PotEng
         3   3900.1        -449.1
         4   3850.0        -448.9
"""


def test_rows_after_a_warning_stay_in_their_block(tmp_path):
    (tmp_path / "log.lammps").write_text(LOG)
    blocks = read_thermo_blocks(tmp_path / "log.lammps")
    assert [list(b["Step"]) for b in blocks] == [[0, 1, 2, 3], [3, 4]]
    assert list(read_thermo(tmp_path / "log.lammps")["PotEng"]) == [-449.1, -448.9]
