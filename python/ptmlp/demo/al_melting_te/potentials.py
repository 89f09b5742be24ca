"""Stages relabel and train: the T_e-blind labels, the two potentials, held-out errors per (P, T).

How the T_e-blind model is made: every configuration of the active-learning dataset (labelled at
T_e = T_ion) is labelled again by GPAW with the same cutoff, k-points and functional at one low
Fermi-Dirac width, T_e = ``dft.te_blind_K`` (300 K: k_B T_e = 26 meV, the electronic free energy
within ~1 meV/atom of its T_e -> 0 limit for Al), into its own dataset with the same group names.
Both models are trained on exactly the configurations present in both datasets, with the same
train / validation / test split (by source trajectory); the aware one has T_e as an input
(F(R, T_e), run with ``tel c_thermo_temp``), the blind one has none. The only difference is thus the
electronic entropy in the labels.

Held-out errors: both models on the test configurations, binned by grid point (P, T): T is the
frame's T_e (= T_ion) and P the target pressure nearest to the frame's static DFT pressure plus
its ideal-gas part n k_B T. The DFT electronic free energy per point, F(T_e = T) - F(T_e = 300 K)
per atom on the same configurations, is the size of what the blind model leaves out.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ...data.splits import grouped_split, save_split
from ...data.store import Dataset
from ...data.structure_hash import structure_hash
from ...evaluation.metrics import predict
from ...training.config import RunConfig
from ...training.run import train_from_config
from ...units import EV_PER_A3_TO_GPA, KB_EV_PER_K
from .active import dataset_path
from .labels import label, te_blind_rule

BLIND = "te_blind.h5"


def blind_path(ctx):
    return ctx.dir("data") / BLIND


def run_relabel(ctx, log=print) -> dict:
    cfg = ctx.cfg
    frames = Dataset(dataset_path(ctx)).read()
    te = cfg.dft.te_blind_K
    rep = label(ctx, [f.atoms for f in frames], ctx.labeler(te, "relabel", te_rule=te_blind_rule(te)),
                blind_path(ctx), [f.group for f in frames], log, f"relabel at T_e = {te:g} K")
    return ctx.save_result("relabel", {"dataset": str(blind_path(ctx)), "te_blind_K": te, "source_frames": len(frames),
                                       "labelled_now": rep.labelled, "already_done": rep.skipped_done,
                                       "failed": rep.failed, "wall_s": rep.wall_s})


def pairs(ctx) -> list[tuple[int, int]]:
    """(aware index, blind index) of every configuration labelled in both datasets."""
    aware = Dataset(dataset_path(ctx)).read()
    blind_index = {h: j for j, h in enumerate(Dataset(blind_path(ctx)).hashes())}
    te = ctx.cfg.dft.te_blind_K
    out = []
    for i, f in enumerate(aware):
        j = blind_index.get(structure_hash(f.atoms, te))
        if j is not None:
            out.append((i, j))
    return out


def grid_point(frame, pressures) -> tuple[float, float]:
    """(target P, T) of an aware frame: T = its T_e; P nearest to static P + n k_B T."""
    t = frame.te_K
    p = frame.pressure_GPa + len(frame.atoms) * KB_EV_PER_K * t / frame.atoms.get_volume() * EV_PER_A3_TO_GPA
    return float(min(pressures, key=lambda x: abs(x - p))), float(t)


def _pressure_GPa(w_per_atom, n, volume) -> float:
    return float(np.trace(np.asarray(w_per_atom)) * n / 3.0 / volume * EV_PER_A3_TO_GPA)


def errors_by_point(model: str, frames, points) -> dict:
    """RMSE of E (meV/atom), F (meV/A) and P (GPa) of ``model`` on ``frames``, per grid point."""
    preds = predict(model, frames)
    bins = defaultdict(list)
    for pred, fr, pt in zip(preds, frames, points):
        bins[pt].append((pred, fr))
    out = {}
    for (p, t), items in sorted(bins.items()):
        de = [1e3 * (r["e_pred"] - r["e_ref"]) for r, _ in items]
        df = np.concatenate([(r["f_pred"] - r["f_ref"]).ravel() for r, _ in items])
        dp = [_pressure_GPa(r["w_pred"], r["n"], f.atoms.get_volume()) - _pressure_GPa(r["w_ref"], r["n"],
                                                                                      f.atoms.get_volume())
              for r, f in items if r["w_ref"] is not None]
        out[f"{p:g} GPa, {t:g} K"] = {"pressure_GPa": p, "temperature_K": t, "n_frames": len(items),
                                      "energy_rmse_meV_per_atom": float(np.sqrt(np.mean(np.square(de)))),
                                      "force_rmse_meV_per_A": float(1e3 * np.sqrt(np.mean(df ** 2))),
                                      "pressure_rmse_GPa": float(np.sqrt(np.mean(np.square(dp)))) if dp else None}
    return out


def electronic_free_energy_by_point(aware, blind, points) -> dict:
    """DFT F(T_e = T) - F(T_e = blind) per atom on the same configurations, mean and spread per point."""
    bins = defaultdict(list)
    for a, b, pt in zip(aware, blind, points):
        bins[pt].append(1e3 * (a.energy_eV - b.energy_eV) / len(a.atoms))
    return {f"{p:g} GPa, {t:g} K": {"pressure_GPa": p, "temperature_K": t, "n_frames": len(v),
                                    "mean_meV_per_atom": float(np.mean(v)),
                                    "std_meV_per_atom": float(np.std(v, ddof=1)) if len(v) > 1 else None}
            for (p, t), v in sorted(bins.items())}


def _train(ctx, dataset, split_path, out_dir, tel: bool, log) -> str:
    pot = ctx.cfg.potentials
    model = pot.model.model_copy(update={"electronic_temperature": tel})
    rc = RunConfig(dataset=str(dataset), output_dir=str(out_dir), split=str(split_path), model=model,
                   training=pot.training, ensemble=1)
    summary = train_from_config(rc, resume=True, log=log)
    return summary["members"][0]["model"]


def run_train(ctx, log=print) -> dict:
    cfg = ctx.cfg
    work = ctx.dir("train")
    aware_ds, blind_ds = Dataset(dataset_path(ctx)), Dataset(blind_path(ctx))
    pair = pairs(ctx)
    aware_frames = aware_ds.read([i for i, _ in pair])
    blind_frames = blind_ds.read([j for _, j in pair])
    groups = [f.group for f in aware_frames]
    split_local = grouped_split(groups, cfg.potentials.split_fractions, seed=cfg.potentials.training.seed)
    splits = {}
    for name, column in (("aware", 0), ("blind", 1)):
        split = {k: sorted(pair[i][column] for i in v) for k, v in split_local.items()}
        path = work / f"split_{name}.json"
        save_split(split, path, dataset=str(dataset_path(ctx) if column == 0 else blind_path(ctx)),
                   seed=cfg.potentials.training.seed, note="the same configurations in both splits")
        splits[name] = path
    log(f"{len(pair)} configurations in both datasets ({aware_ds.path}: {len(aware_ds)}, {blind_ds.path}: "
        f"{len(blind_ds)}); split {', '.join(f'{k} {len(v)}' for k, v in split_local.items())}")
    models = {"aware": _train(ctx, dataset_path(ctx), splits["aware"], work / "aware", True, log),
              "blind": _train(ctx, blind_path(ctx), splits["blind"], work / "blind", False, log)}
    test = split_local["test"]
    points = [grid_point(aware_frames[i], cfg.pressures_GPa) for i in test]
    held_out = {"aware": errors_by_point(models["aware"], [aware_frames[i] for i in test], points),
                "blind": errors_by_point(models["blind"], [blind_frames[i] for i in test], points)}
    all_points = [grid_point(f, cfg.pressures_GPa) for f in aware_frames]
    result = {"models": models, "configurations": len(pair), "split": {k: len(v) for k, v in split_local.items()},
              "held_out_by_point": held_out,
              "dft_electronic_free_energy_by_point": electronic_free_energy_by_point(aware_frames, blind_frames,
                                                                                     all_points),
              "how_blind": f"same configurations relabelled by GPAW at T_e = {cfg.dft.te_blind_K:g} K (same cutoff, "
                           "k-points, functional); model without T_e input; same split"}
    for name, rows in held_out.items():
        for key, r in rows.items():
            log(f"held-out {name} {key}: E {r['energy_rmse_meV_per_atom']:.1f} meV/atom, F "
                f"{r['force_rmse_meV_per_A']:.0f} meV/A ({r['n_frames']} frames)")
    return ctx.save_result("train", result)
