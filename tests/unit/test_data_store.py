"""HDF5 datasets: round trip, de-duplication, and crash safety (writer killed mid-append)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from ase.build import bulk

from ptmlp.data.frame import Frame
from ptmlp.data.store import Dataset, DatasetError
from ptmlp.errors import InputError


def make_frame(k: int, n_rep: int = 2) -> Frame:
    atoms = bulk("Fe", "bcc", a=2.8).repeat(n_rep)
    atoms.rattle(0.05, seed=k)
    n = len(atoms)
    return Frame(atoms, energy_eV=-float(k), forces_eV_per_A=np.full((n, 3), float(k)),
                 virial_eV=np.eye(3) * k if k % 2 else None, group=f"traj{k % 3}", te_K=500.0 + k,
                 provenance={"labeler": "test", "k": k})


def test_round_trip_and_dedup(tmp_path):
    ds = Dataset.create(tmp_path / "d.h5")
    frames = [make_frame(k) for k in range(6)]
    assert ds.append(frames) == 6
    assert ds.append(frames[:3]) == 0  # same structures: skipped
    back = ds.read()
    assert len(back) == 6
    for a, b in zip(frames, back):
        assert np.array_equal(a.atoms.positions, b.atoms.positions)
        assert np.array_equal(a.atoms.numbers, b.atoms.numbers)
        assert a.energy_eV == b.energy_eV and a.group == b.group and a.te_K == b.te_K
        assert np.array_equal(a.forces_eV_per_A, b.forces_eV_per_A)
        assert (a.virial_eV is None) == (b.virial_eV is None)
        assert b.provenance == a.provenance


def test_bad_input(tmp_path):
    ds = Dataset.create(tmp_path / "d.h5")
    bad = make_frame(1)
    bad.forces_eV_per_A = np.zeros((3, 3))
    with pytest.raises(InputError, match=r"forces have shape \(3, 3\), expected \(8, 3\)"):
        ds.append([bad])
    with pytest.raises(DatasetError, match="no such file"):
        Dataset(tmp_path / "none.h5")
    (tmp_path / "x.h5").write_text("x")
    with pytest.raises(DatasetError, match="cannot be opened as HDF5"):
        Dataset(tmp_path / "x.h5")


WRITER = textwrap.dedent("""
    import sys, numpy as np
    sys.path.insert(0, {tests!r})
    from test_data_store import make_frame
    from ptmlp.data.store import Dataset
    ds = Dataset({path!r})
    k = len(ds)
    while True:  # batches of 7 large frames, forever, until killed
        ds.append([make_frame(k + j, n_rep=6) for j in range(7)])
        k += 7
        print(k, flush=True)
""")


@pytest.mark.parametrize("delay_s", [0.7, 1.3, 2.1])
def test_writer_killed_mid_append_keeps_committed_frames(tmp_path, delay_s):
    """SIGKILL a writer at an arbitrary moment; every frame it reported committed is intact,
    nothing half-written is visible, and the next append works."""
    path = tmp_path / "d.h5"
    Dataset.create(path).append([make_frame(k, n_rep=6) for k in range(3)])
    script = WRITER.format(tests=str(__import__("pathlib").Path(__file__).parent), path=str(path))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    time.sleep(delay_s)
    proc.kill()
    out, _ = proc.communicate()
    reported = int(out.split()[-1]) if out.split() else 3
    ds = Dataset(path)
    n = len(ds)
    assert n >= reported and (n - 3) % 7 == 0  # only whole batches are visible
    frames = ds.read()
    for k, fr in enumerate(frames):  # contents match what was written for that index
        assert fr.energy_eV == -float(k) and np.all(fr.forces_eV_per_A == float(k))
    added = ds.append([make_frame(10_000, n_rep=6)])  # reopens in SWMR-write mode (or recovers)
    assert added == 1 and len(ds) == n + 1
    print(f"killed after {delay_s} s: {n} frames committed ({reported} reported), append after crash works")
