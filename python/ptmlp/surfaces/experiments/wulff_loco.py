"""``ptmlp surfaces wulff``: Wulff-shape weighted surface energy and work function of every crystal of
the elemental data set, from the DFT facet values and from predictions of models trained without
that crystal (crystals split into group folds, each held out once; as many folds as crystals is
strict leave-one-compound-out)."""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Callable

import numpy as np

from ...errors import InputError
from ...jsonfile import write_json
from .. import plots
from ..dataset import load_dataset
from ..evaluation import metrics
from ..export import network_from_file
from ..facets import crystal_of, lattice_of, parse_facet_name, three_index
from ..fitting import fit_once
from ..wulff import facet_minima, wulff_average
from .common import cached_run, fit_record
from .config import WulffConfig

SE, WF = "surface_energy_eV_per_A2", "work_function_eV"


def crystals(data) -> dict[str, list[int]]:
    """Crystal label ('Cu fcc') -> indices of its facets; facets of other crystals are left out."""
    groups: dict[str, list[int]] = {}
    for i, (slab_id, g) in enumerate(zip(data.ids, data.graphs)):
        facet = parse_facet_name(slab_id)
        crystal = crystal_of(facet, g) if facet else None
        if crystal:
            groups.setdefault(f"{facet.element} {crystal}", []).append(i)
    return groups


def run_wulff(cfg: WulffConfig, log: Callable[[str], None] = print) -> dict:
    t0 = time.time()
    out = Path(cfg.output_dir)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    data = load_dataset(cfg.dataset, cfg.graph, log)
    data.require([SE, WF])
    groups = crystals(data)
    if len(groups) < cfg.group_folds:
        raise InputError(f"dataset {data.name}: {len(groups)} fcc/bcc/hcp crystals found from the facet names, fewer "
                         f"than group_folds {cfg.group_folds}")
    names = sorted(groups)
    order = np.random.default_rng(cfg.training.split_seed).permutation(len(names))
    folds = [[names[j] for j in order[k::cfg.group_folds]] for k in range(cfg.group_folds)]
    targets = [SE, WF]
    pred = np.full((len(cfg.seeds), len(data), 2), np.nan)
    val_share = cfg.training.split_fractions[1] / (1.0 - cfg.training.split_fractions[2])
    for k, held in enumerate(folds):
        test = sorted(i for c in held for i in groups[c])
        rest = np.random.default_rng(k).permutation(np.setdiff1d(np.arange(len(data)), test))
        n_val = int(round(val_share * len(rest)))
        split = {"train": sorted(rest[n_val:].tolist()), "validation": sorted(rest[:n_val].tolist()), "test": test}
        for s, seed in enumerate(cfg.seeds):
            name = f"fold{k}_seed{seed}"
            training = cfg.training.model_copy(update={"seed": seed})

            def compute(split=split, training=training, name=name):
                log(f"{name}: {len(split['test'])} facets of {len(held)} crystals held out")
                init = network_from_file(cfg.init_model)[0] if cfg.init_model else None
                fit = fit_once(data, split, targets, cfg.model, cfg.graph, training, out / "runs", name, init=init)
                return fit_record(fit, targets, [data.ids[i] for i in split["test"]])

            rec = cached_run(out / "runs" / f"{name}.json", compute)
            pred[s, test] = np.array(rec["test_pred"])[:, :2]
    with warnings.catch_warnings():  # facets of no crystal were never predicted: their mean is NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(pred, axis=0)
    rows, shapes = [], []
    for c in names:
        idx = groups[c]
        element, crystal = c.split()
        lattice = lattice_of(element, crystal)
        millers = [three_index(parse_facet_name(data.ids[i])) for i in idx]
        try:
            dft_shape, e_dft, w_dft = wulff_average(lattice, facet_minima(millers, data.values[idx, 0], data.values[idx, 1]))
            members = [wulff_average(lattice, facet_minima(millers, pred[s, idx, 0], pred[s, idx, 1]))
                       for s in range(len(cfg.seeds))]
        except (InputError, ValueError, IndexError, RuntimeError) as exc:  # too few facets (qhull), or E <= 0
            log(f"{c}: no Wulff shape ({str(exc).splitlines()[0][:80]})")
            continue
        e_pred, w_pred = np.array([m[1] for m in members]), np.array([m[2] for m in members])
        rows.append({"crystal": c, "n_facets": len(idx), "dft": {"surface_energy_eV_per_A2": e_dft, "work_function_eV": w_dft},
                     "predicted": {"surface_energy_eV_per_A2": float(e_pred.mean()),
                                   "surface_energy_std_eV_per_A2": float(e_pred.std(ddof=1)) if len(e_pred) > 1 else None,
                                   "work_function_eV": float(w_pred.mean()),
                                   "work_function_std_eV": float(w_pred.std(ddof=1)) if len(w_pred) > 1 else None}})
        if len(shapes) < cfg.max_plots:
            shapes.append(c)
            plots.wulff_shapes([(f"{c} DFT: {e_dft:.3f} eV/Å², {w_dft:.2f} eV", dft_shape),
                                (f"predicted: {e_pred.mean():.3f} eV/Å², {w_pred.mean():.2f} eV", members[0][0])],
                               out / f"wulff_{c.replace(' ', '_')}.png")
    ref = np.array([[r["dft"][t] for t in targets] for r in rows])
    est = np.array([[r["predicted"][t] for t in targets] for r in rows])
    facet_ok = np.isfinite(mean[:, 0])
    summary = {"dataset": data.name, "crystals": len(rows), "group_folds": cfg.group_folds, "seeds": cfg.seeds,
               "wulff_weighted": {t: metrics(est[:, k], ref[:, k]) for k, t in enumerate(targets)} if rows else {},
               "facets": {t: metrics(mean[facet_ok, k], data.values[facet_ok, k]) for k, t in enumerate(targets)},
               "rows": rows, "plotted": shapes, "config": cfg.to_dict(), "wall_time_s": time.time() - t0}
    if rows:
        plots.parity(ref, est, targets, out / "parity_wulff.png", f"{data.name}: Wulff-weighted, crystal held out")
    write_json(out / "summary.json", summary)
    for t, m in summary["wulff_weighted"].items():
        log(f"Wulff-weighted {t} over {len(rows)} crystals: MAE {m['mae']:.4g} +- {m['mae_se']:.2g}, R2 {m['r2']:.3f}")
    return summary
