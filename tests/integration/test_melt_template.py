"""``lmp -in inputs/melt.in`` as a user runs it: any pair style through the include file."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from ptmlp.demo import DEMO_MODEL
from ptmlp.potential import potentials_dir
from ptmlp.lammps_env import venv_bin
from ptmlp.melting.runner import read_histogram, read_profiles, read_series, template_path


def lmp(workdir: Path, potential_text: str, **variables) -> subprocess.CompletedProcess:
    """Run the venv's ``lmp`` launcher on a copy of melt.in with ``-var`` settings."""
    shutil.copy(template_path(), workdir / "melt.in")
    (workdir / "pot.mod").write_text(potential_text)
    cmd = [venv_bin("lmp"), "-in", "melt.in", "-nocite", "-var", "potential", "pot.mod"]
    for k, v in variables.items():
        cmd += ["-var", k, str(v)]
    env = {k: v for k, v in os.environ.items() if k != "LAMMPS_PLUGIN_PATH"}
    env["OMP_NUM_THREADS"] = "1"
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return proc


LJ = "pair_style lj/cut 7.5\npair_coeff 1 1 0.010323 3.405\nmass 1 39.948\n"
LJ_FAST = dict(lattice="fcc", a=5.39, nx=3, ny=3, nz=8, P=0.1722, T=113, dt=0.01, Tdamp=0.5, Pdamp=2.0,
               ocut_rel=1.36, nout=20, t_solid=2, t_melt=3, t_cool=1)


def test_full_coexistence_run_with_lj(tmp_path):
    """Default stage (all): build, equilibrate, melt the upper half, coexistence in NPH."""
    proc = lmp(tmp_path, LJ, **LJ_FAST, t_coex=4)
    assert "MELT_DONE stage=all ensemble=nph" in proc.stdout
    s = read_series(tmp_path / "melt_series.dat")
    # fcc (001) interface cell: the upper half melted (some regrowth while cooling) -> about half solid
    assert 0.3 < s["fsolid"][0] < 0.8
    assert abs(np.mean(s["P_bar"]) / 1e4 - 0.1722) < 0.05  # GPa, barostat holds P within noise
    prof = read_profiles(tmp_path / "melt_profile.dat")
    lower = prof["solid_label"][0][: prof["solid_label"].shape[1] // 3]
    assert lower.mean() > 0.8  # the held (lower) half stayed crystalline
    for name in ("melt_start.dump", "melt_end.dump", "log.lammps"):
        assert (tmp_path / name).exists()


def test_extend_stage_continues_a_coexistence_run(tmp_path):
    """stage extend: read the restart file of a finished run and go on for t_ext ps in the same
    ensemble; the time continues where the first run stopped, the box and barostat carry over."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    lmp(tmp_path / "a", LJ, **LJ_FAST, t_coex=2)
    first = read_series(tmp_path / "a" / "melt_series.dat")
    shutil.copy(tmp_path / "a" / "melt_end.restart", tmp_path / "b" / "previous.restart")
    proc = lmp(tmp_path / "b", LJ, **dict(LJ_FAST, ocut=4.2, nsolid=6), stage="extend", of="coex",
               restart="previous.restart", t_ext=1)
    assert "MELT_DONE stage=extend ensemble=nph" in proc.stdout
    assert "fix ID: coex" in proc.stdout  # the NPH barostat state came back from the restart file
    more = read_series(tmp_path / "b" / "melt_series.dat")
    dt = LJ_FAST["dt"] * LJ_FAST["nout"]
    # the first sample is the restart state (the first run's last one), then every nout steps
    assert more["time_ps"][0] == pytest.approx(first["time_ps"][-1])
    assert more["time_ps"][1] == pytest.approx(first["time_ps"][-1] + dt)
    assert len(more["time_ps"]) == round(1.0 / dt) + 1
    assert more["Lz_A"][0] == pytest.approx(first["Lz_A"][-1], rel=1e-6)
    assert 0.05 < more["fsolid"].mean() < 0.95
    assert (tmp_path / "b" / "melt_end.restart").exists() and read_profiles(tmp_path / "b" / "melt_profile.dat")


def test_reference_stages_with_lj(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "l").mkdir()
    lmp(tmp_path / "s", LJ, **LJ_FAST, stage="solid", t_ref=1)
    lmp(tmp_path / "l", LJ, **dict(LJ_FAST, nz=3), stage="liquid", t_ref=1)
    hs = read_histogram(tmp_path / "s" / "melt_hist.dat")
    hl = read_histogram(tmp_path / "l" / "melt_hist.dat")
    mean = lambda h: (h * np.arange(len(h))).sum() / h.sum()  # noqa: E731
    assert mean(hs) > 9 and mean(hl) < 4  # fcc: ~12 solid bonds; liquid: a few
    assert (tmp_path / "s" / "melt_solid.data").exists()


def test_eam_fs_solid_stage(tmp_path):
    pot = f"pair_style eam/fs\npair_coeff * * {potentials_dir() / 'Fe_mm.eam.fs'} Fe\nmass 1 55.845\n"
    proc = lmp(tmp_path, pot, stage="solid", nx=4, ny=4, nz=4, T=1500, dt=0.002, t_solid=0.2, t_ref=0.2, nout=20)
    assert "MELT_DONE stage=solid" in proc.stdout
    assert read_series(tmp_path / "melt_series.dat")["fsolid"].min() > 0.95  # bcc at 1500 K stays solid


def test_ptmlp_model_solid_stage(tmp_path, plugin_built):
    pot = f"pair_style ptmlp {DEMO_MODEL}\npair_coeff * * Fe\nmass 1 55.845\n"
    proc = lmp(tmp_path, pot, stage="solid", nx=4, ny=4, nz=4, T=1500, dt=0.002, t_solid=0.04, t_ref=0.04, nout=10)
    assert "MELT_DONE stage=solid" in proc.stdout
    assert read_series(tmp_path / "melt_series.dat")["fsolid"].min() > 0.9


@pytest.mark.parametrize("var, value, line", [
    ("ensemble", "nvt", "ERROR: ensemble must be nph or npt, got nvt"),
    ("P", "3300", "ERROR: P = 3300 GPa is out of the sane range [-20, 2000] GPa (P is in GPa, not bar)"),
    ("T", "-5", "ERROR: T = -5 K is out of the sane range (0, 100000] K"),
])
def test_bad_variables_are_one_line(tmp_path, var, value, line):
    shutil.copy(template_path(), tmp_path / "melt.in")
    proc = subprocess.run([venv_bin("lmp"), "-in", "melt.in", "-var", var, value, "-nocite"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert line in proc.stdout.splitlines()
    assert "Traceback" not in proc.stdout + proc.stderr
