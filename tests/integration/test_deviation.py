"""Ensemble deviation written by pair_style ptmlp (1 and 2 MPI ranks) equals the deviation
recomputed in Python (ASE calculators on the same model files) on the dumped frames."""

from __future__ import annotations

import numpy as np
import pytest

from ptmlp.al.deviation import EnsembleEvaluator, read_deviation_file
from ptmlp.lammps_data import read_dump_frames, write_lammps_data

from conftest import TYPE_NAMES, make_model, oxide_slab, run_lmp

INPUT = """
units metal
atom_style atomic
read_data data.lmp
pair_style ptmlp {models} deviation 5 devi.out {relative}
pair_coeff * * Mg Si O
velocity all create 2000 77 mom yes rot yes
fix nve all nve
timestep 0.0005
dump d all custom 5 traj.dump id type x y z
dump_modify d sort id format float %.17g
run 20
"""


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    d = tmp_path_factory.mktemp("ens")
    return [make_model(d / f"m{k}.pt", seed=k) for k in range(3)]


@pytest.mark.parametrize("nprocs", [1, 2])
@pytest.mark.parametrize("relative", [None, 1.0])
def test_deviation_file_matches_python(tmp_path, ensemble, nprocs, relative, plugin_built):
    atoms = oxide_slab(seed=6, vacuum_A=0.0, isolated=False, repeat=(2, 2, 2))
    write_lammps_data(tmp_path / "data.lmp", atoms, TYPE_NAMES)
    rel = f"relative {relative}" if relative else ""
    run_lmp(tmp_path, INPUT.format(models=" ".join(map(str, ensemble)), relative=rel), nprocs=nprocs)
    rows = read_deviation_file(tmp_path / "devi.out")
    frames = read_dump_frames(tmp_path / "traj.dump", TYPE_NAMES)
    assert [int(r["step"]) for r in rows] == [s for s, _ in frames] == [0, 5, 10, 15, 20]
    ens = EnsembleEvaluator(ensemble)
    worst = 0.0
    for row, (_, a) in zip(rows, frames):
        ref = ens.deviation(a, relative_level=relative)
        for key in ("max_devi_f", "min_devi_f", "avg_devi_f", "devi_e", "max_devi_v", "min_devi_v", "avg_devi_v"):
            assert row[key] == pytest.approx(ref[key], rel=1e-8, abs=1e-12), key  # file has 11 significant digits
            worst = max(worst, abs(row[key] - ref[key]))
    assert rows["max_devi_f"].max() > 0.01  # members really differ
    print(f"{nprocs} rank(s), relative={relative}: max |file - python| = {worst:.2e}")
