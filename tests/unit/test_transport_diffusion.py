"""Self-diffusion from a synthetic Brownian trajectory with a known D (written as a gzip
LAMMPS dump), the automatic diffusive window, caged motion flagged, Yeh-Hummer, and the
streaming dump reader against ASE's."""

import gzip
import math

import numpy as np
import pytest

from ptmlp.errors import InputError
from ptmlp.transport import constants as C
from ptmlp.transport.diffusion import YEH_HUMMER_XI, self_diffusion, yeh_hummer
from ptmlp.transport.readers import iter_dump_frames
from ptmlp.transport.results import Measurement, Notes
from ptmlp.transport.trajectory import load_trajectory

L_A, TS_PS, EVERY = 20.0, 0.002, 50  # box, time step, steps between frames (0.1 ps)


def write_dump(path, positions, types, wrapped=False):
    """LAMMPS text dump (gzip) with id type xu yu zu (or wrapped x y z with ix iy iz)."""
    with gzip.open(path, "wt") as fh:
        for f, pos in enumerate(positions):
            fh.write(f"ITEM: TIMESTEP\n{f * EVERY}\nITEM: NUMBER OF ATOMS\n{len(types)}\n")
            fh.write("ITEM: BOX BOUNDS pp pp pp\n" + f"0 {L_A}\n" * 3)
            if wrapped:
                img = np.floor(pos / L_A).astype(int)
                fh.write("ITEM: ATOMS id type x y z ix iy iz\n")
                order = np.random.default_rng(f).permutation(len(types))  # unsorted ids, as from MPI ranks
                for i in order:
                    w = pos[i] - img[i] * L_A
                    fh.write(f"{i + 1} {types[i]} {w[0]:.6f} {w[1]:.6f} {w[2]:.6f} {img[i, 0]} {img[i, 1]} {img[i, 2]}\n")
            else:
                fh.write("ITEM: ATOMS id type xu yu zu\n")
                for i in range(len(types)):
                    fh.write(f"{i + 1} {types[i]} {pos[i, 0]:.6f} {pos[i, 1]:.6f} {pos[i, 2]:.6f}\n")


def brownian(n_frames, n_atoms, d_A2_per_ps, rng):
    step = math.sqrt(2 * d_A2_per_ps * EVERY * TS_PS)
    return np.cumsum(rng.normal(scale=step, size=(n_frames, n_atoms, 3)), axis=0) + rng.uniform(0, L_A, (1, n_atoms, 3))


def test_brownian_diffusion_recovered_per_species(tmp_path):
    rng = np.random.default_rng(0)
    d1, d2 = 0.5, 0.1  # A^2/ps
    pos = np.concatenate([brownian(400, 60, d1, rng), brownian(400, 40, d2, rng)], axis=1)
    types = np.array([1] * 60 + [2] * 40)
    write_dump(tmp_path / "traj.lammpstrj.gz", pos, types)
    (tmp_path / "run_info.yaml").write_text(f"units: metal\ntimestep_ps: {TS_PS}\nspecies: Na Cl\n")
    traj = load_trajectory(tmp_path)
    res = self_diffusion(traj)
    for name, d in (("Na", d1), ("Cl", d2)):
        fit = res.species[name]
        exact = d * C.A2_PER_PS_M2_PER_S
        print(f"{name}: D {fit.D} m^2/s, exact {exact:.4g}, window {[t * 1e12 for t in fit.window_s]} ps")
        assert abs(fit.D.value - exact) < 4 * fit.D.std_err + 0.05 * exact
        assert fit.diffusive
    assert res.counts == {"Na": 60, "Cl": 40}


def test_wrapped_coordinates_with_images_and_h5_staging(tmp_path):
    rng = np.random.default_rng(1)
    pos = brownian(60, 30, 0.5, rng)
    write_dump(tmp_path / "w.lammpstrj.gz", pos, np.ones(30, int), wrapped=True)
    with load_trajectory(tmp_path / "w.lammpstrj.gz", timestep_ps=TS_PS, memory_limit_MB=0.01) as traj:
        np.testing.assert_allclose(np.asarray(traj.positions[:]), pos, atol=2e-5)
        assert traj._tmp is not None  # streamed to a temporary HDF5 file ...
    assert traj._tmp is None  # ... removed when the with block ends


@pytest.mark.filterwarnings("ignore::ptmlp.transport.results.TransportWarning")
def test_caged_motion_is_flagged(tmp_path):
    rng = np.random.default_rng(2)
    pos = rng.normal(scale=0.1, size=(200, 50, 3)) + rng.uniform(0, L_A, (1, 50, 3))  # vibrating solid
    write_dump(tmp_path / "s.lammpstrj.gz", pos, np.ones(50, int))
    traj = load_trajectory(tmp_path / "s.lammpstrj.gz", timestep_ps=TS_PS)
    res = self_diffusion(traj)
    assert not res.species["1"].diffusive
    assert any("not reached a diffusive regime" in m for m in res.notes.messages)


def test_yeh_hummer_correction_formula():
    box = np.eye(3) * 30.0
    eta = Measurement(1e-3, 1e-4)
    d = yeh_hummer(Measurement(2e-9, 1e-11), 300.0, eta, box, Notes())
    corr = YEH_HUMMER_XI * C.KB_J_PER_K * 300.0 / (6 * math.pi * 1e-3 * 30e-10)
    assert d.value == pytest.approx(2e-9 + corr, rel=1e-12)
    assert d.std_err == pytest.approx(math.hypot(1e-11, 0.1 * corr), rel=1e-9)
    with pytest.raises(InputError, match="positive viscosity"):
        yeh_hummer(Measurement(2e-9, 1e-11), 300.0, Measurement(-1.0, 0.0), box, Notes())


def test_dump_reader_agrees_with_ase(tmp_path):
    from ase.io import read

    rng = np.random.default_rng(3)
    pos = brownian(5, 12, 0.5, rng)
    write_dump(tmp_path / "d.lammpstrj.gz", pos, np.array([1, 2] * 6))
    ours = list(iter_dump_frames(tmp_path / "d.lammpstrj.gz", ["xu", "yu", "zu"]))
    theirs = read(tmp_path / "d.lammpstrj.gz", index=":", format="lammps-dump-text")
    assert len(ours) == len(theirs) == 5
    for o, t in zip(ours, theirs):
        mine = np.stack([o.columns["xu"], o.columns["yu"], o.columns["zu"]], axis=1)
        np.testing.assert_allclose(mine, t.get_positions(), atol=1e-6)
        np.testing.assert_allclose(o.box, t.cell.array, atol=1e-9)


def test_dump_without_unwrapped_coordinates(tmp_path):
    p = tmp_path / "bad.lammpstrj"
    p.write_text("ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n1\nITEM: BOX BOUNDS pp pp pp\n0 1\n0 1\n0 1\n"
                 "ITEM: ATOMS id type x y z\n1 1 0.5 0.5 0.5\n")
    with pytest.raises(InputError, match="no unwrapped coordinates.*xu yu zu"):
        load_trajectory(p, timestep_ps=0.001)
