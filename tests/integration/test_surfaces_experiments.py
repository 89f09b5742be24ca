"""The experiments of ``ptmlp surfaces``: a micro version of each in the default suite (tiny network, one
or two epochs (one here), the elemental facets) checking what it writes; the shipped reduced-size configs as slow runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from ptmlp.cli.main import main

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "surfaces"
SE, WF = "surface_energy_eV_per_A2", "work_function_eV"
pytestmark = pytest.mark.skipif(not (DATA / "surface_property2.tar.gz").is_file(), reason="no ../shared/data")
TINY = {"model": {"embedding_dim": 8, "hidden_dim": 16, "conv_layers": 1, "gaussian_step_A": 1.0},
        "training": {"epochs": 1, "batch_slabs": 40}}


def run(tmp: Path, command: str, cfg: dict) -> dict:
    path = tmp / f"{command}.yaml"
    path.write_text(yaml.safe_dump(cfg))
    assert main(["surfaces", command, str(path)]) == 0
    return json.loads((Path(cfg["output_dir"]) / "summary.json").read_text())


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("cache"))


def elemental(cache, n=80, **kw):
    return {"source": str(DATA / "surface_property2.tar.gz"), "max_slabs": n, "cache_dir": cache, **kw}


def test_ablation_table_and_ensemble_calibration(tmp_path, cache):
    s = run(tmp_path, "ablation", {"dataset": elemental(cache), **TINY, "seeds": [0, 1],
                                   "variants": ["single_task_work_function", "multi_task_equal", "full"],
                                   "output_dir": str(tmp_path / "ab")})
    assert set(s["table"]) == {"single_task_work_function", "multi_task_equal", "full"}
    assert set(s["table"]["single_task_work_function"]) == {WF}
    cell = s["table"]["full"][SE]["mae"]
    assert cell["n"] == 2 and cell["mean"] > 0 and cell["std"] is not None
    assert s["ensemble_full"]["members"] == 2 and s["ensemble_full"]["sigma_scale"][WF] > 0
    for png in ("variants.png", "calibration_full.png", "parity_full.png", "learning_curve_full.png"):
        assert (tmp_path / "ab" / png).is_file(), png
    # a rerun takes every fit from runs/ (resumable experiments) and gives the same table
    again = run(tmp_path, "ablation", {"dataset": elemental(cache), **TINY, "seeds": [0, 1],
                                       "variants": ["single_task_work_function", "multi_task_equal", "full"],
                                       "output_dir": str(tmp_path / "ab")})
    assert again["table"] == s["table"]
    emb = tmp_path / "emb"
    assert main(["surfaces", "embeddings", str(_yaml(tmp_path / "e.yaml", {
        "model": str(tmp_path / "ab" / "runs" / "full_seed0.pt"), "output_dir": str(emb)}))]) == 0
    result = json.loads((emb / "embeddings.json").read_text())
    n = len(result["elements"])
    assert n > 5 and len(result["pearson"]) == n and result["pearson"][0][0] == pytest.approx(1.0)
    assert result["mendeleev_numbers"] == sorted(result["mendeleev_numbers"])
    assert (emb / "embedding_correlation.png").is_file()


def _yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data))
    return path


def test_cv_and_depth_scan(tmp_path, cache):
    cv = run(tmp_path, "cv", {"dataset": elemental(cache), **TINY, "seeds": [0], "folds": 2,
                              "output_dir": str(tmp_path / "cv")})
    assert cv["table"][WF]["mae"]["n"] == 2 and (tmp_path / "cv" / "parity_cv.png").is_file()
    ds = run(tmp_path, "depth-scan", {"dataset": elemental(cache), **TINY, "seeds": [0], "depths_A": [0.0, 3.0],
                                      "output_dir": str(tmp_path / "ds")})
    assert len(ds["table"]) == 2 and ds["flagged_atom_fraction"][0] < ds["flagged_atom_fraction"][1]
    assert (tmp_path / "ds" / "depth_scan.png").is_file()


def test_transfer_learning_curves(tmp_path, cache):
    s = run(tmp_path, "transfer", {"dataset": elemental(cache, 40), **TINY, "seeds": [0],
                                   "fine_tune": TINY["training"], "fractions": [0.2, 0.6],
                                   "targets": [{"dataset": {"source": str(DATA / "surface_property3.tar.gz"),
                                                            "columns": [SE], "max_slabs": 40, "cache_dir": cache},
                                                "targets": [SE]}],
                                   "output_dir": str(tmp_path / "tr")})
    (name, curves), = s["sets"].items()
    assert set(curves["mae_curves"][SE]) == {"fine-tuned", "from scratch"}
    assert len(curves["mae_curves"][SE]["fine-tuned"]) == 2 and curves["n_test"] == 8
    assert (tmp_path / "tr" / "pretrained.pt").is_file() and (tmp_path / "tr" / f"transfer_{name}_{SE}.png").is_file()


def test_wulff_crystals_held_out(tmp_path, cache):
    s = run(tmp_path, "wulff", {"dataset": elemental(cache, 300), **TINY, "seeds": [0], "group_folds": 2,
                                "max_plots": 1, "output_dir": str(tmp_path / "w")})
    assert s["crystals"] > 5
    row = s["rows"][0]
    assert 0 < row["dft"][SE] < 0.2 and 1 < row["dft"][WF] < 7
    assert s["wulff_weighted"][SE]["n"] == s["crystals"] and len(s["plotted"]) == 1


@pytest.mark.slow
@pytest.mark.parametrize("name,command", [("ablation", "ablation"), ("cv", "cv"), ("depth_scan", "depth-scan"),
                                          ("wulff", "wulff"), ("transfer", "transfer")])
def test_shipped_experiment(tmp_path, name, command):
    """The shipped reduced-size experiment configs (each 10-60 min on a shared 2-core machine)."""
    from ptmlp.resources import inputs_dir

    text = (Path(inputs_dir()) / "surfaces" / f"{name}.yaml").read_text()
    cfg = yaml.safe_load(text.replace("../../../../../../shared/data/surfaces", str(DATA)))
    cfg["output_dir"] = str(tmp_path / name)
    summary = run(tmp_path, command, cfg)
    assert summary
    shutil.rmtree(tmp_path / name / "runs", ignore_errors=True)
