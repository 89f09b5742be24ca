"""`ptmlp elf generate|train|predict|import|phi|info` end to end on a tiny GPAW dataset (~1 min)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from ptmlp.elf.store import ElfDataset
from ptmlp.lammps_env import lammps_environment, venv_bin

pytest.importorskip("gpaw")

TINY = {
    "output": "elf.h5", "workdir": "gen", "seed": 1,
    "dft": {"ecut_eV": 300, "kpts": [1, 1, 1], "grid_spacing_A": 0.15},
    "fluid": [{"name": "fluid", "n_atoms": 8, "volume_per_atom_A3": 2.5, "temperature_K": 1200, "runs": 1,
               "equilibration_steps": 2, "production_steps": 4, "sample_every": 2}],
    "crystals": {"count": 2, "n_atoms_min": 2, "n_atoms_max": 3, "kpts": [2, 2, 2]},
}


def ptmlp(*args, cwd, check=True):
    proc = subprocess.run([venv_bin("ptmlp"), *args], cwd=cwd, capture_output=True, text=True,
                          env={**lammps_environment(), "OMP_NUM_THREADS": "1"})
    if check:
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("elf_cli")
    (d / "gen.yaml").write_text(yaml.safe_dump(TINY))
    out = ptmlp("elf", "generate", "gen.yaml", cwd=d).stdout
    assert "fluid_run0: 2 snapshots" in out and "crystal_random: 2 snapshots" in out
    (d / "train.yaml").write_text(yaml.safe_dump({"dataset": "elf.h5", "output": "m.pt", "train_groups": ["fluid*"],
                                                  "validation_groups": ["crystal*"], "epochs": 4,
                                                  "points_per_snapshot": 2000}))
    ptmlp("elf", "train", "train.yaml", cwd=d)
    return d


def test_generate_is_resumable_and_complete(workdir):
    ds = ElfDataset(workdir / "elf.h5")
    idx = ds.index()
    assert idx["group"] == ["fluid_run0"] * 2 + ["crystal_random"] * 2
    assert (idx["grid_shape"][:2] == idx["grid_shape"][0]).all()
    assert np.isfinite(idx["pressure_GPa"]).all()
    grids = ds.read()
    assert all(0.0 <= g.elf.min() and g.elf.max() <= 1.0 for g in grids)
    assert grids[0].provenance["labeler"]["kpts"] == [1, 1, 1]
    out = ptmlp("elf", "generate", "gen.yaml", cwd=workdir).stdout  # second run: nothing to do
    assert "skipped" in out and len(ElfDataset(workdir / "elf.h5")) == 4
    assert (workdir / "gen" / "fluid_run0.extxyz").exists()
    # a run killed after its MD but before all labels: the saved MD snapshots are labelled, not re-simulated
    cfg = dict(TINY, output="resumed.h5", crystals=None)
    (workdir / "resume.yaml").write_text(yaml.safe_dump(cfg))
    out = ptmlp("elf", "generate", "resume.yaml", cwd=workdir).stdout
    assert "MD snapshots read from" in out
    resumed = ElfDataset(workdir / "resumed.h5").read()
    np.testing.assert_allclose(resumed[1].atoms.positions, grids[1].atoms.positions, atol=1e-6)
    np.testing.assert_allclose(resumed[1].elf, grids[1].elf, atol=1e-3)  # same structure, same labels


def test_train_outputs(workdir):
    summary = json.loads((workdir / "m.pt.train.json").read_text())
    assert summary["n_train_snapshots"] == 2 and summary["validation_groups"] == ["crystal_random"]
    assert len(summary["history"]) == 4
    assert "r2" in summary["validation"]["all"]
    assert (workdir / "m.pt.parity.png").stat().st_size > 10_000
    info = ptmlp("elf", "info", "m.pt", cwd=workdir).stdout
    assert "165 features" in info and "[128, 128]" in info
    bad = ptmlp("info", "m.pt", cwd=workdir, check=False)  # the potential tool refuses an ELF model
    assert bad.returncode == 2 and "is an ELF model" in bad.stderr


def test_predict_on_dataset_with_references(workdir):
    ptmlp("elf", "predict", "elf.h5", "-m", "m.pt", "-o", "pred", "--low-k-cut-per-A", "3.0", cwd=workdir)
    res = json.loads((workdir / "pred" / "elf_predict.json").read_text())
    assert res["summary"]["n_snapshots"] == 4
    assert {"mae", "rmse", "r2", "mae_err"} <= set(res["summary"]["metrics"])
    assert "metrics_low_k_corrected" in res["summary"]
    row = res["snapshots"][0]
    assert 0 <= row["phi_pred"] <= 1 and row["Tc_pred_K"] >= 0 and "phi_ref" in row
    for png in ("parity.png", "phi.png", "slice_0.png", "residual_spectrum.png", "phi_parity.png"):
        assert (workdir / "pred" / png).stat().st_size > 5_000


def write_lammps_dump(path: Path, frames):
    lines = []
    for step, atoms in frames:
        lengths = atoms.cell.lengths()
        lines += ["ITEM: TIMESTEP", str(step), "ITEM: NUMBER OF ATOMS", str(len(atoms)),
                  "ITEM: BOX BOUNDS pp pp pp"] + [f"0.0 {v:.6f}" for v in lengths]
        lines.append("ITEM: ATOMS id type x y z")
        lines += [f"{k + 1} 1 {x:.6f} {y:.6f} {z:.6f}" for k, (x, y, z) in enumerate(atoms.positions)]
    path.write_text("\n".join(lines) + "\n")


def test_predict_lammps_dump_with_cube_output(workdir):
    grids = ElfDataset(workdir / "elf.h5").read([0, 1])
    write_lammps_dump(workdir / "traj.dump", [(100, grids[0].atoms), (200, grids[1].atoms)])
    ptmlp("elf", "predict", "traj.dump", "-m", "m.pt", "--type-names", "H", "--grid", "16", "16", "16",
          "--write-cubes", "-o", "pred_dump", cwd=workdir)
    res = json.loads((workdir / "pred_dump" / "elf_predict.json").read_text())
    assert [r["timestep"] for r in res["snapshots"]] == [100, 200]
    assert res["snapshots"][0]["grid"] == [16, 16, 16] and "metrics" not in res["snapshots"][0]
    cube = workdir / "pred_dump" / "elf_pred_00000.cube"
    out = ptmlp("elf", "phi", str(cube), cwd=workdir).stdout
    assert f"phi {res['snapshots'][0]['phi_pred']:.4f}" in out
    ptmlp("elf", "import", str(cube), "-o", "imported.h5", "--elf-dtype", "float16", cwd=workdir)
    assert ElfDataset(workdir / "imported.h5").read()[0].shape == (16, 16, 16)


def test_bad_inputs_give_one_line(workdir):
    def one_line(*args) -> str:
        bad = ptmlp("elf", *args, cwd=workdir, check=False)
        assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr, bad.stderr
        return bad.stderr.strip()

    (workdir / "bad.yaml").write_text(yaml.safe_dump({"dataset": "elf.h5", "epoch": 2}))
    assert one_line("train", "bad.yaml") == "ptmlp elf: error: bad.yaml: epoch: unknown key (did you mean 'epochs'?)"
    (workdir / "pbad.yaml").write_text(yaml.safe_dump({"grid_spacing": 0.1}))
    assert one_line("predict", "elf.h5", "-m", "m.pt", "--config", "pbad.yaml") == \
        "ptmlp elf: error: pbad.yaml: grid_spacing: unknown key (did you mean 'grid_spacing_A'?)"
    assert one_line("predict", "pbad.yaml", "elf.h5", "-m", "m.pt") == \
        "ptmlp elf: error: pbad.yaml: grid_spacing: unknown key (did you mean 'grid_spacing_A'?)"
    assert one_line("predict", "elf.h5", "-m", "nothing.pt").startswith(
        f"ptmlp elf: error: command line: model = '{workdir / 'nothing.pt'}' (a string): no such file")
    assert one_line("train", "--dataset", "missing.h5").startswith(
        f"ptmlp elf: error: command line: dataset = '{workdir / 'missing.h5'}' (a string): no such file")
    (workdir / "gbad.yaml").write_text(yaml.safe_dump({**TINY, "seed": 1.5}))
    assert one_line("generate", "gbad.yaml") == "ptmlp elf: error: gbad.yaml: seed = 1.5 (a number): expected an integer"


def test_predict_from_a_config_file(workdir):
    (workdir / "pred.yaml").write_text(yaml.safe_dump({"model": "m.pt", "inputs": ["elf.h5"], "output_dir": "pred_cfg",
                                                       "groups": ["crystal*"]}))
    ptmlp("elf", "predict", "pred.yaml", cwd=workdir)
    res = json.loads((workdir / "pred_cfg" / "elf_predict.json").read_text())
    assert res["summary"]["n_snapshots"] == 2 and res["summary"]["model"] == str(workdir / "m.pt")
