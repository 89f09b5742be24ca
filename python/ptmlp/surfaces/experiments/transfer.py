"""``ptmlp surfaces transfer``: the full method pre-trained on one data set, fine-tuned on others at
several training fractions (fixed validation and test sets), against the same network trained from
scratch on the same slabs; learning curves over the fraction."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import numpy as np

from ...jsonfile import write_json
from .. import plots
from ..dataset import load_dataset
from ..evaluation import mean_spread
from ..export import load_surface_model, network_from_file
from ..fitting import fit_once, random_split
from .common import cached_run, fit_record
from .config import TransferConfig


def pretrain(cfg: TransferConfig, out: Path, log) -> str:
    if cfg.pretrained_model is not None:
        return cfg.pretrained_model
    path = out / "pretrained.pt"
    if not path.is_file():
        data = load_dataset(cfg.dataset, cfg.graph, log)
        split = random_split(len(data), cfg.training.split_fractions, cfg.training.split_seed)
        model = cfg.model.model_copy(update={"surface_embedding": True})
        training = cfg.training.model_copy(update={"weighting": "gradnorm", "seed": cfg.seeds[0]})
        log(f"pre-training the full method on {data.name} ({len(split['train'])} slabs)")
        fit = fit_once(data, split, list(data.columns), model, cfg.graph, training, out, "pretrained", log=log)
        write_json(out / "pretrained.json", {"test": fit.test_metrics, "time_s": fit.result.time_s,
                                            "best_epoch": fit.result.best_epoch})
    return str(path)


def run_transfer(cfg: TransferConfig, log: Callable[[str], None] = print) -> dict:
    t0 = time.time()
    out = Path(cfg.output_dir)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    pretrained = pretrain(cfg, out, log)
    _, meta = load_surface_model(pretrained)
    model_targets = list(meta["targets"])
    from ..export import settings_of

    model_settings, graph = settings_of(meta)
    summary: dict = {"pretrained_model": pretrained, "fractions": cfg.fractions, "seeds": cfg.seeds, "sets": {},
                     "config": cfg.to_dict()}
    for spec in cfg.targets:
        data = load_dataset(spec.dataset, graph, log)
        data.require(spec.targets)
        data = data.only(spec.targets)
        n = len(data)
        order = np.random.default_rng(cfg.training.split_seed).permutation(n)
        n_test, n_val = int(round(cfg.test_fraction * n)), int(round(cfg.validation_fraction * n))
        test, val, pool = order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:]
        curves: dict = {t: {"fine-tuned": [], "from scratch": []} for t in spec.targets}
        runs = []
        for frac in cfg.fractions:
            n_train = max(2, int(round(frac * n)))
            per_start: dict = {"fine-tuned": [], "from scratch": []}
            for seed in cfg.seeds:
                train = np.random.default_rng(1000 + seed).permutation(pool)[:n_train]
                split = {"train": sorted(train.tolist()), "validation": sorted(val.tolist()), "test": sorted(test.tolist())}
                training = cfg.fine_tune.model_copy(update={"seed": seed})
                for start in ("fine-tuned", "from scratch"):
                    name = f"{data.name}_{'ft' if start == 'fine-tuned' else 'scratch'}_f{frac:g}_seed{seed}"

                    def compute(start=start, split=split, training=training, name=name):
                        log(f"{name}: {len(split['train'])} training slabs")
                        if start == "fine-tuned":
                            init, _ = network_from_file(pretrained)
                            fit = fit_once(data, split, model_targets, model_settings, graph, training, out / "runs",
                                           name, init=init, init_elements=meta["elements"])
                        else:
                            fit = fit_once(data, split, spec.targets,
                                           model_settings.model_copy(update={"surface_embedding": True}), graph,
                                           training.model_copy(update={"weighting": "gradnorm"}), out / "runs", name)
                        return {**fit_record(fit, fit_targets(fit, model_targets, spec.targets), []),
                                "n_train": len(split["train"])}

                    rec = cached_run(out / "runs" / f"{name}.json", compute)
                    per_start[start].append(rec)
                    runs.append({"start": start, "fraction": frac, "seed": seed,
                                 "test": {t: rec["test"][t] for t in spec.targets}, "time_s": rec["time_s"]})
            for t in spec.targets:
                for start in per_start:
                    curves[t][start].append(mean_spread([r["test"][t]["mae"] for r in per_start[start]]))
            log(f"{data.name} fraction {frac:g}: " + "; ".join(
                f"{t} MAE fine-tuned {curves[t]['fine-tuned'][-1]['mean']:.4g} vs scratch "
                f"{curves[t]['from scratch'][-1]['mean']:.4g}" for t in spec.targets))
        for t in spec.targets:
            plots.transfer_curves(cfg.fractions, curves[t], t, out / f"transfer_{data.name}_{t}.png",
                                  f"{data.name}: test MAE, mean ± std over seeds {cfg.seeds}")
        summary["sets"][data.name] = {"targets": spec.targets, "n_slabs": n, "n_validation": len(val),
                                      "n_test": len(test), "mae_curves": curves, "runs": runs}
    summary["wall_time_s"] = time.time() - t0
    write_json(out / "summary.json", summary)
    return summary


def fit_targets(fit, model_targets, set_targets):
    return model_targets if fit.test_pred.shape[1] == len(model_targets) else set_targets
