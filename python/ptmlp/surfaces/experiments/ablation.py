"""``ptmlp surfaces ablation``: every model variant with the same hyper-parameters on one random
train/validation/test split, repeated over seeds; the full method's seeds also form an ensemble
whose spread (scaled on the validation slabs) is checked by a calibration curve on the test slabs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import numpy as np

from ...jsonfile import write_json
from .. import plots
from ..dataset import load_dataset
from ..fitting import fit_once, random_split
from ..uncertainty import calibration_curve, ensemble_mean_std, sigma_scale
from .common import arrays, cached_run, fit_record, format_row, spread_table
from .config import AblationConfig

SE, WF = "surface_energy_eV_per_A2", "work_function_eV"
#: variant -> (targets, task weighting, surface embedding)
VARIANT_SETTINGS = {
    "single_task_surface_energy": ([SE], "equal", False),
    "single_task_work_function": ([WF], "equal", False),
    "multi_task_equal": ([SE, WF], "equal", False),
    "multi_task_gradnorm": ([SE, WF], "gradnorm", False),
    "multi_task_surface_embedding": ([SE, WF], "equal", True),
    "full": ([SE, WF], "gradnorm", True),
}


def run_ablation(cfg: AblationConfig, log: Callable[[str], None] = print) -> dict:
    t0 = time.time()
    out = Path(cfg.output_dir)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    data = load_dataset(cfg.dataset, cfg.graph, log)
    data.require([SE, WF] if any(len(VARIANT_SETTINGS[v][0]) > 1 for v in cfg.variants) else
                 sorted({VARIANT_SETTINGS[v][0][0] for v in cfg.variants}))
    split = random_split(len(data), cfg.training.split_fractions, cfg.training.split_seed)
    test_ids = [data.ids[i] for i in split["test"]]
    records: dict[str, list[dict]] = {}
    for variant in cfg.variants:
        targets, weighting, surface = VARIANT_SETTINGS[variant]
        model = cfg.model.model_copy(update={"surface_embedding": surface})
        for seed in cfg.seeds:
            training = cfg.training.model_copy(update={"weighting": weighting, "seed": seed})
            name = f"{variant}_seed{seed}"

            def compute(targets=targets, model=model, training=training, name=name):
                log(f"{name}: training")
                fit = fit_once(data, split, targets, model, cfg.graph, training, out / "runs", name)
                return fit_record(fit, targets, test_ids)

            rec = cached_run(out / "runs" / f"{name}.json", compute)
            records.setdefault(variant, []).append(rec)
            log(f"{name}: " + ", ".join(f"{t} MAE {rec['test'][t]['mae']:.4g} R2 {rec['test'][t]['r2']:.3f}"
                                        for t in targets) + f" ({rec['time_s']:.0f} s)")
    table = {v: spread_table(recs, VARIANT_SETTINGS[v][0]) for v, recs in records.items()}
    summary = {"dataset": data.name, "n_slabs": {k: len(v) for k, v in split.items()}, "seeds": cfg.seeds,
               "config": cfg.to_dict(), "table": table,
               "time_s": {v: [r["time_s"] for r in recs] for v, recs in records.items()}}
    if len(records.get("full", [])) > 1:
        summary["ensemble_full"] = ensemble_calibration(records["full"], [SE, WF], out)
    plots.variant_bars(table, [SE, WF], out / "variants.png", f"{data.name}: test errors over seeds {cfg.seeds}")
    for v, recs in records.items():
        t = VARIANT_SETTINGS[v][0]
        plots.parity(arrays(recs[0], "test_ref"), arrays(recs[0], "test_pred"), t, out / f"parity_{v}.png",
                     f"{v} (seed {cfg.seeds[0]})")
        plots.learning_curves([r["history"] for r in recs], t, out / f"learning_curve_{v}.png", v)
    summary["wall_time_s"] = time.time() - t0
    write_json(out / "summary.json", summary)
    for v in table:
        log(format_row(v, table[v], VARIANT_SETTINGS[v][0]))
    return summary


def ensemble_calibration(recs: list[dict], targets: list[str], out: Path) -> dict:
    """Seed ensemble of the full method: its test errors, the spread scale fitted on validation,
    and calibration curves before and after scaling."""
    from ..evaluation import metrics_table

    mean, std = ensemble_mean_std(np.stack([arrays(r, "test_pred") for r in recs]))
    vmean, vstd = ensemble_mean_std(np.stack([arrays(r, "val_pred") for r in recs]))
    ref, vref = arrays(recs[0], "test_ref"), arrays(recs[0], "val_ref")
    result = {"members": len(recs), "test": metrics_table(mean, ref, targets), "sigma_scale": {}, "curves": {}}
    curves = {}
    for k, t in enumerate(targets):
        s = sigma_scale(vmean[:, k], vstd[:, k], vref[:, k])
        result["sigma_scale"][t] = s
        raw = calibration_curve(mean[:, k], std[:, k], ref[:, k], 1.0)
        scaled = calibration_curve(mean[:, k], std[:, k], ref[:, k], s)
        result["curves"][t] = {"unscaled": raw, "scaled": scaled}
        curves[f"{t} raw"] = raw
        curves[f"{t} x{s:.2f}"] = scaled
    plots.calibration(curves, out / "calibration_full.png", f"full method, {len(recs)}-seed ensemble, test slabs")
    plots.parity(ref, mean, targets, out / "parity_full_ensemble.png", f"full method, {len(recs)}-seed ensemble mean")
    return result
