"""``ptmlp surfaces train`` and ``ptmlp surfaces test``: the config in, model files, summaries
(strict JSON) and plots out."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import numpy as np
from ase.data import chemical_symbols

from ..data.splits import load_split, save_split
from ..errors import InputError
from ..jsonfile import write_json
from . import plots
from .config import TestConfig, TrainConfig
from .dataset import load_dataset
from .evaluation import metrics_table, predict_graphs
from .export import check_ensemble, check_species, load_surface_model, network_from_file, settings_of
from .fitting import fit_once, random_split
from .uncertainty import calibration_curve, ensemble_mean_std, sigma_scale


def run_train(cfg: TrainConfig, log: Callable[[str], None] = print, resume: bool = False) -> dict:
    t0 = time.time()
    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    model_settings, graph = cfg.model, cfg.graph
    targets = list(cfg.targets)
    init_meta = None
    if cfg.init_model is not None:
        _, init_meta = load_surface_model(cfg.init_model)
        model_settings, graph = settings_of(init_meta)
        targets = list(init_meta["targets"])
    foreign = [t for t in cfg.targets if t not in targets]
    if foreign:
        raise InputError(f"targets: {foreign[0]} is not a target of init_model {cfg.init_model} "
                         f"({', '.join(targets)})")
    data = load_dataset(cfg.dataset, graph, log)
    data.require(cfg.targets)
    data = data.only(cfg.targets)
    split = random_split(len(data), cfg.training.split_fractions, cfg.training.split_seed)
    save_split(split, out / "split.json", dataset=data.name, ids={k: [data.ids[i] for i in v] for k, v in split.items()})
    log(f"{data.name}: {len(data)} slabs; train {len(split['train'])}, validation {len(split['validation'])}, "
        f"test {len(split['test'])}; targets {', '.join(targets)}")
    fits = []
    for k in range(cfg.ensemble):
        training = cfg.training.model_copy(update={"seed": cfg.training.seed + k})
        name = "model" if cfg.ensemble == 1 else f"model_{k}"
        init = network_from_file(cfg.init_model)[0] if cfg.init_model is not None else None
        fit = fit_once(data, split, targets, model_settings, graph, training, out, name, init=init,
                       init_elements=init_meta["elements"] if init_meta else (),
                       log=lambda s, k=k: log(f"[member {k}] {s}" if cfg.ensemble > 1 else s))
        fits.append(fit)
    test_ref = fits[0].test_ref
    mean, std = ensemble_mean_std(np.stack([f.test_pred for f in fits]))
    summary = {"config": cfg.to_dict(), "dataset": data.name, "targets": targets,
               "n_slabs": {k: len(v) for k, v in split.items()},
               "members": [{"model_file": f.model_file, "best_epoch": f.result.best_epoch, "stopped": f.result.stopped,
                            "time_s": f.result.time_s, "test": f.test_metrics} for f in fits],
               "test": metrics_table(mean, test_ref, targets), "time_s": time.time() - t0}
    if cfg.ensemble > 1:
        vmean, vstd = ensemble_mean_std(np.stack([f.val_pred for f in fits]))
        scale = {t: sigma_scale(vmean[:, k], vstd[:, k], fits[0].val_ref[:, k]) for k, t in enumerate(targets)}
        curves = {t: calibration_curve(mean[:, k], std[:, k], test_ref[:, k], scale[t]) for k, t in enumerate(targets)}
        summary["calibration"] = {"sigma_scale": scale, "test_curve": curves}
        plots.calibration(curves, out / "calibration.png", "test slabs, spread scaled on validation")
    plots.parity(test_ref, mean, targets, out / "parity_test.png", f"{data.name}: test slabs")
    plots.learning_curves([f.result.history for f in fits], targets, out / "learning_curve.png", data.name)
    write_json(out / "train_summary.json", summary)
    for t, m in summary["test"].items():
        if m["mae"] is not None:
            log(f"test {t}: MAE {m['mae']:.4g} +- {m['mae_se']:.2g}, R2 {m['r2']:.3f} +- {m['r2_se']:.3f} (n={m['n']})")
    log(f"wrote {out / 'train_summary.json'} ({time.time() - t0:.0f} s)")
    return summary


def load_models(paths):
    loaded = [load_surface_model(p) for p in paths]
    check_ensemble([m for _, m in loaded], [str(p) for p in paths])
    return loaded


def ensemble_predict(loaded, graphs, names, strict: bool = True) -> np.ndarray:
    """(members, slabs, targets) predictions; with ``strict`` refuses elements the models were not
    trained on (their embedding rows were never trained)."""
    if strict:
        for g, name in zip(graphs, names):
            for _, meta in loaded:
                check_species(g.numbers, meta, name)
    return np.stack([predict_graphs(module, graphs) for module, _ in loaded])


def open_models(cfg):
    """For test and predict: threads set, output folder made, the models loaded and checked;
    (output folder, [(module, metadata)], metadata of the first, its targets, its graph settings)."""
    import torch

    torch.set_num_threads(cfg.threads)
    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    loaded = load_models(cfg.models)
    meta = loaded[0][1]
    return out, loaded, meta, list(meta["targets"]), settings_of(meta)[1]


def run_test(cfg: TestConfig, log: Callable[[str], None] = print) -> dict:
    t0 = time.time()
    out, loaded, meta, targets, graph = open_models(cfg)
    data = load_dataset(cfg.dataset, graph, log)
    data.require([t for t in targets if t in data.columns] or targets)
    test_idx, val_idx = list(range(len(data))), []
    if cfg.split_file is not None:
        split = load_split(cfg.split_file)
        if max(max(v, default=-1) for v in split.values()) >= len(data):
            raise_split_mismatch(cfg.split_file, len(data))
        test_idx, val_idx = split["test"], split["validation"]
    test = data.subset(test_idx)
    # as in training's own test metrics, slabs with elements the models never saw are evaluated too
    # (with untrained embedding rows); they are counted here
    known = set(meta["elements"])
    unseen = [i for i, g in zip(test.ids, test.graphs) if {chemical_symbols[z] for z in g.numbers} - known]
    if unseen:
        log(f"{len(unseen)} of {len(test)} slabs hold elements the models were not trained on (e.g. {unseen[0]})")
    preds = ensemble_predict(loaded, test.graphs, test.ids, strict=False)
    mean, std = ensemble_mean_std(preds)
    ref = test.targets(targets)
    summary = {"models": [str(p) for p in cfg.models], "dataset": data.name, "targets": targets,
               "n_slabs": len(test), "n_slabs_with_unseen_elements": len(unseen), "test": metrics_table(mean, ref, targets),
               "members": [metrics_table(p, ref, targets) for p in preds]}
    if len(loaded) > 1:
        scale = {t: 1.0 for t in targets}
        if val_idx:
            val = data.subset(val_idx)
            vm, vs = ensemble_mean_std(ensemble_predict(loaded, val.graphs, val.ids, strict=False))
            vref = val.targets(targets)
            scale = {t: sigma_scale(vm[:, k], vs[:, k], vref[:, k]) for k, t in enumerate(targets)}
        curves = {t: calibration_curve(mean[:, k], std[:, k], ref[:, k], scale[t]) for k, t in enumerate(targets)}
        summary["calibration"] = {"sigma_scale": scale, "test_curve": curves}
        plots.calibration(curves, out / "calibration.png", data.name)
    rows = [{"id": i, **{t: {"reference": ref[n, k], "predicted": mean[n, k], "std": std[n, k]}
                         for k, t in enumerate(targets)}} for n, i in enumerate(test.ids)]
    write_json(out / "predictions.json", rows)
    plots.parity(ref, mean, targets, out / "parity.png", data.name)
    summary["time_s"] = time.time() - t0
    write_json(out / "test_summary.json", summary)
    for t, m in summary["test"].items():
        if m["mae"] is not None:
            log(f"{t}: MAE {m['mae']:.4g} +- {m['mae_se']:.2g}, R2 {m['r2']:.3f} +- {m['r2_se']:.3f} (n={m['n']})")
    return summary


def raise_split_mismatch(path, n) -> None:
    raise InputError(f"split file {path} lists slab indices beyond the {n} slabs of the dataset (another dataset "
                     "or max_slabs?)")
