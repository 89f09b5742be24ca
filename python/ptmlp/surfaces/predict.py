"""``ptmlp surfaces predict``: properties of slabs with their ensemble uncertainty, and of the
low-index facets of bulk crystals with Wulff-shape averages (uncertainty from the members)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import InputError
from ..jsonfile import write_json
from . import plots
from .config import PredictConfig
from .export import settings_of
from .geometry import slab_geometry
from .graph import build_graph
from .slabs import enumerate_slabs
from .structures import read_structure
from .uncertainty import ensemble_mean_std
from .workflow import ensemble_predict, open_models
from .wulff import facet_minima, wulff_average

SE, WF = "surface_energy_eV_per_A2", "work_function_eV"


def _rows(preds: np.ndarray, targets, scale: float) -> list[dict]:
    mean, std = ensemble_mean_std(preds)
    return [{t: {"value": mean[n, k], "std": std[n, k] * scale} for k, t in enumerate(targets)}
            for n in range(preds.shape[1])]


def _graph(atoms, graph, name):
    return build_graph(atoms, graph.max_neighbours, graph.radius_A, graph.min_vacuum_A, name)


def predict_bulk(loaded, path: str, cfg: PredictConfig, out: Path, log) -> dict:
    meta = loaded[0][1]
    targets = meta["targets"]
    _, graph = settings_of(meta)
    bulk = read_structure(path, path)
    try:
        slab_geometry(bulk, graph.min_vacuum_A, path)
    except InputError:
        pass  # no vacuum: a bulk crystal, as expected
    else:
        raise InputError(f"{path}: has a vacuum gap (a slab); give it under slabs, not bulk")
    lattice, slabs = enumerate_slabs(bulk, cfg.enumeration, path)
    names = [f"{Path(path).name} {s.miller} termination {s.termination}" for s in slabs]
    preds = ensemble_predict(loaded, [_graph(s.atoms, graph, n) for s, n in zip(slabs, names)], names)
    rows = [{"miller": list(s.miller), "termination": s.termination, "shift": s.shift, "n_atoms": len(s.atoms), **r}
            for s, r in zip(slabs, _rows(preds, targets, cfg.sigma_scale))]
    result = {"bulk": path, "slabs": rows}
    if SE in targets:
        k_se = targets.index(SE)
        k_wf = targets.index(WF) if WF in targets else None
        per_member = []
        shapes = []
        for m in range(preds.shape[0]):
            wf = preds[m, :, k_wf] if k_wf is not None else np.zeros(len(slabs))
            facets = facet_minima([s.miller for s in slabs], preds[m, :, k_se], wf)
            shape, e, w = wulff_average(lattice, facets)
            per_member.append((e, w))
            shapes.append(shape)
        e, w = np.array(per_member).T
        spread = (lambda a: float(a.std(ddof=1)) * cfg.sigma_scale if len(a) > 1 else None)
        result["wulff"] = {"weighted_surface_energy_eV_per_A2": float(e.mean()),
                           "weighted_surface_energy_std_eV_per_A2": spread(e)}
        if k_wf is not None:
            result["wulff"].update({"weighted_work_function_eV": float(w.mean()),
                                    "weighted_work_function_std_eV": spread(w)})
        result["wulff"]["area_fractions"] = {str(k): v for k, v in shapes[0].area_fraction_dict.items()}
        result["wulff_plot"] = plots.wulff_shapes([(f"{Path(path).stem} (member 0)", shapes[0])],
                                                  out / f"wulff_{Path(path).stem}.png")
        log(f"{path}: {len(slabs)} slabs; Wulff-weighted surface energy {e.mean():.4f} eV/A^2"
            + (f", work function {w.mean():.3f} eV" if k_wf is not None else ""))
    return result


def run_predict(cfg: PredictConfig, log: Callable[[str], None] = print) -> dict:
    t0 = time.time()
    out, loaded, meta, targets, graph = open_models(cfg)
    result: dict = {"models": [str(p) for p in cfg.models], "targets": targets, "units": meta["units"],
                    "sigma_scale": cfg.sigma_scale, "slabs": [], "bulk": []}
    if cfg.slabs:
        graphs = [_graph(read_structure(p, p), graph, p) for p in cfg.slabs]
        preds = ensemble_predict(loaded, graphs, list(cfg.slabs))
        for p, row in zip(cfg.slabs, _rows(preds, targets, cfg.sigma_scale)):
            result["slabs"].append({"file": p, **row})
            log(f"{p}: " + ", ".join(f"{t} {row[t]['value']:.4g}" + (f" +- {row[t]['std']:.2g}"
                                                                     if np.isfinite(row[t]['std']) else "")
                                     for t in targets))
    for p in cfg.bulk:
        result["bulk"].append(predict_bulk(loaded, p, cfg, out, log))
    result["time_s"] = time.time() - t0
    write_json(out / "predictions.json", result)
    return result
