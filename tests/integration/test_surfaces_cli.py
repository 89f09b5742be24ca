"""``ptmlp surfaces``: a small end-to-end run on the public elemental facets (240 slabs, a few epochs):
train a two-member ensemble -> test -> predict slabs and a bulk crystal's low-index facets; export ->
reload -> identical predictions; bad inputs give one line on stderr and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from ase.build import bulk, fcc100

from ptmlp.cli.main import main
from ptmlp.surfaces.dataset import load_dataset
from ptmlp.surfaces.config import DatasetSpec, GraphSettings
from ptmlp.surfaces.evaluation import predict_graphs
from ptmlp.surfaces.export import load_surface_model, network_from_file

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "surfaces"
SE, WF = "surface_energy_eV_per_A2", "work_function_eV"
pytestmark = pytest.mark.skipif(not (DATA / "surface_property2.tar.gz").is_file(), reason="no ../shared/data")


def dataset(cache, **kw):
    return {"source": str(DATA / "surface_property2.tar.gz"), "max_slabs": 240, "cache_dir": str(cache), **kw}


def write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data))
    return path


def run_cli(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("surfaces")
    cache = tmp / "cache"
    cfg = write(tmp / "train.yaml", {
        "dataset": dataset(cache),
        "model": {"embedding_dim": 24, "hidden_dim": 48, "conv_layers": 2, "gaussian_step_A": 0.4},
        "training": {"epochs": 6, "batch_slabs": 24, "learning_rate": 0.004, "learning_rate_final": 0.001},
        "ensemble": 2, "output_dir": str(tmp / "train")})
    assert main(["surfaces", "train", str(cfg)]) == 0
    return tmp, cache


def test_train_writes_models_summary_and_plots(trained):
    tmp, _ = trained
    out = tmp / "train"
    for name in ("model_0.pt", "model_1.pt", "split.json", "train_summary.json", "parity_test.png",
                 "learning_curve.png", "calibration.png", "model_0.checkpoint.pt"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "train_summary.json").read_text())
    assert summary["n_slabs"] == {"train": 144, "validation": 48, "test": 48}
    # the ensemble beats the trivial predictor (the training mean) on the test slabs
    split = json.loads((out / "split.json").read_text())
    data = load_dataset(DatasetSpec(**dataset(tmp / "cache")), GraphSettings())
    train_mean = np.nanmean(data.values[split["train"]], axis=0)
    trivial = np.nanmean(np.abs(data.values[split["test"]] - train_mean), axis=0)
    for k, t in enumerate((SE, WF)):
        assert summary["test"][t]["mae"] < 0.8 * trivial[k], (t, summary["test"][t], trivial[k])
        assert summary["calibration"]["sigma_scale"][t] > 0
    weights = summary["members"][0]
    assert weights["best_epoch"] >= 1


def test_export_reload_identical_and_test_command(trained, capsys):
    tmp, cache = trained
    model = tmp / "train" / "model_0.pt"
    module, meta = load_surface_model(model)
    net, _ = network_from_file(model)
    data = load_dataset(DatasetSpec(**dataset(cache)), GraphSettings(**meta["graph"]))
    assert np.array_equal(predict_graphs(module, data.graphs[:40]), predict_graphs(net, data.graphs[:40]))
    cfg = write(tmp / "test.yaml", {"models": [str(tmp / "train" / "model_0.pt"), str(tmp / "train" / "model_1.pt")],
                                    "dataset": dataset(cache), "split_file": str(tmp / "train" / "split.json"),
                                    "output_dir": str(tmp / "test")})
    rc, out, err = run_cli(capsys, "surfaces", "test", str(cfg))
    assert rc == 0, err
    summary = json.loads((tmp / "test" / "test_summary.json").read_text())
    train_summary = json.loads((tmp / "train" / "train_summary.json").read_text())
    assert summary["n_slabs"] == 48
    assert summary["test"][SE]["mae"] == pytest.approx(train_summary["test"][SE]["mae"], rel=1e-5)
    curve = summary["calibration"]["test_curve"][WF]
    assert len(curve["observed"]) == len(curve["expected"]) == 19 and curve["n"] == 48


def test_predict_slab_and_bulk_facets(trained, capsys):
    tmp, _ = trained
    meta = load_surface_model(tmp / "train" / "model_0.pt")[1]
    metal = next(m for m in ("Al", "Cu", "Ag", "Au", "Ni", "Pd", "Pt", "Rh", "Ir", "Ca", "Sr", "Pb")
                 if m in meta["elements"])
    slab = fcc100(metal, size=(2, 2, 6), vacuum=8.0, periodic=True)
    slab.write(tmp / "slab.cif")
    bulk(metal, "fcc", cubic=True).write(tmp / "bulk.cif")
    cfg = write(tmp / "predict.yaml", {"models": [str(tmp / "train" / f"model_{k}.pt") for k in (0, 1)],
                                       "slabs": [str(tmp / "slab.cif")], "bulk": [str(tmp / "bulk.cif")],
                                       "output_dir": str(tmp / "predict")})
    rc, out, err = run_cli(capsys, "surfaces", "predict", str(cfg))
    assert rc == 0, err
    result = json.loads((tmp / "predict" / "predictions.json").read_text())
    row = result["slabs"][0]
    assert row[SE]["value"] > 0 and row[SE]["std"] >= 0 and 1 < row[WF]["value"] < 8
    facets = result["bulk"][0]["slabs"]
    assert {tuple(f["miller"]) for f in facets} == {(1, 0, 0), (1, 1, 0), (1, 1, 1)}
    wulff = result["bulk"][0]["wulff"]
    se = [f[SE]["value"] for f in facets]
    assert min(se) - 1e-9 <= wulff["weighted_surface_energy_eV_per_A2"] <= max(se) + 1e-9
    assert abs(sum(wulff["area_fractions"].values()) - 1) < 1e-6
    assert (tmp / "predict" / "wulff_bulk.png").is_file()


def one_line_error(capsys, *argv) -> str:
    rc, out, err = run_cli(capsys, *argv)
    assert rc == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_bad_inputs_are_one_line(trained, capsys, tmp_path):
    tmp, cache = trained
    models = [str(tmp / "train" / "model_0.pt")]
    crystal = bulk("Cu", "fcc", a=3.6, cubic=True).repeat(2)
    crystal.write(tmp_path / "bulk.cif")
    cluster = bulk("Cu", "fcc", a=3.6, cubic=True)
    cluster.center(vacuum=6.0)
    cluster.write(tmp_path / "cluster.cif")
    unknown = fcc100("Al", size=(2, 2, 4), vacuum=8.0, periodic=True)
    unknown.numbers[:] = 92  # uranium is not among the elemental facets
    unknown.write(tmp_path / "U.cif")

    def predict(name):
        cfg = write(tmp_path / f"p_{name}.yaml", {"models": models, "slabs": [str(tmp_path / name)],
                                                   "output_dir": str(tmp_path / "p")})
        return one_line_error(capsys, "surfaces", "predict", str(cfg))

    assert "no vacuum gap of at least 5 A" in predict("bulk.cif") and "bulk crystal" in predict("bulk.cif")
    assert "not a slab" in predict("cluster.cif")
    assert "unknown element U" in predict("U.cif")
    missing = write(tmp_path / "t3.yaml", {"dataset": {"source": str(DATA / "surface_property3.tar.gz"),
                                                       "columns": [SE, WF], "max_slabs": 20,
                                                       "cache_dir": str(cache)},
                                           "output_dir": str(tmp_path / "o")})
    line = one_line_error(capsys, "surfaces", "train", str(missing))
    assert "target column work_function_eV is missing" in line
    only_se = write(tmp_path / "t4.yaml", {"dataset": {"source": str(DATA / "surface_property3.tar.gz"),
                                                       "columns": [SE], "max_slabs": 20, "cache_dir": str(cache)},
                                           "targets": [SE, WF], "output_dir": str(tmp_path / "o")})
    assert "target column work_function_eV is missing" in one_line_error(capsys, "surfaces", "train", str(only_se))
    typo = write(tmp_path / "t5.yaml", {"dataset": dataset(cache), "trainig": {}})
    assert "trainig: unknown key (did you mean 'training'?)" in one_line_error(capsys, "surfaces", "train", str(typo))
    assert "give a config file" in one_line_error(capsys, "surfaces", "test")


def test_example_configs_print_and_validate(capsys):
    from ptmlp.cli.surfaces import COMMANDS

    for command in COMMANDS:
        rc, out, err = run_cli(capsys, "surfaces", command, "--example")
        assert rc == 0 and "# " in out and err == "", command


def test_shipped_configs_validate():
    from ptmlp.cli.surfaces import COMMANDS, _load
    from ptmlp.config import load_config
    from ptmlp.resources import inputs_dir

    folder = Path(inputs_dir()) / "surfaces"
    names = {"depth_scan": "depth-scan"}
    for f in ("ablation", "cv", "depth_scan", "transfer", "wulff", "train"):
        cfg = load_config(_load(COMMANDS[names.get(f, f)][0]), folder / f"{f}.yaml")
        assert Path(cfg.dataset.source).is_file()
