"""ELF model: TorchScript export round trip, metadata kept apart from potentials, sampling, metrics, configs."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import yaml

from ptmlp.config import load_config
from ptmlp.elf.config import GenerateConfig, TrainConfig
from ptmlp.elf.descriptor import ElfDescriptor
from ptmlp.elf.inference import check_species, predict_points
from ptmlp.elf.metrics import regression_metrics, snapshot_metrics
from ptmlp.elf.model import ElfModel
from ptmlp.elf.model_file import export_elf_model, load_elf_model
from ptmlp.elf.sampling import stratified_indices
from ptmlp.errors import InputError, ModelFileError
from ptmlp.export import load_model
from ptmlp.metadata import METADATA_FILE

CELL = np.array([[3.4, 0.0, 0.0], [0.6, 3.1, 0.0], [-0.3, 0.5, 3.6]])


@pytest.fixture(scope="module")
def elf_model_file(tmp_path_factory):
    torch.manual_seed(0)
    model = ElfModel(ElfDescriptor(), [16, 16])
    model.set_standardisation(torch.rand(model.descriptor.n_features), torch.rand(model.descriptor.n_features) + 0.5)
    path = tmp_path_factory.mktemp("elf") / "elf.pt"
    export_elf_model(model, path, ["H"], {"note": "random weights"})
    return model, path


def test_export_roundtrip_matches_eager(elf_model_file):
    model, path = elf_model_file
    scripted, meta = load_elf_model(path)
    assert meta["model_kind"] == "elf" and meta["type_names"] == ["H"] and meta["r_cut"] == 3.0
    assert meta["descriptor"]["n_features"] == 165
    rng = np.random.default_rng(1)
    pos = rng.random((8, 3)) @ CELL
    pts = rng.random((50, 3)) @ CELL
    eager = predict_points(model, pos, CELL, pts)
    script = predict_points(scripted, pos, CELL, pts)
    np.testing.assert_allclose(script, eager, atol=1e-6)
    assert ((eager > 0) & (eager < 1)).all()
    logit = predict_points(scripted, pos, CELL, pts, logit=True)
    np.testing.assert_allclose(1 / (1 + np.exp(-logit)), script, atol=1e-6)


def test_elf_file_is_refused_as_potential_and_vice_versa(elf_model_file, model_file):
    _, path = elf_model_file
    with pytest.raises(ModelFileError, match="is an ELF model"):
        load_model(path)  # the potential loader (ASE calculator, ptmlp info) refuses an ELF model
    with pytest.raises(ModelFileError, match="not an ELF model"):
        load_elf_model(model_file)


def test_species_check():
    from ase import Atoms

    with pytest.raises(InputError, match="trained on H only"):
        check_species(Atoms("H2O", cell=CELL, pbc=True), ["H"])


def test_stratified_sampling_is_flat_in_elf():
    rng = np.random.default_rng(0)
    elf = rng.beta(5, 2, size=(30, 30, 30))  # skewed towards high ELF
    idx = stratified_indices(elf, 4000, 10, rng)
    assert len(idx) == 4000 and len(np.unique(idx)) == 4000
    counts = np.histogram(elf.ravel()[idx], bins=10, range=(0, 1))[0]
    available = np.histogram(elf.ravel(), bins=10, range=(0, 1))[0]
    # each bin gets its share (400) or everything it has; the shortfall goes to the others
    assert all(c == a for c, a in zip(counts, available) if a < 400)
    full = [c for c, a in zip(counts, available) if a >= 400]
    assert max(full) - min(full) <= 1
    assert len(stratified_indices(elf[:2, :2, :2], 100, 10, rng)) == 8


def test_metrics_and_bootstrap():
    ref = np.linspace(0, 1, 1000)
    m = regression_metrics(ref, ref)
    assert m["r2"] == 1.0 and m["mae"] == 0.0
    m = regression_metrics(ref + 0.1, ref)
    assert m["mae"] == pytest.approx(0.1) and m["rmse"] == pytest.approx(0.1)
    assert m["r2"] == pytest.approx(1 - 0.01 / ref.var())
    rng = np.random.default_rng(0)
    refs = [rng.random(500) for _ in range(6)]
    preds = [r + rng.normal(0, 0.05 * (k + 1), 500) for k, r in enumerate(refs)]
    s = snapshot_metrics(preds, refs)
    assert s["n_snapshots"] == 6 and 0 < s["rmse_err"] < s["rmse"]


def test_configs_reject_unknown_keys(tmp_path):
    (tmp_path / "d.h5").write_bytes(b"")
    p = tmp_path / "t.yaml"

    def refused(model, path, data) -> str:
        path.write_text(yaml.safe_dump(data))
        with pytest.raises(InputError) as err:
            load_config(model, path)
        assert "\n" not in str(err.value)
        return str(err.value).removeprefix(f"{path}: ")

    assert refused(TrainConfig, p, {"dataset": "d.h5", "epoch": 3}) == "epoch: unknown key (did you mean 'epochs'?)"
    assert refused(TrainConfig, p, {"dataset": "d.h5", "l_max": 9}) == "l_max = 9 (an integer): expected <= 6"
    assert refused(TrainConfig, p, {"dataset": "d.h5", "epochs": 2.5}) == \
        "epochs = 2.5 (a number): expected an integer"
    assert refused(TrainConfig, p, {"dataset": "e.h5"}).startswith("dataset = 'e.h5' (a string): no such file")
    g = tmp_path / "g.yaml"
    assert refused(GenerateConfig, g, {"fluid": [{"name": "a", "n_atom": 32}]}) == \
        "fluid[0].n_atom: unknown key (did you mean 'n_atoms'?)"
    assert refused(GenerateConfig, g, {"dft": {"kpts": [2, 2]}}) == "dft.kpts = [2, 2] (a list): expected at least 3 item(s)"
    assert refused(GenerateConfig, g, {"fluid": [{"n_atoms": 9}]}) == \
        "fluid[0].n_atoms = 9 (an integer): expected a multiple of 2"
    assert refused(GenerateConfig, g, {"fluid": [{"name": "a"}, {"name": "a"}]}) == \
        "fluid set names ['a', 'a'] must be unique"
    assert refused(GenerateConfig, g, {"dft": {"xc": "SCAN"}}) == \
        "dft.xc = 'SCAN' (a string): expected one of 'LDA', 'PBE', 'revPBE', 'RPBE'"
    g.write_text(yaml.safe_dump({"fluid": [{"name": "a", "volume_per_atom_A3": 2.0}], "crystals": {"count": 2}}))
    cfg = load_config(GenerateConfig, g)
    assert cfg.fluid[0].volume_per_atom_A3 == 2.0 and cfg.crystals.count == 2
    assert cfg.output == str(tmp_path / "elf_data.h5")  # relative to the config file


def test_fit_is_seeded_and_learns(tmp_path):
    from ptmlp.elf.training import fit

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 165)).astype(np.float32) * 5 + 2
    y = (1 / (1 + np.exp(-(x[:, :10].sum(1) - 20) / 5))).astype(np.float32)  # smooth in raw features
    (tmp_path / "d.h5").write_bytes(b"")  # the config checks that its dataset exists; fit() does not read it
    cfg = TrainConfig(dataset=str(tmp_path / "d.h5"), epochs=10, batch_size=128, seed=3, lr=1e-3)
    weights = []
    for _ in range(2):
        torch.manual_seed(cfg.seed)
        model = ElfModel(ElfDescriptor(), [32, 32])
        hist = fit(model, x, y, cfg, log=lambda s: None)
        weights.append(torch.cat([p.detach().ravel() for p in model.parameters()]))
    assert torch.equal(weights[0], weights[1])
    np.testing.assert_allclose(model.feature_mean.numpy(), x.mean(0), rtol=1e-4, atol=1e-4)  # training statistics
    assert hist[-1]["train_loss"] < 0.3 * hist[0]["train_loss"]


def test_lammps_refuses_elf_model(elf_model_file, tmp_path, plugin_built):
    from conftest import run_lmp

    _, path = elf_model_file
    text = (f"units metal\nlattice bcc 2.8\nregion b block 0 2 0 2 0 2\ncreate_box 1 b\n"
            f"create_atoms 1 box\nmass 1 1.0\npair_style ptmlp {path}\npair_coeff * * H\nrun 0\n")
    proc = run_lmp(tmp_path, text, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "is an ELF model" in out, out[-2000:]
