"""HDF5 datasets: round trip, de-duplication, and crash safety (writer killed mid-append)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import h5py
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
    print("start", flush=True)
    while True:  # batches of 7 large frames, forever, until killed
        ds.append([make_frame(k + j, n_rep=6) for j in range(7)])
        k += 7
        print(k, flush=True)
""")


def kill_writer_mid_append(path: Path, delay_s: float) -> int:
    """Start WRITER on ``path``, SIGKILL it ``delay_s`` after its first append began; return the
    frame count it last reported committed."""
    script = WRITER.format(tests=str(Path(__file__).parent), path=str(path))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "start"
    time.sleep(delay_s)
    proc.kill()  # SIGKILL: no Python cleanup runs
    out, _ = proc.communicate()
    return int(out.split()[-1]) if out.split() else 3


def open_with_hdf5_tools(path: Path) -> None:
    """Plain h5py (no SWMR, no ptmlp) and, where installed, h5ls and h5dump open the file."""
    with h5py.File(path, "r") as f:
        n_frames = int(f["commit"][-1][0])
        assert f["n_atoms"].shape[0] == n_frames  # no uncommitted tail
    for tool in (["h5ls", "-r"], ["h5dump", "-H"]):
        if shutil.which(tool[0]):
            proc = subprocess.run(tool + [str(path)], capture_output=True, text=True)
            assert proc.returncode == 0 and "unable to open" not in proc.stdout + proc.stderr, proc.stderr
        else:
            print(f"{tool[0]} not installed: checked with h5py only")


@pytest.mark.parametrize("delay_s", [0.0, 0.3, 0.9])
def test_writer_killed_mid_append_keeps_committed_frames(tmp_path, delay_s):
    """SIGKILL a writer at an arbitrary moment; every frame it reported committed is intact,
    nothing half-written is visible, every HDF5 tool opens the file as it is, and the next append
    works and removes the killed writer's temporary copy."""
    path = tmp_path / "d.h5"
    Dataset.write(path, [[make_frame(k, n_rep=6) for k in range(3)]])
    reported = kill_writer_mid_append(path, delay_s)
    open_with_hdf5_tools(path)
    ds = Dataset(path)
    n = len(ds)
    assert n >= reported and (n - 3) % 7 == 0  # only whole batches are visible
    frames = ds.read()
    for k, fr in enumerate(frames):  # contents match what was written for that index
        assert fr.energy_eV == -float(k) and np.all(fr.forces_eV_per_A == float(k))
    added = ds.append([make_frame(10_000, n_rep=6)])
    assert added == 1 and len(ds) == n + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.h5", "d.h5.lock"]  # the killed copy is gone
    open_with_hdf5_tools(path)
    print(f"killed {delay_s} s into appending: {n} frames committed ({reported} reported), append after crash works")


HOLD_SWMR = textwrap.dedent("""
    from ptmlp.data.store import open_swmr_writer
    f = open_swmr_writer({path!r})
    print("open", flush=True)
    import time; time.sleep(600)
""")


