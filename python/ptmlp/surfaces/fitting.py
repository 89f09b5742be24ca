"""One fit on one split: build (or take) the network, train, export, evaluate on the test slabs.
Shared by ``ptmlp surfaces train`` and every experiment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from ..data.splits import grouped_split
from .config import GraphSettings, ModelSettings, TrainingSettings
from .dataset import SurfaceDataset
from .evaluation import metrics_table, predict_graphs
from .export import build_network, export_surface_model
from .model import SurfaceCGCNN
from .training import TrainResult, train_model


@dataclass
class Fit:
    result: TrainResult
    test_pred: np.ndarray  # (n_test, n_targets)
    test_ref: np.ndarray
    val_pred: np.ndarray
    val_ref: np.ndarray
    test_metrics: dict
    model_file: Optional[str]


def random_split(n: int, fractions: Sequence[float], seed: int) -> dict[str, list[int]]:
    """Random train/validation/test indices (``ptmlp.data.splits.grouped_split`` slab by slab)."""
    return grouped_split([""] * n, list(fractions), seed=seed, by_group=False)


def fit_once(data: SurfaceDataset, split: dict[str, list[int]], targets: Sequence[str], model: ModelSettings,
             graph: GraphSettings, training: TrainingSettings, out_dir: Optional[Path] = None, name: str = "model",
             init: Optional[SurfaceCGCNN] = None, init_elements: Sequence[str] = (),
             log: Callable[[str], None] = lambda s: None) -> Fit:
    """Train on ``split['train']``, early-stop on ``split['validation']``, evaluate on ``split['test']``;
    with ``out_dir`` the model file ``<name>.pt`` and its checkpoint are written there."""
    train, val, test = (data.subset(split[k]) for k in ("train", "validation", "test"))
    import torch

    torch.manual_seed(training.seed)
    net = init if init is not None else build_network(len(targets), model, graph)
    checkpoint = None if out_dir is None else Path(out_dir) / f"{name}.checkpoint.pt"
    result = train_model(net, train, val, targets, training, checkpoint=checkpoint, standardise=init is None, log=log)
    test_pred = predict_graphs(net, test.graphs)
    val_pred = predict_graphs(net, val.graphs)
    model_file = None
    if out_dir is not None:
        from ase.data import atomic_numbers

        elements = {int(z) for g in train.graphs for z in g.numbers} | {atomic_numbers[s] for s in init_elements}
        model_file = str(Path(out_dir) / f"{name}.pt")
        export_surface_model(net, model_file, targets, model, graph, sorted(elements),
                             training={"dataset": data.name, "n_train": len(train), "n_validation": len(val),
                                       "n_test": len(test), "seed": training.seed, "best_epoch": result.best_epoch,
                                       "stopped": result.stopped, "weighting": training.weighting,
                                       "gradnorm_alpha": training.gradnorm_alpha})
    test_ref = test.targets(targets)
    return Fit(result, test_pred, test_ref, val_pred, val.targets(targets),
               metrics_table(test_pred, test_ref, targets), model_file)