def test_file_flagged_by_a_killed_swmr_writer_is_read_and_recovered(tmp_path):
    """A dataset that an older ptmlp (SWMR appends) left flagged 'open for write': ptmlp reads
    it, and the next append writes a clean file that plain HDF5 opens again."""
    from ptmlp.data.store import _append_into, _create_layout

    path = tmp_path / "old.h5"
    with h5py.File(path, "w", libver="latest") as f:  # the layout as ptmlp < #19 created it
        _create_layout(f)
        _append_into(f, [[make_frame(k) for k in range(4)]], dedup=True)
    proc = subprocess.Popen([sys.executable, "-c", HOLD_SWMR.format(path=str(path))], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "open"
    proc.kill()
    proc.communicate()
    with pytest.raises(OSError, match="open for write"):
        h5py.File(path, "r")
    assert len(Dataset(path)) == 4
    with pytest.warns(UserWarning, match="recovered 4 committed frames"):
        assert Dataset(path).append([make_frame(7)]) == 1
    open_with_hdf5_tools(path)
    assert [f.energy_eV for f in Dataset(path).read()] == [0.0, -1.0, -2.0, -3.0, -7.0]


def test_failed_writes_leave_nothing(tmp_path):
    """A creation or an append that fails leaves the folder as it was."""
    bad = make_frame(1)
    bad.energy_eV = float("nan")
    with pytest.raises(InputError, match="frame 1: energy nan is not finite"):
        Dataset.write(tmp_path / "new.h5", [[make_frame(0)], [bad]])
    assert list(tmp_path.iterdir()) == []
    path = tmp_path / "d.h5"
    Dataset.write(path, [[make_frame(0)]])
    before = path.read_bytes()
    with pytest.raises(InputError, match="frame 1: energy nan is not finite"):
        Dataset(path).append([make_frame(2), bad])
    assert path.read_bytes() == before
    with pytest.raises(DatasetError, match=r"dataset .*/no/such/folder/d.h5: folder .*/no/such/folder does not exist$"):
        Dataset.write(tmp_path / "no" / "such" / "folder" / "d.h5", [[make_frame(0)]])
    with pytest.raises(InputError, match="already exists"):
        Dataset.create(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.h5"]


def test_write_counts_new_frames_per_batch(tmp_path):
    ds, added = Dataset.write(tmp_path / "d.h5", [[make_frame(0), make_frame(1)], [make_frame(1), make_frame(2)]])
    assert added == [2, 1] and len(ds) == 3
    ds, added = Dataset.write(tmp_path / "d.h5", [[make_frame(2)], [make_frame(3)]])
    assert added == [0, 1] and len(ds) == 4


def test_hash_same_for_extxyz_text_and_binary_positions(tmp_path):
    """A structure read back from extxyz (8 decimals) is the same structure: 300 rattled 54-atom
    cells (48600 coordinates) all hash alike before and after the text round trip."""
    from ase.io import read, write

    from ptmlp.data.structure_hash import structure_hash

    images = []
    for k in range(300):
        a = bulk("Mo", "bcc", a=3.1676, cubic=True).repeat(3)
        a.rattle(0.1, seed=k)
        images.append(a)
    write(tmp_path / "x.extxyz", images)
    back = read(tmp_path / "x.extxyz", index=":")
    assert max(abs(a.positions - b.positions).max() for a, b in zip(images, back)) > 1e-9  # text rounded them
    assert [structure_hash(a) for a in images] == [structure_hash(b) for b in back]


def test_hash_same_for_nine_decimal_ties(tmp_path):
    """Positions given to 9 decimals ending in 5 (as in the mlearn Mo set, e.g. 1.464768755 A) are
    8-decimal ties: the text writer and a binary reader must still agree, wrapped or not."""
    from ase.io import read, write

    from ptmlp.data.structure_hash import structure_hash

    rng = np.random.default_rng(3)
    images = []
    for k in range(50):
        a = bulk("Mo", "bcc", a=3.150121, cubic=True).repeat(3)
        ties = np.round(rng.uniform(-0.5, 9.9, a.positions.shape), 8) + 5e-9  # ...5 in the 9th decimal
        a.positions = np.round(ties, 9)
        images.append(a)
    write(tmp_path / "ties.extxyz", images)
    back = read(tmp_path / "ties.extxyz", index=":")
    assert [structure_hash(a) for a in images] == [structure_hash(b) for b in back]


def test_files_with_older_hashes_are_redone(tmp_path):
    """A dataset whose hashes are of version 1 (positions to 1e-6 A): read as this version's hashes,
    de-duplicated against, and rewritten by the next append."""
    from ptmlp.data.structure_hash import HASH_VERSION

    path = tmp_path / "d.h5"
    frames = [make_frame(k) for k in range(4)]
    expected = Dataset.write(path, [frames])[0].hashes()
    with h5py.File(path, "r+") as f:  # as ptmlp wrote it before
        del f.attrs["hash_version"]
        f["hash"][:] = np.array([b"0" * 32] * 4, dtype="S32")
    ds = Dataset(path)
    assert ds.hashes() == expected
    assert ds.append(frames[2:] + [make_frame(9)]) == 1
    with h5py.File(path, "r") as f:
        assert f.attrs["hash_version"] == HASH_VERSION and [h.decode() for h in f["hash"][:4]] == expected
